"""The draft state machine, walked whole: every allowed move succeeds once, every other move is refused."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from responders.states import TRANSITIONS, transition, transition_many
from storage.db import transaction
from storage.models import Draft, DraftState, Mention, utcnow
from tests.factories import must

ALL = list(DraftState)
OPEN = {DraftState.DRAFTED, DraftState.APPROVED, DraftState.SENDING, DraftState.UNKNOWN, DraftState.FAILED}


def a_draft(engine: Engine, state: DraftState) -> int:
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
