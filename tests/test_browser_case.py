"""A case's own page in headless Chromium: open it from the cases list, read the customer's messages and our
reply in order, add an internal note (a hostile one, shown as text), resolve it and reopen it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import SecretStr
from sqlmodel import Session, col, select

from mentiondesk.settings import Settings
from storage.db import make_engine, upgrade
from storage.desk_models import Note
from storage.models import Case, CaseStatus, Mention
from tests.browser import NEEDS_CHROMIUM, SCREENSHOTS, flash, login, served
from tests.factories import mention, must
from tests.test_team_desk import SCRIPT_NOTE, add_users, fill, team_brands

pytestmark = NEEDS_CHROMIUM
FIRST = "@AcmeCoffee still waiting for my refund, three weeks now"
SECOND = '@AcmeCoffee <img src=x onerror="window.__pwned=1"> hello?? nobody answers, refund still missing'


@pytest.fixture(scope="module")
def desk_url(tmp_path_factory: pytest.TempPathFactory, classifier: Any) -> Iterator[tuple[str, Any]]:
    from mentiondesk.web.app import create_app

    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('case') / 'desk.db'}")
    upgrade(engine)
    brands = team_brands()
    fill(engine, brands, classifier, [[mention(FIRST, author="ben_r", name="Ben <b>Ruiz</b>", minutes=20)]])
    fill(engine, brands, classifier, [[mention(SECOND, author="ben_r", name="Ben <b>Ruiz</b>", minutes=90)]])
    add_users(engine)
    app = create_app(engine, brands, Settings(secret_key=SecretStr("test-secret-key")))
    with served(app) as base:
        yield base, engine
    engine.dispose()


def test_open_a_case_add_a_note_and_resolve_it(desk_url: tuple[str, Any], page: Any) -> None:
    base, engine = desk_url
    with Session(engine) as session:
        case = must(session.exec(select(Case)).first())
        first = must(session.exec(select(Mention).where(col(Mention.text) == FIRST)).first())
    assert first.case_id == case.id
    login(page, base, "maria")
    page.goto(f"{base}/cases")
    page.click(f"a.case-link[href='/cases/{case.id}']")
    page.wait_for_url(re.compile(rf".*/cases/{case.id}$"))
    assert page.locator("h1").inner_text().startswith(f"Case #{case.id} @ben_r")
    assert page.locator(".case-status").inner_text() == "open"
    # The customer's two messages (and the drafts written for them), oldest first, as text.
    customer = page.locator("#timeline li.case-customer")
    assert customer.count() == 2
    assert FIRST in customer.nth(0).inner_text() and "<img src=x" in customer.nth(1).inner_text()
    assert page.locator("#timeline li.case-draft").count() >= 1
    assert "Ben <b>Ruiz</b>" in customer.nth(0).inner_text()  # a name with markup, shown as typed

    page.fill("#note-text", SCRIPT_NOTE)
    page.click("button.add-note")
    page.wait_for_url(re.compile(rf".*/cases/{case.id}(#timeline)?$"))
    assert "Note added" in flash(page)
    notes = page.locator("#timeline li.case-note")
    assert (
        notes.count() == 1 and SCRIPT_NOTE in notes.first.inner_text() and "note by maria" in notes.first.inner_text()
    )
    assert page.evaluate("window.__pwned") is None
    with Session(engine) as session:
        stored = must(session.exec(select(Note)).first())
        assert (stored.case_id, stored.author, stored.text) == (case.id, "maria", SCRIPT_NOTE)

    page.click("button.resolve")
    page.wait_for_url(re.compile(rf".*/cases/{case.id}$"))
    assert f"Case {case.id} resolved." in flash(page)
    assert page.locator(".case-status").inner_text() == "resolved"
    assert "Resolved by maria" in page.locator(".resolved-by").inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "case.png"), full_page=True)
    with Session(engine) as session:
        assert must(session.get(Case, case.id)).status == CaseStatus.RESOLVED

    page.click("button.reopen")
    page.wait_for_url(re.compile(rf".*/cases/{case.id}$"))
    assert f"Case {case.id} reopened." in flash(page) and page.locator(".case-status").inner_text() == "open"

    page.goto(f"{base}/mentions/{first.id}")  # the mention page links to its case
    page.click(f"a.case-link[href='/cases/{case.id}']")
    page.wait_for_url(re.compile(rf".*/cases/{case.id}$"))
    assert page.evaluate("window.__pwned") is None and page.dialogs == []


def test_an_analyst_reads_a_case_but_has_no_forms(desk_url: tuple[str, Any], page: Any) -> None:
    base, engine = desk_url
    with Session(engine) as session:
        case = must(session.exec(select(Case)).first())
    login(page, base, "ana")
    page.goto(f"{base}/cases/{case.id}")
    assert page.locator("#timeline li.case-customer").count() == 2
    assert page.locator("form.note-form, button.resolve, button.reopen").count() == 0
    assert page.goto(f"{base}/cases/999999").status == 404
