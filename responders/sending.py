"""Sending approved replies so that no post is ever answered twice, whatever dies and whenever.

Every attempt, first or retry, goes through the same steps (the state machine is in responders/states.py):
1. Claim: one transaction locks the draft's row (PostgreSQL: FOR UPDATE SKIP LOCKED, so senders on several
   instances pass over each other's claims instead of queueing), moves it approved|unknown -> sending by
   compare-and-set on its version (of two senders exactly one wins) and holds the mention's row in the
   reply-once ledger (unique per post).
2. Reconcile: a draft whose last attempt has no known outcome (`unknown`: no answer, a 5xx, or a sender that
   died mid-call and left it `sending`) is first looked for on the platform, back to the ledger's claim time.
   Found: recorded as sent. Not found: it was never posted, so it may be posted now. Cannot tell: unknown.
3. Gate: the policy gate runs now, on fresh facts (opt-out, deleted post, our reply already there, caps).
4. Post, outside any transaction, then record what the platform answered:
   posted -> sent; 429 -> approved again and that rate scope paused, no attempt spent; refused -> failed;
   deleted target -> rejected; no answer -> unknown (step 2 next round, never a blind retry)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from mentiondesk.core.brands import BrandConfig
from mentiondesk.core.errors import RateLimited, SendFailed
from mentiondesk.core.platform import Sender  # noqa: F401  (responders.sending.Sender keeps working)
from mentiondesk.core.values import OutgoingReply, SentReply
from responders.holding import release_due
from responders.policy import check_before_send
from responders.states import transition
from storage.db import transaction
from storage.models import Author, Draft, DraftState, Mention, ReplyLedger, as_utc, utcnow
from storage.queries import ledger_entry, pause_scope, paused_until, record_audit

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


@dataclass
class SendReport:
    sent: list[int] = field(default_factory=list)
    reconciled: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)
    blocked: dict[int, str] = field(default_factory=dict)
    skipped: dict[int, str] = field(default_factory=dict)
    unknown: dict[int, str] = field(default_factory=dict)  # outcome unknown: reconciled next round
    paused: dict[int, str] = field(default_factory=dict)  # held by a rate limit or quiet hours


@dataclass
class SendContext:
    engine: Engine
    senders: Mapping[str, Sender]
    brands: BrandConfig | None
    actor: str
    clock: Callable[[], datetime]
    report: SendReport


def send_approved(
    *,
    engine: Engine,
    senders: Mapping[str, Sender],
    brands: BrandConfig | None = None,
    actor: str = "sender",
    stale_after: timedelta = timedelta(minutes=2),
    clock: Callable[[], datetime] = utcnow,
) -> SendReport:
    """Finish every send whose outcome is unknown, then send every approved draft, most urgent first.

    `stale_after`: a draft left `sending` this long belongs to a sender that died (it must exceed the platform
    request timeout). `brands`: the brand file, for the automated-reply rules checked again at send time."""
    ctx = SendContext(engine, senders, brands, actor, clock, SendReport())
    _mark_abandoned(engine, cutoff=clock() - stale_after)
    with transaction(engine) as session:
        # Automated thank-yous whose hold window is over (responders/holding.py); held ones are never taken.
        release_due(session=session, brands=brands, now=clock(), actor=actor)
    with transaction(engine) as session:
        due = session.execute(
            select(col(Draft.id))
            .where(col(Draft.state).in_([DraftState.UNKNOWN, DraftState.APPROVED]))
            .order_by(col(Draft.state) == DraftState.APPROVED, col(Draft.urgency).desc(), col(Draft.id))
        ).scalars()
        draft_ids = list(due)
    for draft_id in draft_ids:
        send_one(draft_id, ctx)
    return ctx.report


def _mark_abandoned(engine: Engine, *, cutoff: datetime) -> None:
    """`sending` for longer than any request takes: its sender died mid-call, so the outcome is unknown."""
    with transaction(engine) as session:
        stale = session.execute(select(Draft).where(col(Draft.state) == DraftState.SENDING)).scalars()
        for draft in list(stale):
            if as_utc(draft.updated_at) <= cutoff and transition(
                draft, DraftState.UNKNOWN, session=session, error="the sender stopped mid-send"
            ):
                record_audit(
                    session=session,
                    actor="sender",
                    action="outcome_unknown",
                    draft_id=draft.id,
                    mention_id=draft.mention_id,
                    detail={"why": "sender stopped mid-send"},
                )


# --- one draft ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Claim:
    reply: OutgoingReply
    sender: Sender
    version: int
    reconcile: bool  # the last attempt's outcome is unknown: look on the platform before posting


def send_one(draft_id: int, ctx: SendContext) -> None:
    claim = _claim(draft_id, ctx)
    if claim is None:
        return
    if claim.reconcile:
        try:
            found = claim.sender.find_reply(claim.reply)
        except RateLimited as exc:
            _pause(claim.sender.rate_scope, exc, ctx)
            _finish(claim, DraftState.UNKNOWN, ctx, error=f"could not check the platform: {exc}")
            ctx.report.paused[draft_id] = str(exc)
            return
        except SendFailed as exc:
            _finish(claim, DraftState.UNKNOWN, ctx, error=f"could not check the platform: {exc}")
            ctx.report.unknown[draft_id] = str(exc)
            return
        if found is not None:
            _record_sent(claim, found, ctx, action="reconciled")
            ctx.report.reconciled.append(draft_id)
            return
    if not _gate(claim, ctx):
        return
    _post(claim, ctx)


def _claim(draft_id: int, ctx: SendContext) -> _Claim | None:
    """approved|unknown -> sending and the ledger row, in one transaction; None when there is nothing to do."""
    report = ctx.report
    try:
        with transaction(ctx.engine) as session:
            # The row lock (FOR UPDATE SKIP LOCKED; SQLite has none and needs none, one writer at a time): a
            # draft another sender is claiming this moment is passed over, not waited for. The compare-and-set
            # below still decides: of two claims on one draft exactly one wins.
            draft = session.get(Draft, draft_id, with_for_update={"skip_locked": True})
            if draft is None:
                report.skipped[draft_id] = "another sender is claiming it (or it is gone)"
                return None
            if draft.state not in (DraftState.APPROVED, DraftState.UNKNOWN):
                return None
            sender = ctx.senders.get(draft.platform)
            if sender is None:
                report.skipped[draft_id] = f"no sender configured for {draft.platform}"
                return None
            until = paused_until(sender.rate_scope, now=ctx.clock(), session=session)
            if until is not None:
                report.paused[draft_id] = f"{sender.rate_scope} rate-limited until {until:%H:%M:%S}"
                return None
            reconcile = draft.state == DraftState.UNKNOWN
            attempts = draft.attempts if reconcile else draft.attempts + 1
            if not transition(draft, DraftState.SENDING, session=session, attempts=attempts):
                report.skipped[draft_id] = "another sender has it"
                return None
            mention = session.get(Mention, draft.mention_id)
            assert mention is not None
            entry = _hold_ledger(draft, mention, session=session)
            if entry is None:
                report.blocked[draft_id] = "we already replied to this post"
                transition(
                    draft,
                    DraftState.REJECTED,
                    session=session,
                    rejected_reason="policy: we already replied to this post",
                )
                return None
            reply = OutgoingReply(
                draft_id=draft_id,
                platform=mention.platform,
                brand=draft.brand,
                in_reply_to=mention.external_id,
                author_handle=mention.author_handle,
                text=draft.text,
                conversation_id=mention.conversation_id,
                claimed_at=as_utc(entry.claimed_at),
                idempotency_key=entry.idempotency_key,
            )
            return _Claim(reply=reply, sender=sender, version=draft.version, reconcile=reconcile)
    except IntegrityError:
        # Another draft's claim on the same post committed first: nothing of ours was posted.
        report.skipped[draft_id] = "another draft holds the reply to this post"
        return None


def _hold_ledger(draft: Draft, mention: Mention, *, session: Session) -> ReplyLedger | None:
    """This draft's row in the reply-once ledger (made on its first claim); None if another draft holds it."""
    entry = ledger_entry(mention.platform, mention.external_id, session=session)
    if entry is None:
        entry = ReplyLedger(
            platform=mention.platform,
            in_reply_to=mention.external_id,
            draft_id=draft.id or 0,
            claimed_at=utcnow(),
            idempotency_key=uuid.uuid4().hex,
        )
        session.add(entry)
        session.flush()
    return entry if entry.draft_id == draft.id else None


def _gate(claim: _Claim, ctx: SendContext) -> bool:
    """The policy gate, now. Refused: the draft is closed and the ledger row freed (nothing was posted)."""
    reply = claim.reply
    with transaction(ctx.engine) as session:
        draft = session.get(Draft, reply.draft_id)
        mention = session.get(Mention, draft.mention_id) if draft else None
        if draft is None or mention is None or draft.version != claim.version:
            return False
        author = session.get(Author, mention.author_id) if mention.author_id else None
        brand = ctx.brands.brands.get(draft.brand) if ctx.brands else None
        verdict = check_before_send(
            session=session, draft=draft, mention=mention, author=author, brand=brand, now=ctx.clock()
        )
        if verdict.blocked:
            _close_unposted(session, draft, claim, "policy: " + "; ".join(verdict.blocked), verdict.blocked)
            ctx.report.blocked[reply.draft_id] = "; ".join(verdict.blocked)
            return False
        # Another sender may have been told "429" since this one claimed the draft: look again, just before
        # the call, so nothing is posted inside a window the platform announced.
        until = paused_until(claim.sender.rate_scope, now=ctx.clock(), session=session)
        held = [f"{claim.sender.rate_scope} rate-limited until {until:%H:%M:%S}"] if until else verdict.manual_only
        if held:  # quiet hours or a rate limit: hold it, try again later
            transition(
                draft,
                DraftState.APPROVED,
                session=session,
                expected_version=claim.version,
                attempts=max(draft.attempts - 1, 0),
            )
            ctx.report.paused[reply.draft_id] = "; ".join(held)
            return False
    return True


def _post(claim: _Claim, ctx: SendContext) -> None:
    draft_id = claim.reply.draft_id
    try:
        sent = claim.sender.send(claim.reply)
    except RateLimited as exc:
        _pause(claim.sender.rate_scope, exc, ctx)
        _finish(claim, DraftState.APPROVED, ctx, error=str(exc), spend_attempt=False)
        ctx.report.paused[draft_id] = str(exc)
    except SendFailed as exc:
        _failed(claim, exc, ctx)
    else:
        _record_sent(claim, sent, ctx, action="sent")
        ctx.report.sent.append(draft_id)


def _failed(claim: _Claim, exc: SendFailed, ctx: SendContext) -> None:
    draft_id = claim.reply.draft_id
    log.warning("draft %s: %s", draft_id, exc)
    if exc.maybe_posted:
        _finish(claim, DraftState.UNKNOWN, ctx, error=str(exc))
        ctx.report.unknown[draft_id] = str(exc)
    elif exc.target_gone:
        with transaction(ctx.engine) as session:
            draft = session.get(Draft, draft_id)
            if draft is not None and draft.version == claim.version:
                session.execute(
                    update(Mention)
                    .where(col(Mention.id) == draft.mention_id)
                    .values(deleted_at=utcnow())
                    .execution_options(synchronize_session=False)
                )
                _close_unposted(session, draft, claim, f"the post is gone: {exc}", ["the post was deleted"])
        ctx.report.blocked[draft_id] = str(exc)
    else:
        retry = exc.retryable and _attempts(claim, ctx) < MAX_ATTEMPTS
        _finish(claim, DraftState.APPROVED if retry else DraftState.FAILED, ctx, error=str(exc))
        ctx.report.failed[draft_id] = str(exc)


def _attempts(claim: _Claim, ctx: SendContext) -> int:
    with transaction(ctx.engine) as session:
        draft = session.get(Draft, claim.reply.draft_id)
        return draft.attempts if draft else MAX_ATTEMPTS


def _finish(claim: _Claim, to: DraftState, ctx: SendContext, *, error: str, spend_attempt: bool = True) -> None:
    with transaction(ctx.engine) as session:
        draft = session.get(Draft, claim.reply.draft_id)
        if draft is None:
            return
        values: dict[str, Any] = {"error": error}
        if not spend_attempt:
            values["attempts"] = max(draft.attempts - 1, 0)
        if transition(draft, to, session=session, expected_version=claim.version, **values) and to in (
            DraftState.UNKNOWN,
            DraftState.FAILED,
        ):
            record_audit(
                session=session,
                actor=ctx.actor,
                action=f"send_{to.value}",
                draft_id=draft.id,
                mention_id=draft.mention_id,
                detail={"error": error},
            )


def _close_unposted(session: Session, draft: Draft, claim: _Claim, reason: str, reasons: list[str]) -> None:
    """sending -> rejected, when we know nothing was posted: the post's ledger row is freed for a person."""
    if not transition(
        draft,
        DraftState.REJECTED,
        session=session,
        expected_version=claim.version,
        rejected_reason=reason,
        policy_ok=False,
        policy_reasons=reasons,
    ):
        return
    session.execute(
        delete(ReplyLedger).where(col(ReplyLedger.draft_id) == draft.id, col(ReplyLedger.posted_at).is_(None))
    )
    record_audit(
        session=session,
        actor="policy gate",
        action="blocked",
        draft_id=draft.id,
        mention_id=draft.mention_id,
        detail={"reasons": reasons},
    )


def _pause(scope: str, exc: RateLimited, ctx: SendContext) -> None:
    """Everything sharing `scope` waits until the platform's announced reset."""
    with transaction(ctx.engine) as session:
        pause_scope(scope, until=exc.reset_at, reason=str(exc), session=session)
    log.warning("%s: rate-limited until %s", scope, exc.reset_at.isoformat(timespec="seconds"))


def _record_sent(claim: _Claim, sent: SentReply, ctx: SendContext, *, action: str) -> None:
    now = utcnow()
    with transaction(ctx.engine) as session:
        draft = session.get(Draft, claim.reply.draft_id)
        assert draft is not None
        session.execute(
            update(ReplyLedger)
            .where(col(ReplyLedger.draft_id) == draft.id)
            .values(posted_at=now, reply_external_id=sent.external_id)
            .execution_options(synchronize_session=False)
        )
        moved = transition(
            draft,
            DraftState.SENT,
            session=session,
            expected_version=claim.version,
            sent_at=now,
            reply_external_id=sent.external_id,
            reply_url=sent.url,
            error=None,
        )
        if not moved:
            log.error(
                "draft %s was posted (%s) but changed meanwhile; recorded on the ledger", draft.id, sent.external_id
            )
        record_audit(
            session=session,
            actor=ctx.actor,
            action=action,
            draft_id=draft.id,
            mention_id=draft.mention_id,
            after=draft.text,
            detail={"reply_id": sent.external_id},
        )
