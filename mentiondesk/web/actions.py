"""Desk actions: each calls responders.queue (the one place that changes drafts) in its own transaction and
turns the outcome into a message a person can act on."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from mentiondesk.core.brands import Brand
from mentiondesk.core.errors import (
    Conflict,
    InvalidTransition,
    MentionDeskError,
    NotAllowed,
    NotFound,
    PolicyBlocked,
)
from storage.db import transaction


@dataclass
class Outcome:
    ok: bool
    message: str
    status: int = 200
    result: Any = None


def _queue() -> Any:
    from responders import queue

    return queue


def _run(engine: Engine, success: str, call: Callable[[Any], Any]) -> Outcome:
    try:
        with transaction(engine) as session:
            result = call(session)
    except Conflict as exc:
        return Outcome(False, f"Someone else acted first: {exc}. Reload to see the current version.", 409)
    except InvalidTransition as exc:
        return Outcome(False, f"Not possible: {exc}.", 409)
    except PolicyBlocked as exc:
        return Outcome(False, "The policy gate refused this reply: " + "; ".join(exc.reasons), 422)
    except NotFound as exc:
        return Outcome(False, str(exc), 404)
    except NotAllowed as exc:
        return Outcome(False, f"Not allowed: {exc}.", 403)
    except MentionDeskError as exc:
        return Outcome(False, str(exc), 400)
    return Outcome(True, success, 200, result)


def run(engine: Engine, success: str, call: Callable[[Any], Any]) -> Outcome:
    """Any desk action in its own transaction, its errors as a message (for the team's route modules)."""
    return _run(engine, success, call)


def approve(
    engine: Engine,
    draft_id: int,
    *,
    actor: str,
    text: str | None = None,
    expected_version: int | None = None,
    brands: Mapping[str, Brand] | None = None,
) -> Outcome:
    verb = "Edited and approved" if text is not None else "Approved"
    return _run(
        engine,
        f"{verb} draft {draft_id}.",
        lambda s: _queue().approve(
            draft_id, session=s, actor=actor, text=text, expected_version=expected_version, brands=brands
        ),
    )


def reject(
    engine: Engine,
    draft_id: int,
    *,
    actor: str,
    reason: str,
    expected_version: int | None = None,
    correct_label: str | None = None,
) -> Outcome:
    if not reason.strip():
        return Outcome(False, "A rejection needs a reason.", 422)
    return _run(
        engine,
        f"Rejected draft {draft_id}.",
        lambda s: _queue().reject(
            draft_id,
            session=s,
            actor=actor,
            reason=reason.strip(),
            expected_version=expected_version,
            correct_label=correct_label,
        ),
    )


def relabel(
    engine: Engine,
    mention_id: int,
    *,
    actor: str,
    label: str,
    brands: Mapping[str, Brand] | None = None,
    keep_edit: bool = False,
) -> Outcome:
    """The mention's category, and its open draft written again for it (an edited one kept with `keep_edit`)."""
    return _run(
        engine,
        f"Mention {mention_id} is now labelled {label}; its draft was written again for it."
        if not keep_edit
        else f"Mention {mention_id} is now labelled {label}; your edited reply was kept.",
        lambda s: _queue().relabel(mention_id, session=s, actor=actor, label=label, brands=brands, keep_edit=keep_edit),
    )


def stop(engine: Engine, draft_id: int, *, actor: str, expected_version: int | None = None) -> Outcome:
    from responders import holding

    return _run(
        engine,
        f"Stopped draft {draft_id}: it will not be sent.",
        lambda s: holding.stop(draft_id, session=s, actor=actor, expected_version=expected_version),
    )


def held_from_bulk(engine: Engine, draft_ids: list[int]) -> dict[int, str]:
    with transaction(engine) as session:
        return dict(_queue().drafts_held_from_bulk(draft_ids, session=session))


def resolve_case(engine: Engine, case_id: int, *, actor: str) -> Outcome:
    return _run(engine, f"Case {case_id} resolved.", lambda s: _queue().resolve_case(case_id, session=s, actor=actor))


def reopen_case(engine: Engine, case_id: int, *, actor: str) -> Outcome:
    return _run(engine, f"Case {case_id} reopened.", lambda s: _queue().reopen_case(case_id, session=s, actor=actor))


def set_opt_out(engine: Engine, author_id: int, *, actor: str, opted_out: bool, mention_id: int | None) -> Outcome:
    message = (
        "Marked as opted out: no replies to this author." if opted_out else "Opt-out undone: replies allowed again."
    )
    return _run(
        engine,
        message,
        lambda s: _queue().set_opt_out(author_id, session=s, actor=actor, opted_out=opted_out, mention_id=mention_id),
    )


def bulk_approve(
    engine: Engine,
    items: list[tuple[int, int | None]],
    *,
    actor: str,
    brands: Mapping[str, Brand] | None = None,
) -> Outcome:
    """Each draft in its own transaction, so one conflict does not undo the others."""
    done: list[int] = []
    failed: list[str] = []
    for draft_id, version in items:
        outcome = approve(engine, draft_id, actor=actor, expected_version=version, brands=brands)
        if outcome.ok:
            done.append(draft_id)
        else:
            failed.append(f"#{draft_id}: {outcome.message}")
    message = f"Approved {len(done)} draft{'s' if len(done) != 1 else ''}."
    if failed:
        message += f" {len(failed)} not approved — " + " ".join(failed)
    return Outcome(not failed, message, 200 if not failed else 409, {"approved": done, "failed": failed})
