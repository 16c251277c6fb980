"""Desk actions on drafts and mentions. Each changes state only from the state it expects (so two people
clicking at once cannot both win) and writes an audit event with who, when, before and after."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import delete, or_, update
from sqlmodel import Session, col, select

from mentiondesk.core.brands import Brand
from mentiondesk.core.errors import Conflict, InputError, InvalidTransition, NotAllowed, NotFound, PolicyBlocked
from mentiondesk.core.vocabulary import SENTIMENT_OF_LABEL, Label
from responders.compose import self_approval_refused
from responders.drafting import draft_reply, reply_category
from responders.policy import check_reply
from responders.states import transition
from rules.classifier import make_classification, urgency_score
from storage.models import (
    Author,
    Case,
    CaseStatus,
    Classification,
    Draft,
    DraftState,
    Mention,
    ReplyLedger,
    utcnow,
)
from storage.queries import drafts_answered_later_in_case, open_case_for, record_audit

LABELS = tuple(label.value for label in Label)


def get_draft(draft_id: int, *, session: Session) -> Draft:
    draft = session.get(Draft, draft_id)
    if draft is None:
        raise NotFound(f"no draft {draft_id}")
    return draft


def _move(
    draft: Draft,
    *,
    session: Session,
    allowed_from: tuple[DraftState, ...],
    to: DraftState,
    expected_version: int | None,
    values: dict[str, object],
) -> None:
    """Compare-and-set on (state, version): exactly one of two concurrent actions succeeds."""
    if draft.state not in allowed_from:
        raise InvalidTransition(draft.id or 0, draft.state, to.value)
    if not transition(
        draft, to, session=session, expected_version=expected_version, from_states=[DraftState(draft.state)], **values
    ):
        raise Conflict(f"draft {draft.id} was changed by someone else (it is now {draft.state}); reload it")


def approve(
    draft_id: int,
    *,
    session: Session,
    actor: str,
    text: str | None = None,
    expected_version: int | None = None,
    brands: Mapping[str, Brand] | None = None,
) -> Draft:
    """Approve a draft, optionally with edited text. The policy gate is checked again on the final text.
    A reply written on the desk is approved by someone else unless its brand (in `brands`) allows otherwise."""
    draft = get_draft(draft_id, session=session)
    if draft.state not in (DraftState.DRAFTED, DraftState.FAILED):
        raise InvalidTransition(draft_id, draft.state, "approved")
    refused = self_approval_refused(draft, actor=actor, brands=brands)
    if refused:
        raise NotAllowed(refused)
    mention = session.get(Mention, draft.mention_id)
    if mention is None:
        raise NotFound(f"draft {draft_id} has no mention")
    final = draft.text if text is None else text.strip()
    author = session.get(Author, mention.author_id) if mention.author_id else None
    verdict = check_reply(session=session, mention=mention, author=author, text=final, draft_id=draft.id)
    if not verdict.may_send:
        raise PolicyBlocked(verdict.blocked)
    before = draft.text
    _move(
        draft,
        session=session,
        allowed_from=(DraftState.DRAFTED, DraftState.FAILED),
        to=DraftState.APPROVED,
        expected_version=expected_version,
        values={
            "text": final,
            "approved_by": actor,
            "approved_at": utcnow(),
            "policy_ok": True,
            "policy_reasons": verdict.reasons(),
        },
    )
    edited = final != before
    record_audit(
        session=session,
        actor=actor,
        action="edit_approve" if edited else "approve",
        draft_id=draft.id,
        mention_id=mention.id,
        before=before if edited else None,
        after=final if edited else None,
    )
    return draft


def reject(
    draft_id: int,
    *,
    session: Session,
    actor: str,
    reason: str,
    expected_version: int | None = None,
    correct_label: str | None = None,
) -> Draft:
    """Reject with a reason. `correct_label`: the draft was wrong because the mention is another category;
    that is stored as a relabel too, so `train --from-desk` learns from it."""
    reason = reason.strip()
    if not reason:
        raise InputError("a reason is needed to reject a draft")
    if correct_label is not None and correct_label not in LABELS:
        raise InputError(f"unknown category {correct_label!r}; use one of {', '.join(LABELS)}")
    draft = get_draft(draft_id, session=session)
    _move(
        draft,
        session=session,
        allowed_from=(DraftState.DRAFTED, DraftState.APPROVED, DraftState.FAILED),
        to=DraftState.REJECTED,
        expected_version=expected_version,
        values={"rejected_reason": reason},
    )
    # Nothing of this draft was posted (a failed send was refused by the platform): free the post's ledger row.
    session.execute(
        delete(ReplyLedger).where(col(ReplyLedger.draft_id) == draft.id, col(ReplyLedger.posted_at).is_(None))
    )
    detail: dict[str, object] = {"reason": reason}
    if correct_label is not None:
        detail["wrong_category"] = {"was": draft.category, "is": correct_label}
    record_audit(
        session=session, actor=actor, action="reject", draft_id=draft.id, mention_id=draft.mention_id, detail=detail
    )
    if correct_label is not None:
        relabel(draft.mention_id, session=session, actor=actor, label=correct_label)
    return draft


def drafts_held_from_bulk(draft_ids: Iterable[int], *, session: Session) -> dict[int, str]:
    """Which of these drafts a person must approve one by one (left out of "Approve selected"): those answering
    a mention flagged for review, and escalations (a legal threat, an injury, a data breach), whatever the
    model's confidence: a reply to those is read, not waved through with a page of thank-yous. Also a reply to
    an earlier post of a case whose newer post has its own reply: approving the page must not answer a customer
    who wrote three times with three apologies. Returns each held draft's id with why: "review" or "case"."""
    ids = list(draft_ids)
    if not ids:
        return {}
    rows = session.exec(
        select(Draft.id)
        .join(Mention, col(Mention.id) == Draft.mention_id)
        .where(col(Draft.id).in_(ids), or_(col(Mention.needs_review).is_(True), col(Draft.escalated).is_(True)))
    )
    held = dict.fromkeys(drafts_answered_later_in_case(ids, session=session), "case")
    held.update((int(i), "review") for i in rows if i is not None)
    return held


def relabel(
    mention_id: int,
    *,
    session: Session,
    actor: str,
    label: str,
    brands: Mapping[str, Brand] | None = None,
    keep_edit: bool = False,
) -> Mention:
    """A manager's correction. Stored as a classification of origin human:<actor>: `train --from-desk` learns it.

    Sentiment and urgency are derived again from the new label; the open draft is written again from the new
    category's templates (a text the manager edited is kept only with `keep_edit`), and an automated thank-you
    still held in "Going out" is stopped unless the mention is still praise."""
    if label not in LABELS:
        raise InputError(f"unknown category {label!r}; use one of {', '.join(LABELS)}")
    mention = session.get(Mention, mention_id)
    if mention is None:
        raise NotFound(f"no mention {mention_id}")
    before = mention.label
    session.add(
        Classification(
            mention_id=mention_id,
            label=label,
            sentiment=SENTIMENT_OF_LABEL[Label(label)],
            confidence=1.0,
            scores={name: 1.0 if name == label else 0.0 for name in LABELS},
            cues=[],
            model_version="human",
            origin=f"human:{actor}",
        )
    )
    mention.label = label
    mention.sentiment = SENTIMENT_OF_LABEL[Label(label)]
    mention.confidence = 1.0
    mention.needs_review = False
    mention.review_reason = None
    _rederive_urgency(mention, label)
    session.add(mention)
    record_audit(session=session, actor=actor, action="relabel", mention_id=mention_id, before=before, after=label)
    brand = (brands or {}).get(mention.brand)
    for draft in list(session.exec(select(Draft).where(col(Draft.mention_id) == mention_id))):
        if draft.state in (DraftState.DRAFTED, DraftState.FAILED):
            _redraft(draft, mention, label, brand=brand, keep_edit=keep_edit, session=session, actor=actor)
        elif (
            draft.state == DraftState.HELD
            and label != Label.PRAISE
            and transition(draft, DraftState.REJECTED, session=session, rejected_reason=f"relabelled {label}")
        ):
            record_audit(session=session, actor=actor, action="stop", draft_id=draft.id, mention_id=mention_id)
    return mention


def _rederive_urgency(mention: Mention, label: str) -> None:
    """Urgency tier, reason and score for the label a person gave (the tier's words are read from the text)."""
    scores = {name: 1.0 if name == label else 0.0 for name in LABELS}
    verdict = make_classification(scores, (), "human", text=mention.text, language=mention.language or "en")
    mention.urgency = urgency_score(verdict, followers=mention.author_followers)
    mention.urgency_reason = verdict.urgency_reason or None


def _written_in(template_key: str) -> str | None:
    """The language a template draft was written in ("complaint:1:es"; English keys carry none)."""
    parts = template_key.split(":")
    if parts[0] == "saved" or len(parts) not in (2, 3) or not parts[1].isdigit():
        return None  # a saved reply or a person's own words
    return parts[2] if len(parts) == 3 else "en"


def _redraft(
    draft: Draft, mention: Mention, label: str, *, brand: Brand | None, keep_edit: bool, session: Session, actor: str
) -> None:
    """The open draft in the new category: new text from the templates unless the manager keeps an edit."""
    escalated = bool(
        brand is not None and label == Label.COMPLAINT and mention.urgency >= brand.routing.escalate_urgency
    )
    values: dict[str, object] = {"category": label, "urgency": mention.urgency, "escalated": escalated}
    edited = draft.text.strip() != draft.original_text.strip()
    if brand is not None and not (edited and keep_edit):
        made = draft_reply(
            brand=brand,
            category=reply_category(label, needs_review=False, escalated=escalated),
            platform=mention.platform,
            author_name=mention.author_name,
            author_handle=mention.author_handle,
            seed=f"{mention.platform}:{mention.external_id}",
            language=_written_in(draft.template_key) or mention.language,
        )
        values.update(text=made.text, original_text=made.text, template_key=made.template_key)
    moved = session.execute(
        update(Draft)
        .where(col(Draft.id) == draft.id, col(Draft.version) == draft.version, col(Draft.state) == draft.state)
        .values(version=draft.version + 1, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(f"draft {draft.id} was changed by someone else while it was relabelled; reload it")
    before = draft.text
    session.refresh(draft)
    if draft.text != before:
        record_audit(
            session=session,
            actor=actor,
            action="redraft",
            draft_id=draft.id,
            mention_id=mention.id,
            before=before,
            after=draft.text,
            detail={"category": label},
        )


def resolve_case(case_id: int, *, session: Session, actor: str) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"no case {case_id}")
    if case.status == CaseStatus.RESOLVED:
        raise InvalidTransition(case_id, CaseStatus.RESOLVED, "resolved again")
    case.status = CaseStatus.RESOLVED
    case.resolved_at = utcnow()
    case.resolved_by = actor
    session.add(case)
    record_audit(
        session=session,
        actor=actor,
        action="resolve_case",
        mention_id=case.first_mention_id,
        detail={"case_id": case_id},
    )
    return case


def reopen_case(case_id: int, *, session: Session, actor: str) -> Case:
    """A resolved case open again (the customer was not helped after all): it keeps its owner and history, and
    new mentions from the customer join it. Refused while the customer has another open case with the brand."""
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"no case {case_id}")
    if case.status == CaseStatus.OPEN:
        raise InputError(f"case {case_id} is open already")
    if case.author_id is not None:
        other = open_case_for(case.brand, case.author_id, session=session)
        if other is not None:
            raise InputError(f"the customer has another open case, #{other.id}: add to that one, or resolve it first")
    before = case.resolved_by
    case.status, case.resolved_at, case.resolved_by = CaseStatus.OPEN, None, None
    session.add(case)
    record_audit(
        session=session,
        actor=actor,
        action="reopen_case",
        mention_id=case.first_mention_id,
        before=before,
        detail={"case_id": case_id},
    )
    return case


def set_opt_out(
    author_id: int, *, session: Session, actor: str, opted_out: bool, mention_id: int | None = None
) -> Author:
    """A person's correction of an opt-out: undo one read from a post that did not ask to be left alone, or
    record one the author asked for elsewhere. Audited with the moment it replaces."""
    author = session.get(Author, author_id)
    if author is None:
        raise NotFound(f"no author {author_id}")
    if (author.opted_out_at is not None) == opted_out:
        raise InvalidTransition(author_id, "opted out" if opted_out else "not opted out", "set again")
    before = author.opted_out_at.isoformat() if author.opted_out_at else None
    author.opted_out_at = utcnow() if opted_out else None
    session.add(author)
    record_audit(
        session=session,
        actor=actor,
        action="opt_out" if opted_out else "undo_opt_out",
        mention_id=mention_id,
        before=before,
        after=author.opted_out_at.isoformat() if author.opted_out_at else None,
        detail={"author_id": author_id, "handle": author.handle, "platform": author.platform},
    )
    return author
