"""The draft state machine, walked whole: every allowed move succeeds once, every other move is refused."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from mentiondesk.core.errors import Conflict, InvalidTransition
from responders.holding import release_due, stop
from responders.states import TRANSITIONS, transition, transition_many
from storage.db import transaction
from storage.models import Draft, DraftState, Mention, utcnow
from tests.factories import must

ALL = list(DraftState)
OPEN = {
    DraftState.DRAFTED,
    DraftState.HELD,
    DraftState.APPROVED,
    DraftState.SENDING,
    DraftState.UNKNOWN,
    DraftState.FAILED,
}


def a_draft(engine: Engine, state: DraftState, *, automated: bool = False, approved_at: datetime | None = None) -> int:
    with transaction(engine) as session:
        mention = Mention(
            brand="acme",
            platform="replay",
            external_id=f"m-{utcnow().timestamp()}-{state}",
            author_handle="ana",
            text="@acme my order is late",
            created_at=utcnow(),
        )
        session.add(mention)
        session.flush()
        draft = Draft(
            mention_id=must(mention.id),
            open_mention_id=mention.id if state in OPEN else None,
            brand="acme",
            platform="replay",
            state=state,
            category="complaint",
            text="Sorry!",
            original_text="Sorry!",
            automated=automated,
            approved_at=approved_at,
        )
        session.add(draft)
        session.flush()
        assert draft.id is not None
        return draft.id


def test_the_table_names_every_state_and_the_ends_lead_nowhere():
    assert set(TRANSITIONS) == set(ALL)
    assert TRANSITIONS[DraftState.SENT] == frozenset() and TRANSITIONS[DraftState.REJECTED] == frozenset()
    # A reply whose outcome is unknown can only be taken by a sender, who looks on the platform first.
    assert TRANSITIONS[DraftState.UNKNOWN] == {DraftState.SENDING}
    # A held thank-you is released (approved) or stopped (rejected); nothing sends it straight from the lane.
    assert TRANSITIONS[DraftState.HELD] == {DraftState.APPROVED, DraftState.REJECTED}
    assert DraftState.HELD not in TRANSITIONS[DraftState.APPROVED] | TRANSITIONS[DraftState.SENDING]


@pytest.mark.parametrize(("source", "target"), list(itertools.product(ALL, ALL)))
def test_every_move(engine: Engine, source: DraftState, target: DraftState):
    draft_id = a_draft(engine, source)
    with transaction(engine) as session:
        draft = session.get(Draft, draft_id)
        assert draft is not None
        if target in TRANSITIONS[source]:
            assert transition(draft, target, session=session) is True
            assert (draft.state, draft.version) == (target, 2)
            assert (draft.open_mention_id is not None) == (target in OPEN)
        else:
            with pytest.raises(ValueError, match="no transition"):
                transition(draft, target, session=session)
    with Session(engine) as session:
        stored = session.get(Draft, draft_id)
        assert stored is not None
        assert stored.state == (target if target in TRANSITIONS[source] else source)


def test_a_move_from_a_stale_read_loses(engine: Engine):
    draft_id = a_draft(engine, DraftState.APPROVED)
    with Session(engine) as first, Session(engine) as second:
        mine, theirs = first.get(Draft, draft_id), second.get(Draft, draft_id)
        assert mine is not None and theirs is not None
        assert transition(theirs, DraftState.SENDING, session=second) is True
        second.commit()
        assert transition(mine, DraftState.SENDING, session=first, expected_version=1) is False
        assert mine.state == DraftState.SENDING and mine.version == 2  # refreshed: the caller sees who won


def test_many_at_once_moves_only_those_still_in_the_expected_state(engine: Engine):
    waiting = [a_draft(engine, DraftState.DRAFTED) for _ in range(3)]
    gone = a_draft(engine, DraftState.REJECTED)
    with transaction(engine) as session:
        assert (
            transition_many([*waiting, gone], DraftState.APPROVED, from_state=DraftState.DRAFTED, session=session) == 3
        )
        with pytest.raises(ValueError):
            transition_many(waiting, DraftState.SENT, from_state=DraftState.APPROVED, session=session)
    with Session(engine) as session:
        states = [session.get(Draft, i).state for i in [*waiting, gone]]  # type: ignore[union-attr]
    assert states == [DraftState.APPROVED] * 3 + [DraftState.REJECTED]


def state_of(engine: Engine, draft_id: int) -> DraftState:
    with Session(engine) as session:
        return DraftState(must(session.get(Draft, draft_id)).state)


def test_a_held_thank_you_walks_to_sent_only_after_its_hold_window(engine: Engine):
    """drafted -> held (auto-thank) -> approved (window over) -> sending -> sent; never approved early."""
    start = utcnow()
    draft_id = a_draft(engine, DraftState.DRAFTED, automated=True)
    with transaction(engine) as session:
        assert (
            transition_many(
                [draft_id],
                DraftState.HELD,
                from_state=DraftState.DRAFTED,
                session=session,
                approved_by="auto-thank",
                approved_at=start,
            )
            == 1
        )
    for minutes in (0, 5, 9.9):
        with transaction(engine) as session:
            assert release_due(session=session, brands=None, now=start + timedelta(minutes=minutes)) == []
        assert state_of(engine, draft_id) == DraftState.HELD
    with transaction(engine) as session:
        assert release_due(session=session, brands=None, now=start + timedelta(minutes=10)) == [draft_id]
    assert state_of(engine, draft_id) == DraftState.APPROVED
    with transaction(engine) as session:
        draft = must(session.get(Draft, draft_id))
        assert transition(draft, DraftState.SENDING, session=session)
        assert transition(draft, DraftState.SENT, session=session)
    assert state_of(engine, draft_id) == DraftState.SENT


def test_a_stopped_thank_you_is_rejected_and_never_released(engine: Engine):
    """drafted -> held -> rejected (a manager stopped it); the release finds nothing to move afterwards."""
    start = utcnow()
    draft_id = a_draft(engine, DraftState.HELD, automated=True, approved_at=start)
    with transaction(engine) as session:
        assert stop(draft_id, session=session, actor="maria").state == DraftState.REJECTED
    with transaction(engine) as session:
        assert release_due(session=session, brands=None, now=start + timedelta(hours=1)) == []
        assert must(session.get(Draft, draft_id)).rejected_reason == "stopped before sending by maria"
    assert state_of(engine, draft_id) == DraftState.REJECTED


def test_stop_from_a_stale_read_loses_and_only_thank_yous_going_out_can_be_stopped(engine: Engine):
    start = utcnow()
    released = a_draft(engine, DraftState.HELD, automated=True, approved_at=start - timedelta(hours=1))
    with transaction(engine) as session:
        assert release_due(session=session, brands=None, now=start) == [released]
    # The manager's page still shows version 1 (held): the release won, so the stop must say so.
    with pytest.raises(Conflict), transaction(engine) as session:
        stop(released, session=session, actor="maria", expected_version=1)
    # Released but not yet claimed by a sender: still stoppable from its current version.
    with transaction(engine) as session:
        assert stop(released, session=session, actor="maria").state == DraftState.REJECTED
    human = a_draft(engine, DraftState.DRAFTED)
    sending = a_draft(engine, DraftState.SENDING, automated=True)
    for draft_id in (human, sending):
        with pytest.raises(InvalidTransition), transaction(engine) as session:
            stop(draft_id, session=session, actor="maria")
