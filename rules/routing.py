"""Routing: per brand, decide what happens to each mention. The rules are data in the brand file."""

from __future__ import annotations

import re
from dataclasses import dataclass

from mentiondesk.core.brands import Brand
from mentiondesk.core.platform import reply_rules
from mentiondesk.core.vocabulary import FoundVia, Route
from rules.optout import is_opt_out

# A link shortener together with a sales hook is how promotion bots write; customers rarely do both.
_SHORT_LINK = re.compile(r"\b(?:bit\.ly|tinyurl\.com|t\.me|goo\.gl|cutt\.ly|rb\.gy)/", re.IGNORECASE)
_SALES_HOOK = re.compile(
    r"\b(?:followers|likes|views|claim|free|earn|promo|giveaway|signals|winner|cheap|discount)\b|\$\d",
    re.IGNORECASE,
)


def looks_promotional(text: str) -> bool:
    return bool(_SHORT_LINK.search(text) and _SALES_HOOK.search(text))


@dataclass(frozen=True)
class MentionFacts:
    """What routing needs to know about a mention, whatever table or platform it came from."""

    platform: str
    text: str
    author_handle: str
    found_via: str
    language: str | None
    label: str
    urgency: int
    spam_cue: bool = False
    # Probability that it asks for or deserves a reply (None: not known); whether a person must review it;
    # whether it reads negative or carries a grievance ("cute but they leak"): never merely naming the brand.
    needs_reply: float | None = None
    needs_review: bool = False
    negative: bool = False


@dataclass(frozen=True)
class RouteDecision:
    route: Route
    reason: str
    is_own: bool = False  # one of the brand's own handles wrote it


def _contains_any(text: str, terms: list[str]) -> str | None:
    lowered = text.casefold()
    for term in terms:
        if term and term.casefold() in lowered:
            return term
    return None


def decide(facts: MentionFacts, brand: Brand) -> RouteDecision:
    """Ignore, insight only, draft a reply, or escalate. The first rule that matches wins."""
    rules = brand.routing
    handle = facts.author_handle.lstrip("@").lower()
    if handle in brand.own_handles(facts.platform):
        return RouteDecision(Route.IGNORE, "our own post", is_own=True)
    if facts.found_via == FoundVia.COMPETITOR:
        return RouteDecision(Route.IGNORE, "competitor search: counted in share of voice, never answered")
    if handle in {h.lower() for h in rules.ignore_authors}:
        return RouteDecision(Route.IGNORE, "author on the ignore list")
    excluded = _contains_any(facts.text, brand.exclude)
    if excluded:
        return RouteDecision(Route.IGNORE, f"excluded term: {excluded}")
    spam = _contains_any(facts.text, rules.spam_terms)
    # The model's spam cue alone never silences a complaint: "I'll tell my 2M followers" is not spam.
    if spam or looks_promotional(facts.text) or (facts.spam_cue and facts.label != "complaint"):
        return RouteDecision(Route.IGNORE, f"spam: {spam}" if spam else "spam")
    if is_opt_out(facts.text):
        return RouteDecision(Route.INSIGHT, "author asked for no more replies")
    keyword_only = facts.found_via == FoundVia.KEYWORD
    if keyword_only:
        competitor = _contains_any(facts.text, brand.competitors)
        if competitor and not _contains_any(facts.text, [brand.name, *brand.keywords]):
            return RouteDecision(Route.INSIGHT, f"competitor mention: {competitor}")
        # Whether a person may answer a post that only matched a keyword is the platform's rule.
        if not reply_rules(facts.platform).keyword_replies:
            return RouteDecision(Route.INSIGHT, f"keyword match; {facts.platform} allows no reply")
        if not rules.draft_keyword_matches:
            return RouteDecision(Route.INSIGHT, "keyword match; brand drafts no replies to these")
    if facts.language and brand.languages and facts.language.split("-")[0] not in brand.languages:
        if facts.label == "complaint" and facts.urgency >= rules.escalate_urgency:
            return RouteDecision(Route.ESCALATE, f"urgent, in {facts.language}")
        return RouteDecision(Route.INSIGHT, f"language {facts.language} not handled by this brand")
    if facts.label == "complaint" and facts.urgency >= rules.escalate_urgency:
        return RouteDecision(Route.ESCALATE, f"urgency {facts.urgency}")
    if facts.label not in rules.draft_categories:
        return RouteDecision(Route.INSIGHT, f"{facts.label}: brand drafts no reply")
    if (
        facts.label == "other"
        and not facts.needs_review
        and not facts.negative
        and facts.needs_reply is not None
        and facts.needs_reply < rules.needs_reply_floor
    ):
        # A possible complaint never ends here: it needs review or reads negative, and gets a (safe) draft.
        return RouteDecision(Route.INSIGHT, f"names the brand; asks for no reply ({facts.needs_reply:.2f})")
    return RouteDecision(Route.DRAFT, facts.label)
