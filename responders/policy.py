"""The policy gate. Every draft is checked when it is made and again right before it is sent.

`blocked` reasons stop any reply; `manual_only` reasons stop an automated one but let a human send it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlmodel import Session

from mentiondesk.brands import Brand
from responders.length import LIMITS, weighted_length
from rules.routing import KEYWORD_REPLIES_ALLOWED
from storage.models import FoundVia
from storage.queries import automated_replies_since, last_automated_reply_to, ledger_entry


class MentionLike(Protocol):
    platform: str
    external_id: str
    author_handle: str
    found_via: str
    needs_review: bool


class AuthorLike(Protocol):
    @property
    def id(self) -> int | None: ...

    @property
    def opted_out_at(self) -> datetime | None: ...


@dataclass
class Verdict:
    blocked: list[str] = field(default_factory=list)
    manual_only: list[str] = field(default_factory=list)

    @property
    def may_send(self) -> bool:
        return not self.blocked

    @property
    def may_auto_send(self) -> bool:
        return not self.blocked and not self.manual_only

    def reasons(self) -> list[str]:
        return self.blocked + [f"needs a human: {r}" for r in self.manual_only]


def check(
    *,
    session: Session,
    brand: Brand,
    mention: MentionLike,
    author: AuthorLike | None,
    text: str,
    automated: bool,
    thank_eligible: bool = False,
    now: datetime,
    fresh: bool = False,
    unsaved_automated: Sequence[tuple[str, int | None]] = (),
) -> Verdict:
    """`fresh`: the mention is being stored in this very transaction, so no reply to it can exist yet.
    `unsaved_automated`: (brand, author id) of automated replies planned in this batch but not yet written,
    which the daily cap and the cooldown must count too."""
    verdict = check_reply(session=session, mention=mention, author=author, text=text, fresh=fresh)
    if mention.author_handle.lstrip("@").lower() in brand.own_handles(mention.platform):
        verdict.blocked.insert(0, "this is our own post")
    if automated:
        _automation_rules(
            verdict,
            session=session,
            brand=brand,
            mention=mention,
            author=author,
            thank_eligible=thank_eligible,
            now=now,
            unsaved=unsaved_automated,
        )
    return verdict


def check_reply(
    *, session: Session, mention: MentionLike, author: AuthorLike | None, text: str, fresh: bool = False
) -> Verdict:
    """The rules for any reply, human or automated, that need no brand settings."""
    verdict = Verdict()
    if author is not None and author.opted_out_at is not None:
        verdict.blocked.append("the author asked for no more replies")
    if not fresh and ledger_entry(mention.platform, mention.external_id, session=session) is not None:
        verdict.blocked.append("we already replied to this post")
    if mention.found_via == FoundVia.KEYWORD and mention.platform not in KEYWORD_REPLIES_ALLOWED:
        verdict.blocked.append(f"{mention.platform} allows replies only to posts that mention or reply to us")
    length = weighted_length(text, mention.platform)
    limit = LIMITS.get(mention.platform, 10_000)
    if not text.strip():
        verdict.blocked.append("the reply is empty")
    elif length > limit:
        verdict.blocked.append(f"the reply is {length} characters; {mention.platform} allows {limit}")
    return verdict


def _automation_rules(
    verdict: Verdict,
    *,
    session: Session,
    brand: Brand,
    mention: MentionLike,
    author: AuthorLike | None,
    thank_eligible: bool,
    now: datetime,
    unsaved: Sequence[tuple[str, int | None]],
) -> None:
    policy = brand.reply_policy
    manual = verdict.manual_only
    if not policy.auto_thank:
        manual.append("automated thank-yous are off for this brand")
    if mention.platform not in policy.auto_reply_platforms:
        manual.append(f"no automated replies on {mention.platform}")
    if mention.found_via not in (FoundVia.MENTION, FoundVia.REPLY):
        manual.append("the post does not mention us or reply to us")
    if not thank_eligible:
        manual.append("not clearly praise (unsure, sarcastic, negated, mixed or a question)")
    if mention.needs_review:
        manual.append("low confidence: a human must review it")
    if manual:
        return  # already a person's call; the checks below cost queries
    local = now.astimezone(ZoneInfo(policy.timezone))
    if policy.quiet_hours and policy.quiet_hours.contains(local.time()):
        manual.append("quiet hours")
    day_start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    unsaved_today = sum(1 for key, _ in unsaved if key == brand.key)
    if automated_replies_since(brand.key, day_start, session=session) + unsaved_today >= policy.daily_cap:
        manual.append(f"daily cap of {policy.daily_cap} automated replies reached")
    if author is not None and author.id is not None:
        last = last_automated_reply_to(author.id, session=session)
        thanked_in_batch = any(author_id == author.id for _, author_id in unsaved)
        if thanked_in_batch or (last is not None and now - last < timedelta(hours=policy.thank_cooldown_hours)):
            manual.append("we thanked this author recently")
