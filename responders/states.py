"""The draft state machine: which moves exist, and the one compare-and-set that makes them.

    drafted ──approve──▶ approved ──claim──▶ sending ──posted──▶ sent
       │ │                 │  ▲               │  │  └─refused──▶ failed ──retry──▶ approved
       │ └──reject──▶ rejected ◀┘ └─429/not sent─┘  └─no answer──▶ unknown ──claim──▶ sending (reconciles first)
       └─auto-thank─▶ held ──hold window over──▶ approved
                        └──stopped by a manager──▶ rejected

An automated thank-you is never approved straight away: it is `held` for the brand's hold window
(`reply_policy.thank_hold_minutes`), shown in the desk's "Going out" lane, where a manager can stop it. Senders
take only `approved` and `unknown` drafts, so a held one cannot be sent before `release_due` moves it on.

A move succeeds only from the state and version the caller read, so of two people (or two senders) acting on
the same draft at once exactly one wins; the loser sees `False` and decides what to tell its user."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col

from storage.models import Draft, DraftState, utcnow

S = DraftState
TRANSITIONS: dict[DraftState, frozenset[DraftState]] = {
    S.DRAFTED: frozenset({S.APPROVED, S.REJECTED, S.HELD}),
    S.HELD: frozenset({S.APPROVED, S.REJECTED}),  # its hold window is over; a manager stopped it
    S.APPROVED: frozenset({S.SENDING, S.REJECTED}),
    # sent; refused (failed); rate-limited or not sent yet (approved); no answer (unknown); the gate said no
    S.SENDING: frozenset({S.SENT, S.FAILED, S.APPROVED, S.UNKNOWN, S.REJECTED}),
    S.UNKNOWN: frozenset({S.SENDING}),  # only a sender, who reconciles before posting anything
    S.FAILED: frozenset({S.APPROVED, S.REJECTED}),
    S.SENT: frozenset(),
    S.REJECTED: frozenset(),
}
# While a draft is in one of these its mention has an open draft (at most one per mention).
_OPEN = {S.DRAFTED, S.HELD, S.APPROVED, S.SENDING, S.UNKNOWN, S.FAILED}


def allowed(current: DraftState | str, target: DraftState | str) -> bool:
    return DraftState(target) in TRANSITIONS[DraftState(current)]


def check_move(sources: Iterable[DraftState], to: DraftState, *, what: object) -> list[DraftState]:
    """The moves must be in the table; a move that is not is a bug, not a race."""
    states = list(sources)
    for source in states:
        if not allowed(source, to):
            raise ValueError(f"{what}: no transition {source} -> {to}")
    return states


def transition_many(
    draft_ids: Iterable[int], to: DraftState, *, from_state: DraftState, session: Session, **values: Any
) -> int:
    """The same move for many drafts in one statement (the automated thank-yous of a batch); returns how many
    were still in `from_state` and moved."""
    check_move([from_state], to, what="drafts")
    ids = list(draft_ids)
    if not ids:
        return 0
    result = session.execute(
        update(Draft)
        .where(col(Draft.id).in_(ids), col(Draft.state) == from_state)
        .values(state=to, version=Draft.version + 1, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def transition(
    draft: Draft,
    to: DraftState,
    *,
    session: Session,
    expected_version: int | None = None,
    from_states: Iterable[DraftState] | None = None,
    **values: Any,
) -> bool:
    """Move `draft` to `to` if it is still in the state (and version) it was read in; bump the version.

    `from_states` widens the accepted current states (e.g. "from whatever open state it is in"); each must be
    allowed to move to `to`. Returns False when someone else moved it first; the object is refreshed either way.
    Raises ValueError for a move the table does not have: that is a bug, not a race."""
    sources = check_move(
        {DraftState(draft.state)} if from_states is None else set(from_states), to, what=f"draft {draft.id}"
    )
    version = draft.version if expected_version is None else expected_version
    result = session.execute(
        update(Draft)
        .where(
            col(Draft.id) == draft.id,
            col(Draft.version) == version,
            col(Draft.state).in_([s.value for s in sources]),
        )
        .values(
            state=to,
            version=version + 1,
            updated_at=utcnow(),
            open_mention_id=draft.mention_id if to in _OPEN else None,
            **values,
        )
        .execution_options(synchronize_session=False)
    )
    session.refresh(draft)
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]
