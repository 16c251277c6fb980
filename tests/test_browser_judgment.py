"""The desk in headless Chromium when the classifier is unsure and when thank-yous go out on their own: a
low-confidence complaint says "Needs review", an injury says "Escalated", and "Approve selected" leaves both
out; a held thank-you stopped in
the "Going out" lane never reaches the platform (checked at the outbox), while one left alone goes out only
after its hold window."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlmodel import Session, col, select

from listener.replay import MemorySource, OutboxSender
from mentiondesk.core.brands import BrandConfig, parse_brands
from mentiondesk.pipeline import Pipeline
from mentiondesk.settings import Settings
from responders.sending import send_approved
from storage.db import make_engine, transaction, upgrade
from storage.models import Draft, DraftState, Mention, utcnow
from tests.browser import NEEDS_CHROMIUM, PASSWORD, login, served
from tests.conftest import TEST_BRANDS
from tests.factories import mention, must

pytestmark = NEEDS_CHROMIUM
UNSURE = "@AcmeCoffee the new cup lids leak all over my hands every single morning"
SURE = [
    "@AcmeCoffee my order is two hours late and nobody answers the phone",
    "@AcmeCoffee I was charged twice for order 7781, please fix this",
    "@AcmeCoffee the lid came off in the drive-thru and I have second-degree burns on my hand",
]
PRAISE = [
    "@AcmeCoffee thank you so much, best latte I've had all year!",
    "@AcmeCoffee love you, the new oat latte is amazing",
]


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any, BrandConfig]]:
    from mentiondesk.web.app import create_app
    from mentiondesk.web.users import add_user
    from rules.classifier import load_classifier

    path = tmp_path_factory.mktemp("judgment") / "desk.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    brands = parse_brands(TEST_BRANDS)
    items = [
        mention(text, author=f"author{i}", name=f"Customer {i}", minutes=-30 + i)
        for i, text in enumerate([UNSURE, *SURE, *PRAISE])
    ]
    pipeline = Pipeline(engine=engine, brands=brands, classifier=load_classifier(None))
    pipeline.poll(MemorySource(items, brand="acme", name="judgment"))
    with transaction(engine) as session:
        add_user(session, "maria", "manager", PASSWORD)
    app = create_app(engine, brands.brands, Settings(secret_key=SecretStr("test-secret-key")))
    with served(app) as base:
        yield base, engine, brands
    engine.dispose()


def draft_for(engine: Any, text: str) -> Draft:
    with Session(engine) as session:
        return must(
            session.exec(
                select(Draft).join(Mention, col(Mention.id) == Draft.mention_id).where(Mention.text == text)
            ).first()
        )


def card(page: Any, draft_id: int) -> Any:
    return page.locator(f".queue .card[data-draft='{draft_id}']")


def test_a_low_confidence_complaint_and_an_escalation_are_left_out_of_approve_selected(
    desk: tuple[str, Any, BrandConfig], page: Any
) -> None:
    base, engine, _ = desk
    unsure = draft_for(engine, UNSURE)
    sure = [draft_for(engine, text).id for text in SURE]
    injury = draft_for(engine, SURE[-1])
    assert injury.escalated and not any(draft_for(engine, text).escalated for text in SURE[:-1])
    plain = sure[:-1]
    login(page, base)

    flagged = card(page, must(unsure.id))
    assert flagged.locator(".review-flag").inner_text() == "Needs review"
    assert "Needs review: low confidence" in flagged.locator(".policy").inner_text()
    assert "may send" not in flagged.inner_text()
    assert "thank" not in flagged.locator("textarea.reply").input_value().lower()
    for draft_id in plain:
        assert "Policy gate: may send" in card(page, must(draft_id)).locator(".policy").inner_text()
        assert card(page, must(draft_id)).locator(".escalated-flag").count() == 0
    # Why it is urgent, on the card (the injury outranks everything else on the page), and that a person
    # approves it on its own: no "may send" on an escalation.
    burnt = card(page, must(sure[-1]))
    assert burnt.locator(".urgency-reason").inner_text() == "injury"
    assert burnt.locator(".escalated-flag").inner_text() == "Escalated"
    assert (
        "Escalated (injury): read the mention and approve this reply on its own"
        in burnt.locator(".policy").inner_text()
    )
    assert "may send" not in burnt.inner_text()
    assert page.locator(".queue .card").first.get_attribute("data-draft") == str(sure[-1])
    api = {i["draft_id"]: i for i in page.request.get(f"{base}/api/queue?limit=50").json()["items"]}
    assert api[unsure.id]["needs_review"] is True and api[unsure.id]["review_reason"] == "low confidence"
    assert not any(api[i]["needs_review"] for i in sure)

    # The manager selects everything on the page and approves: the unsure one and the escalation are left out.
    page.check("#select-all")
    assert not flagged.locator("input.pick-review").is_checked()
    assert not burnt.locator("input.pick-review").is_checked()
    page.click("#bulk-approve")
    page.wait_for_load_state()
    assert f"Approved {len(plain)} drafts" in page.locator(".flash").first.inner_text()
    with Session(engine) as session:
        states = {d.id: d.state for d in session.exec(select(Draft).where(col(Draft.id).in_([unsure.id, *sure])))}
    assert states[unsure.id] == states[must(injury.id)] == DraftState.DRAFTED
    assert all(states[i] == DraftState.APPROVED for i in plain)

    # A forged form that puts it among the ordinary picks is refused for it, too.
    for held, text in ((unsure, UNSURE), (injury, SURE[-1])):
        response = page.request.post(
            f"{base}/drafts/bulk-approve",
            form={
                "item": f"{held.id}:{held.version}",
                "csrf_token": page.locator("#bulk input[name=csrf_token]").input_value(),
            },
        )
        assert f"Left out 1 that need review or are escalated (#{held.id})" in response.text()
        assert draft_for(engine, text).state == DraftState.DRAFTED

    # Ticked on their own, after reading them, they are approved.
    page.goto(f"{base}/queue")
    card(page, must(unsure.id)).locator("input.pick-review").check()
    card(page, must(injury.id)).locator("input.pick-review").check()
    page.click("#bulk-approve")
    page.wait_for_load_state()
    assert "Approved 2 drafts" in page.locator(".flash").first.inner_text()
    assert draft_for(engine, UNSURE).state == draft_for(engine, SURE[-1]).state == DraftState.APPROVED


def test_a_held_thank_you_stopped_in_going_out_is_never_sent(
    desk: tuple[str, Any, BrandConfig], page: Any, tmp_path: Path
) -> None:
    base, engine, brands = desk
    stopped, kept = (draft_for(engine, text) for text in PRAISE)
    assert stopped.state == kept.state == DraftState.HELD and stopped.automated and kept.automated
    outbox = OutboxSender(tmp_path / "outbox")
    login(page, base)

    lane = page.locator("#going-out")
    assert lane.locator(f"#held-{stopped.id}").is_visible()
    assert "goes out in" in lane.locator(f"#held-{stopped.id} .goes-out").inner_text()
    lane.locator(f"#held-{stopped.id} button.stop").click()
    page.wait_for_load_state()
    assert f"Stopped draft {stopped.id}: it will not be sent." in page.locator(".flash").first.inner_text()
    assert page.locator(f"#held-{stopped.id}").count() == 0
    assert page.locator(f"#held-{kept.id}").is_visible()

    # Before the hold window ends no thank-you goes out; after it, only the one nobody stopped.
    with Session(engine) as session:
        to_stopped = must(session.get(Mention, stopped.mention_id)).external_id
        to_kept = must(session.get(Mention, kept.mention_id)).external_id

    def thanked() -> list[str]:
        return [r["in_reply_to"] for r in outbox.replies() if r["in_reply_to"] in (to_stopped, to_kept)]

    now = utcnow()
    send_approved(engine=engine, senders={"replay": outbox}, brands=brands, clock=lambda: now)
    assert thanked() == []
    assert draft_for(engine, PRAISE[1]).state == DraftState.HELD
    later = now + timedelta(minutes=brands.brands["acme"].reply_policy.thank_hold_minutes, seconds=1)
    send_approved(engine=engine, senders={"replay": outbox}, brands=brands, clock=lambda: later)
    assert thanked() == [to_kept]
    assert draft_for(engine, PRAISE[0]).state == DraftState.REJECTED
    assert draft_for(engine, PRAISE[1]).state == DraftState.SENT
