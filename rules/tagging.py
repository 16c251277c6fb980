"""Tags: what a tag may look like, and which of a brand's tag rules a new mention passes. Pure, no I/O."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from mentiondesk.core.brands import TAG_PATTERN, Brand
from mentiondesk.core.errors import InputError

_TAG = re.compile(TAG_PATTERN)


@dataclass(frozen=True)
class TagFacts:
    text: str
    label: str | None
    language: str | None
    platform: str


def normal_tag(raw: str) -> str:
    """A tag as people type it (`Refund Request`) in the form it is kept (`refund-request`), or InputError."""
    folded = unicodedata.normalize("NFKC", raw).strip().casefold()
    tag = re.sub(r"\s+", "-", folded)
    if not _TAG.match(tag):
        raise InputError(
            f"tag {raw[:60]!r} is not usable: 1 to 40 of a-z, 0-9, '-' and '_', starting with a letter or digit"
        )
    return tag


def rule_tags(facts: TagFacts, brand: Brand) -> list[str]:
    """The tags of every rule of `brand` that `facts` passes, each once, in rule order."""
    found: list[str] = []
    lowered = facts.text.casefold()
    for rule in brand.tags:
        if rule.keywords and not any(k.casefold() in lowered for k in rule.keywords if k.strip()):
            continue
        if rule.categories and facts.label not in rule.categories:
            continue
        if rule.languages and (facts.language or "") not in rule.languages:
            continue
        if rule.platforms and facts.platform not in rule.platforms:
            continue
        if rule.tag not in found:
            found.append(rule.tag)
    return found
