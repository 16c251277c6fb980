"""The desk in headless Chromium: log in, act on the queue, read trends; hostile mentions stay text."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import SecretStr
from sqlmodel import Session, col, select

from mentiondesk.settings import Settings
from storage.db import make_engine, transaction, upgrade
from storage.models import AuditEvent, Draft, DraftState, Mention
from tests.browser import NEEDS_CHROMIUM, PASSWORD, SCREENSHOTS, flash, login, served

pytestmark = NEEDS_CHROMIUM
HOSTILE = [
    "<script>window.__pwned = 1; alert('x')</script> @NorthwindCoffee my order is late and nobody answers",
    '<img src=x onerror="window.__pwned=1;alert(1)"> @NorthwindCoffee still waiting for my refund, awful',
    '<a href="javascript:window.__pwned=1">click me</a> @NorthwindCoffee the app crashed and charged me twice',
    "<b><i>broken <div> html </table></td> @NorthwindCoffee my coffee was cold, terrible service",
    "\u202e@NorthwindCoffee the delivery was late again \u202c and the cup leaked <svg onload=alert(1)>",
]


@pytest.fixture(scope="module")
def desk_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    from mentiondesk.web.app import create_app
    from mentiondesk.web.seed import seed_demo
    from mentiondesk.web.users import add_user

    path = tmp_path_factory.mktemp("desk") / "desk.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    brands = seed_demo(engine, extra=HOSTILE, history=3000)
    with transaction(engine) as session:
        add_user(session, "maria", "manager", PASSWORD)
        add_user(session, "ana", "analyst", PASSWORD)
    app = create_app(engine, brands, Settings(secret_key=SecretStr("test-secret-key")))
    with served(app) as base:
        yield base, engine
    engine.dispose()


def test_logged_out_visitor_is_sent_to_login(desk_url: tuple[str, Any], page: Any) -> None:
    base, _ = desk_url
    for path in ("/queue", "/trends", "/mentions/1", "/users"):
        page.goto(base + path)
        assert "/login" in page.url
        assert page.locator("h1").inner_text() == "Sign in"


def test_manager_approves_edits_rejects_relabels_and_bulk_approves(desk_url: tuple[str, Any], page: Any) -> None:
    base, engine = desk_url
    login(page, base)
    assert page.locator(".queue .card").count() > 5
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "queue.png"))

    # approve the first card as drafted
    first = page.locator(".queue .card").first
    draft_id = int(first.get_attribute("data-draft"))
    first.locator("button.approve").click()
    page.wait_for_load_state()
    assert f"Approved draft {draft_id}" in flash(page)

    # edit and approve: the audit on the mention page shows the change as a diff
    card = page.locator(".queue .card").first
    edit_id = int(card.get_attribute("data-draft"))
    card.locator("textarea.reply").fill("Hi! So sorry about this. Please DM us your order number.")
    card.locator("button.approve").click()
    page.wait_for_load_state()
    assert f"Edited and approved draft {edit_id}" in flash(page)
    with Session(engine) as session:
        draft = session.get(Draft, edit_id)
        assert draft is not None and draft.state == DraftState.APPROVED
        mention_id = draft.mention_id
    page.goto(f"{base}/mentions/{mention_id}")
    diff = page.locator(".audit .diff").first
    assert "DM us your order number" in diff.locator("ins").all_inner_texts()[-1] or diff.locator("ins").count()
    assert diff.locator("del").count() >= 1
    page.goto(f"{base}/queue")

    # reject with a reason
    card = page.locator(".queue .card").first
    reject_id = int(card.get_attribute("data-draft"))
    card.locator("input.reason").fill("Off-brand tone")
    card.locator("button.reject").click()
    page.wait_for_load_state()
    assert f"Rejected draft {reject_id}" in flash(page)

    # relabel the category
    card = page.locator(".queue .card").first
    mention_id = int(card.locator("form.relabel-form").get_attribute("action").split("/")[2])
    card.locator("form.relabel-form select").select_option("question")
    card.locator("button.relabel").click()
    page.wait_for_load_state()
    assert f"Mention {mention_id} is now labelled question" in flash(page)

    # bulk approve two (of the cards "Select all" may tick: not escalations or drafts that need review)
    cards = page.locator(".queue .card:has(input.pick)")
    ids = [int(cards.nth(i).get_attribute("data-draft")) for i in (0, 1)]
    for i in (0, 1):
        cards.nth(i).locator("input.pick").check()
    page.click("#bulk-approve")
    page.wait_for_load_state()
    assert "Approved 2 drafts" in flash(page)

    # keyboard: j moves down, a approves the active card
    page.locator("body").click(position={"x": 5, "y": 880})
    cards = page.locator(".queue .card")
    second = int(cards.nth(1).get_attribute("data-draft"))
    page.keyboard.press("j")
    assert int(page.locator(".queue .card.active").get_attribute("data-draft")) == second
    with page.expect_navigation():
        page.keyboard.press("a")
    assert f"Approved draft {second}" in flash(page)

    with Session(engine) as session:
        states = {
            d.id: d.state
            for d in session.exec(select(Draft).where(col(Draft.id).in_([draft_id, reject_id, *ids, second])))
        }
        actions = set(session.exec(select(AuditEvent.action)).all())
    assert states[reject_id] == DraftState.REJECTED
    assert all(states[i] == DraftState.APPROVED for i in (draft_id, *ids, second))
    assert {"approve", "edit_approve", "reject", "relabel"} <= actions


def test_trends_page_shows_charts(desk_url: tuple[str, Any], page: Any) -> None:
    base, _ = desk_url
    login(page, base)
    page.goto(f"{base}/trends")
    for section in ("chart-category", "chart-platform", "chart-sentiment", "chart-voice"):
        chart = page.locator(f"#{section} svg.chart")
        assert chart.count() == 1
        assert chart.bounding_box()["width"] > 200
    assert page.locator("#chart-category svg rect").count() > 3
    assert page.locator("#response-times").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "trends.png"), full_page=True)


def test_analyst_cannot_approve(desk_url: tuple[str, Any], page: Any) -> None:
    base, engine = desk_url
    login(page, base, "ana")
    assert page.locator(".queue .card").count() > 0
    assert page.locator("button.approve").count() == 0
    assert "analyst" in page.locator(".notice").inner_text()
    draft_id = int(page.locator(".queue .card").first.get_attribute("data-draft"))
    # even a hand-made request with a valid CSRF token is refused
    status = page.evaluate(
        """async (id) => {
            const html = await (await fetch('/queue')).text();
            const token = html.match(/name="csrf_token" value="([^"]+)"/)[1];
            const body = new URLSearchParams({csrf_token: token, version: '1'});
            const r = await fetch(`/drafts/${id}/approve`, {method: 'POST', body, redirect: 'manual'});
            return r.status;
        }""",
        draft_id,
    )
    assert status == 403
    with Session(engine) as session:
        assert session.get(Draft, draft_id).state == DraftState.DRAFTED  # type: ignore[union-attr]


def test_hostile_mentions_render_as_text(desk_url: tuple[str, Any], page: Any) -> None:
    base, engine = desk_url
    with Session(engine) as session:
        hostile = session.exec(select(Mention).where(col(Mention.external_id).like("extra%"))).all()
    assert len(hostile) == len(HOSTILE)
    login(page, base)
    pages = ["/queue", "/queue?state=&page=1", "/cases", "/trends"] + [f"/mentions/{m.id}" for m in hostile]
    for path in pages:
        page.goto(base + path)
        page.wait_for_load_state("load")
        assert page.evaluate("typeof window.__pwned") == "undefined", path
        assert page.locator("script:not([src])").count() == 0, path
        assert page.locator("img[src=x], a[href^='javascript:'], [onerror], [onload]").count() == 0, path
        # the layout holds: nothing is wider than the window
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), path
    page.goto(f"{base}/mentions/{hostile[0].id}")
    assert "<script>window.__pwned = 1;" in page.locator("blockquote.text").inner_text()
    page.goto(f"{base}/mentions/{hostile[4].id}")
    assert "[U+202E]" in page.locator("blockquote.text").inner_text()
    assert page.dialogs == []


def test_api_docs_render_offline(desk_url: tuple[str, Any], page: Any) -> None:
    """Swagger UI comes from the installed package, not a CDN: the docs work on a closed network."""
    base, _ = desk_url
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base) else None)
    login(page, base)
    page.goto(f"{base}/api/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=15_000)
    assert page.locator(".swagger-ui .opblock").count() >= 5
    assert "queue" in page.locator(".swagger-ui").inner_text().lower()
    assert outside == []
