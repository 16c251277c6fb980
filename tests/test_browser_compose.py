"""The team's desk in headless Chromium: write a reply where there was no draft and have it approved; assign,
note (a hostile one), tag and find the mention again by search; insert a saved reply with the customer's name."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import SecretStr
from sqlmodel import Session, col, select

from mentiondesk.settings import Settings
from storage.db import make_engine, upgrade
from storage.desk_models import MentionTag, Note, SavedReply
from storage.models import Draft, DraftState, Mention
from tests.browser import NEEDS_CHROMIUM, SCREENSHOTS, flash, login, served
from tests.factories import mention, must
from tests.test_team_desk import SCRIPT_NOTE, add_users, fill, team_brands

pytestmark = NEEDS_CHROMIUM


@pytest.fixture(scope="module")
def desk_url(tmp_path_factory: pytest.TempPathFactory, classifier: Any) -> Iterator[tuple[str, Any]]:
    from mentiondesk.web.app import create_app

    path = tmp_path_factory.mktemp("team") / "desk.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    brands = team_brands()
    fill(
        engine,
        brands,
        classifier,
        [
            [
                mention("@AcmeCoffee is the store on Main Street open on sunday?", author="quinn_q", name="Quinn Park"),
                mention("@AcmeCoffee do you sell oat milk in the app?", author="lee_w", name="Lee Wong"),
                mention("@AcmeCoffee still waiting for my refund, three weeks now", author="ben_r", name="Ben Ruiz"),
            ]
        ],
    )
    add_users(engine)
    app = create_app(engine, brands, Settings(secret_key=SecretStr("test-secret-key")))
    with served(app) as base:
        yield base, engine
    engine.dispose()


def mention_with(engine: Any, words: str) -> Mention:
    with Session(engine) as session:
        return must(session.exec(select(Mention).where(col(Mention.text).contains(words))).first())


def test_a_reply_written_where_there_was_no_draft_is_approved_by_a_colleague(
    desk_url: tuple[str, Any], browser: Any, page: Any
) -> None:
    base, engine = desk_url
    question = mention_with(engine, "open on sunday")
    login(page, base, "maria")
    page.goto(f"{base}/mentions/{question.id}")
    assert "No drafts for this mention." in page.inner_text("body")
    page.fill("textarea.compose-text", "Hi Quinn, yes: 9 to 5 on Sundays.")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "compose.png"), full_page=True)
    page.click("button.write-reply")
    page.wait_for_load_state()
    assert "Reply written" in flash(page) and "by someone else" in flash(page)
    assert "You wrote this reply: another person approves it." in page.inner_text(".reply-open")
    assert page.locator(".reply-open button.approve").count() == 0

    colleague = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    login(colleague, base, "omar")
    colleague.goto(f"{base}/mentions/{question.id}")
    assert "written by maria" in colleague.inner_text(".reply-open")
    colleague.click(".reply-open button.approve")
    colleague.wait_for_load_state()
    assert re.search(r"Approved draft \d+", flash(colleague))
    with Session(engine) as session:
        (draft,) = session.exec(select(Draft).where(Draft.mention_id == question.id)).all()
    assert (draft.state, draft.composed_by, draft.approved_by) == (DraftState.APPROVED, "maria", "omar")
    colleague.context.close()


def test_assign_note_tag_and_find_it_again_by_search(desk_url: tuple[str, Any], browser: Any, page: Any) -> None:
    base, engine = desk_url
    complaint = mention_with(engine, "waiting for my refund")
    login(page, base, "maria")
    page.goto(f"{base}/mentions/{complaint.id}")

    page.select_option("form.assign-form select[name=to]", "omar")
    page.click("button.assign")
    page.wait_for_load_state()
    assert f"Mention {complaint.id} assigned to omar" in flash(page)
    assert page.inner_text(".owner-name") == "omar"

    page.fill("#note-text", SCRIPT_NOTE)
    page.click("button.add-note")
    page.wait_for_load_state()
    assert "never sent" in flash(page)
    assert SCRIPT_NOTE in page.locator(".thread .msg-note").inner_text()
    assert "Note: " + SCRIPT_NOTE in page.locator(".audit").inner_text()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("script:not([src])").count() == 0

    page.fill("form.tag-form input[name=tag]", "VIP")
    page.click("button.add-tag")
    page.wait_for_load_state()
    assert "Tagged vip." in flash(page)
    assert {t.strip("×").strip() for t in page.locator(".team-bar .chip.tag").all_inner_texts()} >= {"vip", "refund"}
    page.screenshot(path=str(SCREENSHOTS / "mention-team.png"), full_page=True)

    page.click("nav >> text=Search")
    page.fill("input.search-q", "refund weeks")
    page.fill("form.search-form input[name=tag]", "vip")
    page.click("form.search-form button[type=submit]")
    page.wait_for_load_state()
    hits = page.locator(".search-hit")
    assert hits.count() == 1 and hits.first.get_attribute("data-mention") == str(complaint.id)
    assert "owner omar" in hits.first.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "search.png"), full_page=True)
    hits.first.locator("a").first.click()
    page.wait_for_url(f"{base}/mentions/{complaint.id}")

    owner = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    login(owner, base, "omar")
    owner.click("nav >> text=Mine")
    assert f"#{complaint.case_id}" in owner.locator("table.due-cases").inner_text()
    owner.screenshot(path=str(SCREENSHOTS / "mine.png"), full_page=True)
    owner.context.close()
    with Session(engine) as session:
        assert session.exec(select(Note.text)).all() == [SCRIPT_NOTE]
        assert session.get(MentionTag, (complaint.id, "vip")) is not None


def test_a_saved_reply_is_inserted_with_the_customers_name(desk_url: tuple[str, Any], page: Any) -> None:
    base, engine = desk_url
    question = mention_with(engine, "oat milk")
    login(page, base, "maria")
    page.click("nav >> text=Saved replies")
    page.fill("form.saved-form input[name=title]", "Oat milk")
    page.fill("form.saved-form textarea[name=body]", "Hi {name}, yes: oat milk is in the app under Extras. {agent}")
    page.click("button.add-saved")
    page.wait_for_load_state()
    assert "Saved reply added." in flash(page)
    page.fill("form.saved-form input[name=title]", "Opening hours")
    page.fill("form.saved-form textarea[name=body]", "Hi {name}, we open at 9.")
    page.click("button.add-saved")
    page.wait_for_load_state()

    page.goto(f"{base}/mentions/{question.id}")
    page.fill("input.saved-search", "oat")
    assert page.locator(".insert-saved:visible").all_inner_texts() == ["Oat milk"]
    page.click(".insert-saved:visible")
    assert page.input_value("textarea.compose-text") == "Hi Lee, yes: oat milk is in the app under Extras. maria"
    page.screenshot(path=str(SCREENSHOTS / "saved-reply.png"), full_page=True)
    page.click("button.write-reply")
    page.wait_for_load_state()
    assert "Reply written" in flash(page)
    with Session(engine) as session:
        saved = session.exec(select(SavedReply).where(SavedReply.title == "Oat milk")).one()
        (draft,) = session.exec(select(Draft).where(Draft.mention_id == question.id)).all()
    assert saved.uses == 1 and draft.text.startswith("Hi Lee,") and draft.template_key == f"saved:{saved.id}"
    page.goto(f"{base}/saved-replies?brand=acme")
    assert page.locator("table.saved-replies tr", has_text="Oat milk").locator(".uses").inner_text() == "1"
