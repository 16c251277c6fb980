"""Approval queue and the reply-once ledger: approve twice, send twice, crash mid-send: one reply."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from listener.base import OutgoingReply, SentReply
from listener.replay import OutboxSender
from mentiondesk.core.errors import Conflict, InputError, InvalidTransition, PolicyBlocked, SendFailed
from mentiondesk.pipeline import Pipeline
from responders import queue as desk
from responders.sending import send_approved
from storage.db import transaction
from storage.models import AuditEvent, Draft, DraftState, ReplyLedger
from tests.factories import ListSource, mention, must


def drafted(
    engine: Engine, brands, classifier, text: str = "@AcmeCoffee my latte was cold again, not happy", **kwargs
) -> int:
    Pipeline(engine=engine, brands=brands, classifier=classifier).poll(
        ListSource([[mention(text, **kwargs)]], name=f"s{text[:10]}{kwargs}")
    )
    with Session(engine) as session:
        draft = session.exec(select(Draft).order_by(col(Draft.id).desc())).first()
        assert draft is not None and draft.state == DraftState.DRAFTED
        return must(draft.id)


def test_edit_and_approve_keeps_before_and_after_in_the_audit(any_engine, brands, classifier):
    draft_id = drafted(any_engine, brands, classifier)
    with transaction(any_engine) as session:
        original = desk.get_draft(draft_id, session=session).text
        desk.approve(draft_id, session=session, actor="maria", text="Hi Ana, sorry! DM us and we'll fix it.")
    with Session(any_engine) as session:
        draft = must(session.get(Draft, draft_id))
        event = session.exec(select(AuditEvent).where(AuditEvent.draft_id == draft_id)).one()
    assert draft.state == DraftState.APPROVED and draft.approved_by == "maria"
    assert draft.original_text == original
    assert (event.actor, event.action, event.before, event.after) == (
        "maria",
        "edit_approve",
        original,
        "Hi Ana, sorry! DM us and we'll fix it.",
    )


def test_approving_twice_is_refused(engine, brands, classifier):
    draft_id = drafted(engine, brands, classifier)
    with transaction(engine) as session:
        desk.approve(draft_id, session=session, actor="a")
    with pytest.raises(InvalidTransition), transaction(engine) as session:
        desk.approve(draft_id, session=session, actor="b")


def test_two_people_approving_at_once_one_wins_the_other_is_told(any_engine, brands, classifier):
    draft_id = drafted(any_engine, brands, classifier)
    with Session(any_engine) as first, Session(any_engine) as second:
        seen_by_first = desk.get_draft(draft_id, session=first).version
        seen_by_second = desk.get_draft(draft_id, session=second).version
        desk.approve(draft_id, session=first, actor="a", expected_version=seen_by_first)
        first.commit()
        with pytest.raises((Conflict, InvalidTransition)):
            desk.approve(draft_id, session=second, actor="b", text="edited", expected_version=seen_by_second)
            second.commit()


def test_an_edit_over_the_length_limit_is_refused(engine, brands, classifier):
    draft_id = drafted(engine, brands, classifier, platform="x")
    with pytest.raises(PolicyBlocked, match="280"), transaction(engine) as session:
        desk.approve(draft_id, session=session, actor="a", text="sorry " * 60)


def test_reject_needs_a_reason_and_closes_the_draft(engine, brands, classifier):
    draft_id = drafted(engine, brands, classifier)
    with pytest.raises(InputError, match="reason"), transaction(engine) as session:
        desk.reject(draft_id, session=session, actor="a", reason="  ")
    with transaction(engine) as session:
        desk.reject(draft_id, session=session, actor="a", reason="already handled by phone")
    with Session(engine) as session:
        draft = must(session.get(Draft, draft_id))
    assert draft.state == DraftState.REJECTED and draft.open_mention_id is None


def test_send_twice_posts_one_reply(any_engine, brands, classifier, tmp_path: Path):
    draft_id = drafted(any_engine, brands, classifier)
    with transaction(any_engine) as session:
        desk.approve(draft_id, session=session, actor="a")
    outbox = OutboxSender(tmp_path / "outbox")
    first = send_approved(engine=any_engine, senders={"replay": outbox})
    second = send_approved(engine=any_engine, senders={"replay": outbox})
    assert first.sent == [draft_id] and second.sent == []
    assert len(outbox.replies()) == 1
    with Session(any_engine) as session:
        draft = must(session.get(Draft, draft_id))
        ledger = session.exec(select(ReplyLedger)).one()
    assert draft.state == DraftState.SENT and draft.reply_external_id == ledger.reply_external_id


def test_concurrent_senders_post_one_reply(any_engine, brands, classifier, tmp_path: Path):
    draft_id = drafted(any_engine, brands, classifier)
    with transaction(any_engine) as session:
        desk.approve(draft_id, session=session, actor="a")
    outbox = OutboxSender(tmp_path / "outbox")
    start = threading.Barrier(4)

    def run() -> None:
        start.wait()
        send_approved(engine=any_engine, senders={"replay": outbox})

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outbox.replies()) == 1


def test_a_second_draft_for_a_replied_mention_cannot_be_sent(engine, brands, classifier, tmp_path: Path):
    draft_id = drafted(engine, brands, classifier)
    with transaction(engine) as session:
        desk.approve(draft_id, session=session, actor="a")
    outbox = OutboxSender(tmp_path / "outbox")
    send_approved(engine=engine, senders={"replay": outbox})
    with transaction(engine) as session:  # someone sneaks in a second draft for the same mention
        sent = must(session.get(Draft, draft_id))
        session.add(
            Draft(
                mention_id=sent.mention_id,
                open_mention_id=sent.mention_id,
                brand="acme",
                platform="replay",
                state=DraftState.APPROVED,
                category="complaint",
                text="again",
                original_text="again",
            )
        )
    report = send_approved(engine=engine, senders={"replay": outbox})
    assert report.sent == [] and len(report.blocked) == 1
    assert len(outbox.replies()) == 1


class CrashAfterPosting(OutboxSender):
    """Posts for real, then dies before Mention Desk can record it (a killed process)."""

    def send(self, reply: OutgoingReply) -> SentReply:
        super().send(reply)
        raise KeyboardInterrupt


class Down(OutboxSender):
    def send(self, reply: OutgoingReply) -> SentReply:
        raise SendFailed("503 from platform")


def test_killed_between_posting_and_recording_still_one_reply(any_engine, brands, classifier, tmp_path: Path):
    draft_id = drafted(any_engine, brands, classifier)
    with transaction(any_engine) as session:
        desk.approve(draft_id, session=session, actor="a")
    outbox_dir = tmp_path / "outbox"
    with pytest.raises(KeyboardInterrupt):
        send_approved(engine=any_engine, senders={"replay": CrashAfterPosting(outbox_dir)})
    with Session(any_engine) as session:
        assert must(session.get(Draft, draft_id)).state == DraftState.SENDING
    # Restarted: the interrupted send is reconciled with the platform, not posted again.
    restarted = OutboxSender(outbox_dir)
    report = send_approved(engine=any_engine, senders={"replay": restarted}, stale_after=timedelta(0))
    assert report.reconciled == [draft_id] and report.sent == []
    assert len(restarted.replies()) == 1
    with Session(any_engine) as session:
        assert must(session.get(Draft, draft_id)).state == DraftState.SENT


def test_a_failed_send_is_retried_once_the_platform_is_back(engine, brands, classifier, tmp_path: Path):
    draft_id = drafted(engine, brands, classifier)
    with transaction(engine) as session:
        desk.approve(draft_id, session=session, actor="a")
    failed = send_approved(engine=engine, senders={"replay": Down(tmp_path / "o")})
    assert failed.failed and "503" in failed.failed[draft_id]
    back = OutboxSender(tmp_path / "o")
    report = send_approved(engine=engine, senders={"replay": back})
    assert report.sent == [draft_id] and len(back.replies()) == 1


class Refused(OutboxSender):
    def send(self, reply: OutgoingReply) -> SentReply:
        self.calls = getattr(self, "calls", 0) + 1
        raise SendFailed("403: this thread is locked", retryable=False)


def test_a_refusal_that_cannot_change_is_not_retried(engine, brands, classifier, tmp_path: Path):
    draft_id = drafted(engine, brands, classifier)
    with transaction(engine) as session:
        desk.approve(draft_id, session=session, actor="a")
    refused = Refused(tmp_path / "o")
    first = send_approved(engine=engine, senders={"replay": refused})
    again = send_approved(engine=engine, senders={"replay": refused})
    assert "locked" in first.failed[draft_id] and again.failed == {} and refused.calls == 1
    with Session(engine) as session:
        failed = must(session.get(Draft, draft_id))
    assert failed.state == DraftState.FAILED and "locked" in must(failed.error)


def test_relabel_is_stored_as_a_human_correction(engine, brands, classifier):
    draft_id = drafted(engine, brands, classifier, text="@AcmeCoffee do you sell decaf beans")
    with transaction(engine) as session:
        mention_id = desk.get_draft(draft_id, session=session).mention_id
        desk.relabel(mention_id, session=session, actor="maria", label="question")
    from storage.models import Classification, Mention

    with Session(engine) as session:
        assert must(session.get(Mention, mention_id)).label == "question"
        human = session.exec(select(Classification).where(Classification.origin == "human:maria")).one()
        assert human.label == "question"
        assert must(session.get(Draft, draft_id)).category == "question"


def test_a_mention_never_has_two_open_drafts(any_engine, brands, classifier):
    from sqlalchemy.exc import IntegrityError

    draft_id = drafted(any_engine, brands, classifier)
    with pytest.raises(IntegrityError), transaction(any_engine) as session:
        first = must(session.get(Draft, draft_id))
        session.add(
            Draft(
                mention_id=first.mention_id,
                open_mention_id=first.mention_id,
                brand="acme",
                platform="replay",
                category="complaint",
                text="second",
                original_text="second",
            )
        )


def test_reject_as_wrong_category_teaches_the_next_model(engine, brands, classifier):
    from mentiondesk.corrections import load_desk_corrections
    from storage.models import Mention

    draft_id = drafted(engine, brands, classifier, text="@AcmeCoffee is the oat latte vegan?")
    with transaction(engine) as session:
        draft = desk.get_draft(draft_id, session=session)
        wrong = "praise" if draft.category != "praise" else "other"
        with pytest.raises(InputError, match="unknown category"):
            desk.reject(draft_id, session=session, actor="mia", reason="wrong category", correct_label="rant")
        desk.reject(draft_id, session=session, actor="mia", reason="wrong category", correct_label=wrong)
    with Session(engine) as session:
        assert must(session.get(Draft, draft_id)).state == DraftState.REJECTED
        assert must(session.get(Mention, draft.mention_id)).label == wrong
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "reject")).one()
        assert event.detail["wrong_category"] == {"was": draft.category, "is": wrong}
    corrections = load_desk_corrections(str(engine.url))
    assert [(c.text, c.label) for c in corrections] == [("@AcmeCoffee is the oat latte vegan?", wrong)]
