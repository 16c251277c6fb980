"""A customer who writes three times before anyone answers gets one reply, not three apologies: the queue marks the
replies to their earlier posts, and "Approve selected" approves only the reply to the newest."""

from __future__ import annotations

import html
from typing import Any

from pydantic import SecretStr
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from mentiondesk.core.brands import BrandConfig
from mentiondesk.pipeline import Pipeline
from mentiondesk.settings import Settings
from storage.db import transaction
from storage.models import Draft, DraftState, Mention
from tests.factories import ListSource, mention
from tests.test_web_support import PASSWORD, csrf, flash_of, signed_in

POSTS = [
    "@AcmeCoffee my latte was cold again and the barista ignored me, really disappointed",
    "@AcmeCoffee nobody has answered about my cold latte, still disappointed",
    "@AcmeCoffee third time asking. Cold latte, rude staff. Not good enough",
]


def desk_with_one_customer(engine: Engine, brands: BrandConfig, classifier: Any) -> tuple[Any, list[Draft]]:
    from mentiondesk.web.app import create_app
    from mentiondesk.web.users import add_user

    items = [mention(text, author="ana_l", platform="x", minutes=10 * i) for i, text in enumerate(POSTS)]
    Pipeline(engine=engine, brands=brands, classifier=classifier).poll(ListSource([items]))
    with transaction(engine) as session:
        add_user(session, "maria", "manager", PASSWORD)
    with Session(engine) as session:
        rows = session.exec(
            select(Draft, Mention).join(Mention, col(Mention.id) == Draft.mention_id).order_by(col(Mention.created_at))
        ).all()
    cases = {m.case_id for _, m in rows}
    assert len(rows) == 3 and len(cases) == 1 and None not in cases  # one customer, one case, three drafts
    assert not any(m.needs_review or d.escalated for d, m in rows)  # nothing else keeps them from "Approve selected"
    return create_app(engine, brands, Settings(secret_key=SecretStr(""))), [d for d, _ in rows]


def approve_selected(client: Any, **ticked: list[str]) -> str:
    """Press "Approve selected" with these boxes ticked (`item`: the ordinary ones, `reviewed`: hand-ticked)."""
    response = client.post("/drafts/bulk-approve", data={**ticked, "csrf_token": csrf(client, "/queue")})
    return str(flash_of(client, response))


def test_approve_selected_answers_the_newest_post_of_a_case_only(
    any_engine: Engine, brands: BrandConfig, classifier: Any
) -> None:
    engine = any_engine
    app, drafts = desk_with_one_customer(engine, brands, classifier)
    client = signed_in(app, "maria")
    queue = client.get("/queue").text
    for draft in drafts[:2]:
        card = queue[queue.index(f'id="draft-{draft.id}"') :]
        assert "a newer post from this customer has its own reply" in card[: card.index("</article>")]
    newest = queue[queue.index(f'id="draft-{drafts[2].id}"') :]
    assert "has its own reply" not in newest[: newest.index("</article>")]

    message = html.unescape(approve_selected(client, item=[f"{d.id}:{d.version}" for d in drafts]))
    earlier = f"#{drafts[0].id}, #{drafts[1].id}"
    assert f"Left out 2 that answer a customer's earlier post while their newer post has its own reply ({earlier})" in (
        message
    )
    with Session(engine) as session:
        states = [session.get(Draft, d.id).state for d in drafts]  # type: ignore[union-attr]
    assert states == [DraftState.DRAFTED, DraftState.DRAFTED, DraftState.APPROVED]


def test_an_earlier_post_can_still_be_answered_on_its_own(
    any_engine: Engine, brands: BrandConfig, classifier: Any
) -> None:
    engine = any_engine
    app, drafts = desk_with_one_customer(engine, brands, classifier)
    client = signed_in(app, "maria")
    assert approve_selected(client, reviewed=[f"{drafts[0].id}:{drafts[0].version}"]).startswith("ok")
    with Session(engine) as session:
        assert session.get(Draft, drafts[0].id).state == DraftState.APPROVED  # type: ignore[union-attr]
