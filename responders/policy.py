"""The policy gate. Every draft is checked when it is made and again right before it is sent.

`blocked` reasons stop any reply; `manual_only` reasons stop an automated one but let a human send it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlmodel import Session

from mentiondesk.core.brands import Brand
from mentiondesk.core.platform import reply_rules
from responders.length import limit as length_limit
from responders.length import weighted_length
from storage.models import Draft, FoundVia, Mention
from storage.queries import (
    automated_replies_since,
    automated_sent_since,
    last_automated_reply_to,
    ledger_entry,
    newer_mentions_by_author,
    our_reply_in_thread,
)


class MentionLike(Protocol):
    platform: str
    external_id: str
    author_handle: str
    found_via: str
    needs_review: bool
    text: str


# Markup, a script or an SQL statement in a post: someone probing the brand's bot, or a bot. Stored and shown as
# the text it is; whether the brand answers it at all is a person's call, never the automation's.
_CODE = re.compile(
    r"</?(?:script|iframe|img|svg|object|embed|style|a|div|form)\b|javascript:|\bon(?:error|load|click)\s*="
    r"|\b(?:drop|truncate|alter)\s+table\b|\bunion\s+(?:all\s+)?select\b|\binsert\s+into\b|\bdelete\s+from\b"
    r"|'\s*(?:or|and)\s+'?\w+'?\s*=\s*'?\w+|;\s*--|\{\{.*\}\}|\$\{.*\}",
    re.IGNORECASE,
)


def looks_like_code(text: str) -> bool:
    return _CODE.search(text) is not None


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
    *,
    session: Session,
    mention: MentionLike,
    author: AuthorLike | None,
    text: str,
    fresh: bool = False,
    draft_id: int | None = None,
) -> Verdict:
    """The rules for any reply, human or automated, that need no brand settings. `draft_id`: the draft being
    sent, whose own claim on the ledger is not "another reply"."""
    verdict = Verdict()
    if author is not None and author.opted_out_at is not None:
        verdict.blocked.append("the author asked for no more replies")
    if getattr(mention, "deleted_at", None) is not None:
        verdict.blocked.append("the post was deleted")
    if not fresh:
        claim = ledger_entry(mention.platform, mention.external_id, session=session)
        if claim is not None and (claim.posted_at is not None or claim.draft_id != draft_id):
            verdict.blocked.append("we already replied to this post")
        elif our_reply_in_thread(mention.platform, mention.external_id, session=session):
            verdict.blocked.append("our account already answered this post on the platform")
    if mention.found_via == FoundVia.KEYWORD and not reply_rules(mention.platform).keyword_replies:
        verdict.blocked.append(f"{mention.platform} allows replies only to posts that mention or reply to us")
    length = weighted_length(text, mention.platform)
    limit = length_limit(mention.platform)
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
    if not policy.automates(mention.platform):
        manual.append(f"no automated replies on {mention.platform}")
    if mention.found_via not in (FoundVia.MENTION, FoundVia.REPLY):
        manual.append("the post does not mention us or reply to us")
    if not thank_eligible:
        manual.append("not clearly praise (unsure, sarcastic, negated, mixed or a question)")
    if mention.needs_review:
        manual.append("needs review: a human must read it first")
    if looks_like_code(mention.text):
        manual.append("the post holds markup or code")
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


def check_before_send(
    *,
    session: Session,
    draft: Draft,
    mention: Mention,
    author: AuthorLike | None,
    brand: Brand | None,
    now: datetime,
) -> Verdict:
    """The gate at the moment of sending, on fresh facts: every rule for any reply, then for an automated one
    the brand's rules again (quiet hours, caps, cooldown) and whether the author has written again since.
    `manual_only` here means "hold it": quiet hours end; the rest is `blocked`."""
    verdict = check_reply(session=session, mention=mention, author=author, text=draft.text, draft_id=draft.id)
    if not draft.automated or verdict.blocked:
        return verdict
    if brand is None:
        verdict.blocked.append(f"brand {draft.brand!r} is no longer in the brand file")
        return verdict
    policy = brand.reply_policy
    if not policy.auto_thank or not policy.automates(mention.platform):
        verdict.blocked.append("automated replies are now off for this brand or platform")
    local = now.astimezone(ZoneInfo(policy.timezone))
    day_start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if automated_sent_since(brand.key, day_start, session=session) >= policy.daily_cap:
        verdict.blocked.append(f"daily cap of {policy.daily_cap} automated replies reached")
    if looks_like_code(mention.text):
        verdict.blocked.append("the post holds markup or code")
    if author is not None and author.id is not None:
        last = last_automated_reply_to(author.id, session=session, sent_only=True)
        if last is not None and now - last < timedelta(hours=policy.thank_cooldown_hours):
            verdict.blocked.append("we thanked this author recently")
        if newer_mentions_by_author(author.id, after=mention.created_at, session=session):
            verdict.blocked.append("the author wrote again since; a person should answer")
    if not verdict.blocked and policy.quiet_hours and policy.quiet_hours.contains(local.time()):
        verdict.manual_only.append("quiet hours")
    return verdict
