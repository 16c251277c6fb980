"""Drafts from templates per brand, category and platform, in a sandboxed Jinja2 environment."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache

from jinja2 import Template, TemplateError, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment

from mentiondesk.core.brands import Brand
from mentiondesk.core.errors import ConfigError
from mentiondesk.core.platform import address
from responders.length import fits
from responders.templates import BY_LANGUAGE, DEFAULTS, DISCLOSURES
from rules.classifier import (
    POSSIBLE_COMPLAINT,
    POSSIBLE_QUESTION,
    THANK_MAX_NEGATIVE,
    Classification,
    has_grievance,
    thank_complaint_ceiling,
)
from rules.language import UNDETERMINED

# A mention the model did not call a complaint is still drafted safely when its complaint probability reaches
# this: "the app charged my old card" read as "other" must not be answered "Thanks for the mention!".
COMPLAINT_FLOOR = 0.35
# Praise with this much sarcasm probability, or a grievance, negation or contrast cue, may be a backhanded
# complaint ("Big thanks for the free workout: walked to 3 stores"): a person reads it before anyone thanks.
PRAISE_SARCASM_FLOOR = 0.2
_PRAISE_DOUBTS = frozenset({"sarcasm", "negation", "contrast", "emoji:negative"})

_ENV = SandboxedEnvironment(autoescape=False, keep_trailing_newline=False)
_NAME_WORD = re.compile(r"^[^\W\d_][^\W\d_'\-.]{0,29}$")
_INVISIBLE = {"Cf", "Cc", "Co", "Cs", "Zl", "Zp"}


@dataclass(frozen=True)
class DraftText:
    text: str
    template_key: str


def clean(value: str) -> str:
    """Remove control, format (RTL overrides, zero-width) and private characters from text we echo back."""
    return "".join(ch for ch in value if unicodedata.category(ch) not in _INVISIBLE).strip()


def greeting_name(display_name: str, handle: str, platform: str = "") -> str:
    """The customer's first name when the display name starts with one, else their handle as the platform
    writes it (its descriptor's `address`: an @name, or whatever that network uses)."""
    first = clean(display_name).split(" ")[0] if display_name else ""
    if first and _NAME_WORD.match(first) and first.lower() not in {"the", "official", "mr", "mrs", "ms", "dr"}:
        return first
    return address(platform, clean(handle)) or "there"


# A template whose only Jinja syntax is `{{ name }}` placeholders (every shipped one) is filled in directly:
# Jinja's render costs ~0.2 ms a draft, a fifth of a mention's whole ingest. Anything else goes to Jinja.
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_]\w*)\s*\}\}")
_JINJA_SYNTAX = re.compile(r"\{[{%#]|[}%#]\}")


@dataclass(frozen=True)
class _Filled:
    """A template of literal text and `{{ name }}` placeholders; a missing name renders empty, as in Jinja."""

    parts: tuple[str, ...]  # literal, name, literal, name, ..., literal

    def render(self, **context: str) -> str:
        parts = self.parts
        return "".join(part if i % 2 == 0 else str(context.get(part, "")) for i, part in enumerate(parts))


@lru_cache(maxsize=256)
def _compile(source: str) -> Template | _Filled:
    parts = tuple(_PLACEHOLDER.split(source))
    if not any(_JINJA_SYNTAX.search(literal) for literal in parts[0::2]):
        return _Filled(parts)
    return _ENV.from_string(source)


def review_reason(verdict: Classification, brand: Brand | None = None) -> str:
    """Why a person must review this mention before anything is sent ("" when the model is sure enough): the
    classifier's own reason (low confidence, possible complaint, unsupported language), a language the brand
    does not answer in, a complaint probability at or above the floor, or praise that may be sarcastic or mixed."""
    if verdict.needs_review:
        return verdict.review_reason or "low confidence"
    if brand is not None and verdict.language != UNDETERMINED and reply_language(brand, verdict.language) is None:
        return f"language {verdict.language} not supported"
    if verdict.label != "complaint" and verdict.scores.get("complaint", 0.0) >= COMPLAINT_FLOOR:
        return POSSIBLE_COMPLAINT
    if verdict.label == "praise" and _doubtful_praise(verdict):
        return "praise that may be sarcastic or mixed"
    return ""


def _doubtful_praise(verdict: Classification) -> bool:
    """The signs the automated thank-you gate refuses on ("So glad the update removed the one feature I used.
    Innovation!"): a real complaint probability, sarcasm, a negative sentiment share, a grievance cue."""
    return (
        verdict.scores.get("complaint", 0.0) > thank_complaint_ceiling(verdict)
        or verdict.sentiment_scores.get("negative", 0.0) > THANK_MAX_NEGATIVE
        or verdict.sarcasm >= PRAISE_SARCASM_FLOOR
        or has_grievance(verdict.cues)
        or bool(_PRAISE_DOUBTS & set(verdict.cues))
    )


# The safe wording's variants for an unsure mention that reads as praise or as a question.
SAFE_LEANINGS = {"praise": "safe_praise", "question": "safe_question"}
# A complaint held because it may be a plain question reads as one.
_READS_AS = {POSSIBLE_QUESTION: "question"}


def reply_category(
    label: str, *, needs_review: bool, escalated: bool = False, language_known: bool = True, reason: str = ""
) -> str:
    """The template set for a draft: escalations keep theirs (an apology and a senior contact are safe for
    anything urgent); a mention under review gets the category-safe wording, its praise or question variant when
    it reads as praise or a question in a language the model knows (a complaint held as a `possible question`
    reads as a question); the rest their label's."""
    if escalated:
        return "escalation"
    if needs_review:
        reads_as = _READS_AS.get(reason, label)
        leaning = SAFE_LEANINGS.get(reads_as) if language_known else None
        return leaning or "safe"
    return label


def reply_language(brand: Brand, language: str) -> str | None:
    """`language` when the brand lists it (or lists none: every language) and has wording in it (its own or the
    defaults), else None: such a mention needs review and gets the safe wording in the brand's default language."""
    code = language.split("-")[0].lower()
    if (code in brand.languages or not brand.languages) and (brand.templates_in(code) or code in BY_LANGUAGE):
        return code
    return None


def _wording(brand: Brand, category: str, language: str) -> list[str]:
    """The brand's own variants of `category` in `language`, else the shipped ones ([] when neither has any)."""
    own = brand.templates_in(language)
    if category in SAFE_LEANINGS.values() and category not in own and "safe" in own:
        category = "safe"  # a brand's own wording for the unsure stands for every leaning it did not write
    return list(own.get(category, [])) or list(BY_LANGUAGE.get(language, {}).get(category, []))


def templates_for(brand: Brand, category: str, language: str | None = None) -> tuple[str, list[str]]:
    """The language a draft is written in and its variants: the mention's language when the brand answers in it
    and has this category's wording there, else the brand's default language, else English."""
    wanted = reply_language(brand, language) if language else None
    for candidate in dict.fromkeys(c for c in (wanted, brand.default_language, "en") if c):
        sources = _wording(brand, category, candidate)
        if sources:
            return candidate, sources
    return "en", DEFAULTS["other"]  # an unknown category


def check_templates(brand: Brand) -> None:
    """Compile every template of a brand now, so a typo fails at start with its name, not at reply time."""
    tables = [("templates", brand.templates), *((f"templates.{c}", t) for c, t in brand.language_templates.items())]
    for table, categories in tables:
        for category, sources in categories.items():
            for index, source in enumerate(sources):
                try:
                    _compile(source)
                except TemplateSyntaxError as exc:
                    raise ConfigError(
                        f"template does not compile: {exc.message}",
                        key=f"brands.{brand.key}.{table}.{category}[{index}]",
                    ) from None


def draft_reply(
    *,
    brand: Brand,
    category: str,
    platform: str,
    author_name: str,
    author_handle: str,
    seed: str,
    automated: bool = False,
    avoid: Collection[str] = (),
    language: str | None = None,
) -> DraftText:
    """Pick a variant (stable per mention), render it, and fit the platform's length. `language`: the
    mention's (detected) language; the draft is in it when the brand answers in it (`templates_for`).

    `avoid`: texts this author already got or is about to get. Platforms refuse an account's identical posts
    (X: "duplicate content"), and the same words twice read as a bot: another variant is taken, and when every
    variant is taken a short reference makes the text unique."""
    written_in, sources = templates_for(brand, category, language)
    start = int(hashlib.blake2b(seed.encode(), digest_size=4).hexdigest(), 16) % len(sources)
    name = greeting_name(author_name, author_handle, platform)
    context = {"name": name, "handle": author_handle, "brand": brand.name, "platform": platform}
    fallback: DraftText | None = None
    for offset in range(len(sources)):
        index = (start + offset) % len(sources)
        rendered = _render(brand, category, sources, index, context)
        rendered = with_extras(rendered, brand, automated=automated, language=written_in)
        if fits(rendered, platform):
            if rendered not in avoid:
                return DraftText(rendered, _key(category, index, written_in))
            fallback = fallback or DraftText(rendered, _key(category, index, written_in))
    if fallback is None:
        # Every variant is too long (a very long name): shorten the name rather than cut a sentence ("Hi there"
        # in English; other languages have no such word that fits every template).
        shorter = "there" if written_in == "en" else f"{name[:12]}…"
        short = _render(brand, category, sources, start, {**context, "name": shorter})
        short = with_extras(short, brand, automated=automated, language=written_in)
        fallback = DraftText(short, _key(category, start, written_in))
        if fallback.text not in avoid:
            return fallback
    reference = hashlib.blake2b(seed.encode(), digest_size=3).hexdigest().upper()
    return DraftText(f"{fallback.text} (ref. {reference})", fallback.template_key)


def _key(category: str, index: int, language: str) -> str:
    """ "complaint:1" for English, "complaint:1:es" for another language: which wording a draft came from."""
    return f"{category}:{index}" if language == "en" else f"{category}:{index}:{language}"


def _render(brand: Brand, category: str, sources: list[str], index: int, context: dict[str, str]) -> str:
    try:
        return _compile(sources[index]).render(**context).strip()
    except TemplateError as exc:
        raise ConfigError(f"template failed: {exc}", key=f"brands.{brand.key}.templates.{category}[{index}]") from None


def with_extras(text: str, brand: Brand, *, automated: bool, language: str = "en") -> str:
    if brand.signature:
        text = f"{text} {brand.signature}"
    disclosure = brand.reply_policy.disclosure
    if disclosure == DISCLOSURES["en"]:  # the shipped one: in the reply's language
        disclosure = DISCLOSURES.get(language, disclosure)
    if automated and disclosure:
        text = f"{text} {disclosure}"
    return text
