"""An opt-out is shown on the author in the desk, and a manager can undo it (or record one): audited."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from storage.models import AuditEvent, Author, Mention
from tests.test_web_support import csrf, flash_of, make_desk, signed_in

ASKS = "@NorthwindCoffee please stop replying to me"
ASKS_HOW = "@NorthwindCoffee how do I unsubscribe from your newsletter?"


def test_an_opt_out_is_shown_on_the_author_and_can_be_undone(tmp_path: Path) -> None:
    app, engine = make_desk(tmp_path, extra=[ASKS, ASKS_HOW])
    with Session(engine) as session:
        asked = session.exec(select(Mention).where(Mention.text == ASKS)).one()
        question = session.exec(select(Mention).where(Mention.text == ASKS_HOW)).one()
        assert asked.author_id is not None and question.author_id is not None
        assert session.get_one(Author, asked.author_id).opted_out_at is not None  # asked us, in a mention
        assert session.get_one(Author, question.author_id).opted_out_at is None  # a support question
    client = signed_in(app, "maria")
    page = client.get(f"/mentions/{asked.id}").text
    assert "Opted out" in page and "Undo opt-out" in page
    assert "Mark opted out" in client.get(f"/mentions/{question.id}").text

    response = client.post(
        f"/authors/{asked.author_id}/opt-out",
        data={
            "csrf_token": csrf(client, f"/mentions/{asked.id}"),
            "opted_out": "false",
            "mention_id": str(asked.id),
            "back": f"/mentions/{asked.id}",
        },
    )

    assert flash_of(client, response) == "ok: Opt-out undone: replies allowed again."
    page = client.get(f"/mentions/{asked.id}").text
    assert "Undo opt-out" not in page and "Mark opted out" in page
    with Session(engine) as session:
        assert session.get_one(Author, asked.author_id).opted_out_at is None
        audit = session.exec(select(AuditEvent).where(AuditEvent.action == "undo_opt_out")).one()
        assert audit.actor == "maria" and audit.before and audit.after is None and audit.mention_id == asked.id


def test_an_analyst_sees_the_opt_out_but_cannot_change_it(tmp_path: Path) -> None:
    app, engine = make_desk(tmp_path, extra=[ASKS])
    with Session(engine) as session:
        asked = session.exec(select(Mention).where(Mention.text == ASKS)).one()
    client: Any = signed_in(app, "ana")
    page = client.get(f"/mentions/{asked.id}").text
    assert "Opted out" in page and "Undo opt-out" not in page
    response = client.post(
        f"/authors/{asked.author_id}/opt-out",
        data={"csrf_token": csrf(client, f"/mentions/{asked.id}"), "opted_out": "false"},
    )
    assert response.status_code == 403
    with Session(engine) as session:
        assert session.get_one(Author, asked.author_id or 0).opted_out_at is not None
