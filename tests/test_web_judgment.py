"""The queue's forms for the judgment features: relabel writes the draft again (an edit kept only when the
manager ticks "keep my edited reply"), the Going out lane's Stop, and who may use them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, select

from storage.db import transaction
from storage.models import Draft, DraftState, Mention
from tests.factories import must
from tests.test_web_support import csrf, first_drafted, flash_of, make_desk, signed_in


@pytest.fixture
def desk(tmp_path: Path) -> tuple[Any, Any]:
    return make_desk(tmp_path)


def a_complaint(engine: Any) -> Draft:
    with Session(engine) as session:
        return must(
            session.exec(
                select(Draft)
                .join(Mention, col(Mention.id) == Draft.mention_id)
                .where(Draft.state == DraftState.DRAFTED, Draft.category == "complaint", Draft.escalated == False)  # noqa: E712
                .where(col(Mention.needs_review).is_(False))
                .order_by(col(Draft.id))
            ).first()
        )


def test_the_mention_page_says_needs_review_beside_its_approve_button(desk: tuple[Any, Any]) -> None:
    # The queue card said "Needs review: possible question"; the mention page, where a manager can approve too,
    # showed the label and an Approve button and nothing else.
    app, engine = desk
    client = signed_in(app, "maria")
    with Session(engine) as session:
        held = must(
            session.exec(
                select(Draft, Mention)
                .join(Mention, col(Mention.id) == Draft.mention_id)
                .where(Draft.state == DraftState.DRAFTED, col(Mention.needs_review).is_(True))
                .order_by(col(Draft.id))
            ).first()
        )
    draft, mention = held
    page = client.get(f"/mentions/{mention.id}").text
    reply = page.split('id="reply"', 1)[1]
    assert f"Needs review: {mention.review_reason}" in page.split('id="reply"', 1)[0]
    assert reply.index(f"Needs review: {mention.review_reason}") < reply.index('class="approve-form"')
    sure = a_complaint(engine)
    assert "Needs review" not in client.get(f"/mentions/{sure.mention_id}").text


def test_relabel_from_the_card_writes_the_draft_again(desk: tuple[Any, Any]) -> None:
    app, engine = desk
    client = signed_in(app, "maria")
    token = csrf(client, "/queue")
    draft = a_complaint(engine)
    assert "sorry" in draft.text.lower()
    response = client.post(f"/mentions/{draft.mention_id}/relabel", data={"csrf_token": token, "label": "praise"})
    assert "its draft was written again for it" in flash_of(client, response)
    with Session(engine) as session:
        again = must(session.get(Draft, draft.id))
    assert again.category == "praise" and "sorry" not in again.text.lower() and again.text == again.original_text


def test_an_edited_draft_offers_keep_and_is_kept_only_when_ticked(desk: tuple[Any, Any]) -> None:
    app, engine = desk
    client = signed_in(app, "maria")
    draft = first_drafted(engine)  # the top of the queue's first page
    mine = "Hi, so sorry! Our store manager will call you today."
    with transaction(engine) as session:
        row = must(session.get(Draft, draft.id))
        row.text = mine
        session.add(row)
    page = client.get("/queue").text
    card = page.split(f'id="draft-{draft.id}"', 1)[1].split("</article>", 1)[0]
    assert 'name="keep_edit"' in card
    token = csrf(client, "/queue")
    response = client.post(
        f"/mentions/{draft.mention_id}/relabel", data={"csrf_token": token, "label": "question", "keep_edit": "true"}
    )
    assert "your edited reply was kept" in flash_of(client, response)
    with Session(engine) as session:
        assert must(session.get(Draft, draft.id)).text == mine
    response = client.post(f"/mentions/{draft.mention_id}/relabel", data={"csrf_token": token, "label": "complaint"})
    with Session(engine) as session:
        assert must(session.get(Draft, draft.id)).text != mine


def test_stop_from_the_going_out_lane_and_who_may(desk: tuple[Any, Any]) -> None:
    app, engine = desk
    with Session(engine) as session:
        held = list(session.exec(select(Draft).where(Draft.state == DraftState.HELD).order_by(col(Draft.id))))
    assert len(held) >= 2 and all(d.automated for d in held)
    analyst = signed_in(app, "ana")
    lane = analyst.get("/queue").text
    assert 'id="going-out"' in lane and f'id="held-{held[0].id}"' in lane and "button.stop" not in lane
    assert 'class="danger stop"' not in lane  # an analyst sees the lane, not the Stop buttons
    forbidden = analyst.post(f"/drafts/{held[0].id}/stop", data={"csrf_token": csrf(analyst, "/queue")})
    assert forbidden.status_code == 403

    maria = signed_in(app, "maria")
    token = csrf(maria, "/queue")
    response = maria.post(f"/drafts/{held[0].id}/stop", data={"csrf_token": token, "version": held[0].version})
    assert flash_of(maria, response) == f"ok: Stopped draft {held[0].id}: it will not be sent."
    stale = maria.post(f"/drafts/{held[1].id}/stop", data={"csrf_token": token, "version": held[1].version + 5})
    assert flash_of(maria, stale).startswith("error: Someone else acted first")
    again = maria.post(f"/drafts/{held[0].id}/stop", data={"csrf_token": token})
    assert "cannot be stopped" in flash_of(maria, again)
    human = first_drafted(engine)
    assert "cannot be stopped" in flash_of(maria, maria.post(f"/drafts/{human.id}/stop", data={"csrf_token": token}))
    with Session(engine) as session:
        assert must(session.get(Draft, held[0].id)).state == DraftState.REJECTED
        assert must(session.get(Draft, held[1].id)).state == DraftState.HELD


def test_walking_every_queue_page_no_complaint_looking_demo_mention_shows_a_thank_you_that_may_send(
    desk: tuple[Any, Any],
) -> None:
    """A manager pages through the whole demo queue: every card of a mention a person would call a complaint,
    urgent or sarcastic either drafts no thanks or says Needs review instead of "may send"."""
    import html
    import re

    from listener.demo_corpus import DEMO_MENTIONS

    app, _ = desk
    client = signed_in(app, "ana")
    kind_of = {" ".join(item.text.split()): item.kind for item in DEMO_MENTIONS}
    thanks = re.compile(r"\b(thank|thanks|glad|made our day|enjoy)", re.IGNORECASE)
    seen, page_no = 0, 1
    wrong: list[tuple[str, str]] = []
    while True:
        page = client.get(f"/queue?page={page_no}").text
        for card in page.split('<article class="card')[1:]:
            mention = html.unescape(must(re.search(r'<blockquote class="text">(.*?)</blockquote>', card, re.S))[1])
            reply_pattern = r'<div class="reply-ro">.*?<p>(.*?)</p>|<textarea id="text-\d+"[^>]*>(.*?)</textarea>'
            reply = html.unescape(must(re.search(reply_pattern, card, re.S))[0])
            if kind_of.get(" ".join(mention.split())) not in ("complaint", "urgent", "sarcasm"):
                continue
            seen += 1
            if "Policy gate: may send" in card and thanks.search(reply):
                wrong.append((mention, reply))
        if f"page={page_no + 1}" not in page:
            break
        page_no += 1
    assert seen >= 60 and page_no >= 2
    assert wrong == []
