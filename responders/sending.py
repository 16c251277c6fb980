"""Sending approved replies through the reply-once ledger.

1. Claim: in one transaction, the draft moves approved -> sending and a ledger row for the mention is
   inserted. The ledger's unique key means a second claim for the same mention fails: no second reply.
2. Post: outside any transaction, the platform's Sender posts the reply.
3. Record: the reply id goes on the ledger row and the draft becomes sent.
If the process dies between 2 and 3, the draft stays `sending` with an unposted claim. Before any retry we
ask the platform whether our reply is already there (`Sender.find_reply`) and record it instead of posting."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from listener.base import OutgoingReply, Sender, SentReply
from mentiondesk.errors import MentionDeskError, SendFailed
from responders.policy import check_reply
from storage.db import transaction
from storage.models import Author, Draft, DraftState, Mention, ReplyLedger, as_utc, utcnow
from storage.queries import ledger_entry, record_audit

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


@dataclass
class SendReport:
    sent: list[int] = field(default_factory=list)
    reconciled: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)
    blocked: dict[int, str] = field(default_factory=dict)
    skipped: dict[int, str] = field(default_factory=dict)


def send_approved(
    *,
    engine: Engine,
    senders: Mapping[str, Sender],
    actor: str = "sender",
    stale_after: timedelta = timedelta(minutes=2),
    clock: Callable[[], datetime] = utcnow,
) -> SendReport:
    """Send every approved draft, and finish any send that was interrupted."""
    report = SendReport()
    with transaction(engine) as session:
        cutoff = clock() - stale_after
        interrupted = [
            d.id
            for d in session.exec(select(Draft).where(Draft.state == DraftState.SENDING))
            if as_utc(d.updated_at) <= cutoff and d.id is not None
        ]
        retryable = list(
            session.exec(
                select(Draft.id).where(Draft.state == DraftState.FAILED, Draft.attempts < MAX_ATTEMPTS)
            )
        )
        approved = list(
            session.exec(select(Draft.id).where(Draft.state == DraftState.APPROVED).order_by(col(Draft.urgency).desc()))
        )
    for draft_id in [*interrupted, *retryable]:
        if draft_id is not None:
            _resume(draft_id, engine=engine, senders=senders, actor=actor, report=report)
    for draft_id in approved:
        if draft_id is not None:
            send_one(draft_id, engine=engine, senders=senders, actor=actor, report=report)
    return report


def send_one(
    draft_id: int, *, engine: Engine, senders: Mapping[str, Sender], actor: str, report: SendReport
) -> None:
    claim = _claim(draft_id, engine=engine, actor=actor)
    if claim.blocked:
        report.blocked[draft_id] = "; ".join(claim.blocked)
        return
    if claim.reply is None:
        report.skipped[draft_id] = "someone else is sending it"
        return
    sender = senders.get(claim.reply.platform)
    if sender is None:
        _fail(draft_id, engine=engine, error=f"no sender configured for {claim.reply.platform}")
        report.failed[draft_id] = f"no sender for {claim.reply.platform}"
        return
    _post(draft_id, claim.reply, sender=sender, engine=engine, actor=actor, report=report)


@dataclass
class _Claim:
    reply: OutgoingReply | None = None  # ours to post
    blocked: list[str] = field(default_factory=list)  # the gate refused it; the draft is closed


def _outgoing(draft: Draft, mention: Mention) -> OutgoingReply:
    return OutgoingReply(
        draft_id=draft.id or 0,
        platform=mention.platform,
        brand=draft.brand,
        in_reply_to=mention.external_id,
        author_handle=mention.author_handle,
        text=draft.text,
        conversation_id=mention.conversation_id,
    )


def _claim(draft_id: int, *, engine: Engine, actor: str) -> _Claim:
    """approved -> sending plus a ledger row, atomically; an empty claim when another sender got there first."""
    try:
        with transaction(engine) as session:
            draft = session.get(Draft, draft_id)
            if draft is None or draft.state != DraftState.APPROVED:
                return _Claim()
            mention = session.get(Mention, draft.mention_id)
            assert mention is not None
            author = session.get(Author, mention.author_id) if mention.author_id else None
            verdict = check_reply(session=session, mention=mention, author=author, text=draft.text)
            if not verdict.may_send:
                _block(session, draft, verdict.blocked, actor=actor)
                return _Claim(blocked=verdict.blocked)
            moved = session.execute(
                update(Draft)
                .where(col(Draft.id) == draft_id, col(Draft.state) == DraftState.APPROVED)
                .values(state=DraftState.SENDING, updated_at=utcnow(), attempts=Draft.attempts + 1,
                        version=Draft.version + 1)
                .execution_options(synchronize_session=False)
            )
            if moved.rowcount != 1:  # type: ignore[attr-defined]
                return _Claim()
            session.add(ReplyLedger(platform=mention.platform, in_reply_to=mention.external_id, draft_id=draft_id))
            session.flush()
            return _Claim(reply=_outgoing(draft, mention))
    except IntegrityError:
        # The ledger already holds this mention: the other sender won. Nothing was posted by us.
        return _Claim()


def _block(session: Session, draft: Draft, reasons: list[str], *, actor: str) -> None:
    draft.state = DraftState.REJECTED
    draft.open_mention_id = None
    draft.rejected_reason = "policy: " + "; ".join(reasons)
    draft.policy_ok = False
    draft.policy_reasons = reasons
    draft.updated_at = utcnow()
    session.add(draft)
    record_audit(session=session, actor=actor, action="blocked", draft_id=draft.id, mention_id=draft.mention_id,
                 detail={"reasons": reasons})


def _post(
    draft_id: int, reply: OutgoingReply, *, sender: Sender, engine: Engine, actor: str, report: SendReport
) -> None:
    try:
        sent = sender.send(reply)
    except MentionDeskError as exc:
        # The platform's refusal (a locked thread, a deleted post) will not change on retry.
        final = isinstance(exc, SendFailed) and not exc.retryable
        _fail(draft_id, engine=engine, error=str(exc), final=final)
        report.failed[draft_id] = str(exc)
        log.warning("draft %s: send failed%s: %s", draft_id, "" if not final else " for good", exc)
        return
    _record(draft_id, sent, engine=engine, actor=actor, action="sent")
    report.sent.append(draft_id)


def _resume(
    draft_id: int, *, engine: Engine, senders: Mapping[str, Sender], actor: str, report: SendReport
) -> None:
    """Reconcile an interrupted or failed send with the platform before posting again."""
    with transaction(engine) as session:
        draft = session.get(Draft, draft_id)
        if draft is None or draft.state not in (DraftState.SENDING, DraftState.FAILED):
            return
        mention = session.get(Mention, draft.mention_id)
        assert mention is not None
        reply = _outgoing(draft, mention)
        claim = ledger_entry(mention.platform, mention.external_id, session=session)
    sender = senders.get(reply.platform)
    if sender is None:
        report.failed[draft_id] = f"no sender for {reply.platform}"
        return
    if claim is not None and claim.draft_id != draft_id:
        report.skipped[draft_id] = "another draft holds the reply for this mention"
        return
    try:
        found = sender.find_reply(reply)
    except MentionDeskError as exc:
        report.failed[draft_id] = f"could not check the platform: {exc}"
        return  # unknown whether it was posted: never post blind
    if found is not None:
        _record(draft_id, found, engine=engine, actor=actor, action="reconciled")
        report.reconciled.append(draft_id)
        return
    with transaction(engine) as session:
        if claim is None:
            session.add(ReplyLedger(platform=reply.platform, in_reply_to=reply.in_reply_to, draft_id=draft_id))
        session.execute(
            update(Draft)
            .where(col(Draft.id) == draft_id)
            .values(state=DraftState.SENDING, updated_at=utcnow(), attempts=Draft.attempts + 1)
            .execution_options(synchronize_session=False)
        )
    _post(draft_id, reply, sender=sender, engine=engine, actor=actor, report=report)


def _record(draft_id: int, sent: SentReply, *, engine: Engine, actor: str, action: str) -> None:
    now = utcnow()
    with transaction(engine) as session:
        draft = session.get(Draft, draft_id)
        assert draft is not None
        mention = session.get(Mention, draft.mention_id)
        assert mention is not None
        claim = ledger_entry(mention.platform, mention.external_id, session=session)
        if claim is not None:
            claim.posted_at = now
            claim.reply_external_id = sent.external_id
            session.add(claim)
        draft.state = DraftState.SENT
        draft.open_mention_id = None
        draft.sent_at = now
        draft.reply_external_id = sent.external_id
        draft.reply_url = sent.url
        draft.error = None
        draft.updated_at = now
        session.add(draft)
        record_audit(session=session, actor=actor, action=action, draft_id=draft_id, mention_id=draft.mention_id,
                     after=draft.text, detail={"reply_id": sent.external_id})


def _fail(draft_id: int, *, engine: Engine, error: str, final: bool = False) -> None:
    with transaction(engine) as session:
        draft = session.get(Draft, draft_id)
        if draft is None:
            return
        draft.state = DraftState.FAILED
        draft.error = error
        if final:
            draft.attempts = max(draft.attempts, MAX_ATTEMPTS)  # no automatic retries; a person decides
        draft.updated_at = utcnow()
        session.add(draft)
