"""Filtering by tag in headless Chromium, as a manager does it: the queue's Tag box with another filter kept, the
trends page's Tag box and its export link, and a tag nobody uses."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import SecretStr
from sqlmodel import Session, col, select

from mentiondesk.settings import Settings
from storage.db import make_engine, upgrade
from storage.desk_models import MentionTag
from storage.models import Draft, DraftState
from tests.browser import NEEDS_CHROMIUM, login, served
from tests.factories import mention
from tests.test_team_desk import add_users, fill, team_brands

pytestmark = NEEDS_CHROMIUM


@pytest.fixture(scope="module")
def desk_url(tmp_path_factory: pytest.TempPathFactory, classifier: Any) -> Iterator[tuple[str, Any]]:
    from mentiondesk.web.app import create_app

    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('tags') / 'desk.db'}")
    upgrade(engine)
    brands = team_brands()
    fill(
        engine,
        brands,
        classifier,
        [
            [
                mention("@AcmeCoffee still waiting for my refund, three weeks now", author="ben_r", name="Ben Ruiz"),
                mention("@AcmeCoffee I want my money back, the cup leaked all over me", author="cara", name="Cara"),
                mention("@AcmeCoffee my order is two hours late and cold", author="dev_k", name="Dev"),
                mention("@AcmeCoffee terrible service at the airport store today", author="fay", name="Fay"),
            ]
        ],
    )
    add_users(engine)
    app = create_app(engine, brands, Settings(secret_key=SecretStr("test-secret-key")))
    with served(app) as base:
        yield base, engine
    engine.dispose()


def tagged_drafts(engine: Any, tag: str) -> tuple[set[int], set[int]]:
    """(drafts of mentions with `tag`, every open draft)."""
    with Session(engine) as session:
        tagged = set(session.exec(select(MentionTag.mention_id).where(MentionTag.tag == tag)))
        drafts = list(session.exec(select(Draft).where(Draft.state == DraftState.DRAFTED)))
    return {d.id for d in drafts if d.mention_id in tagged and d.id}, {d.id for d in drafts if d.id}


def cards(pg: Any) -> set[int]:
    return {int(a) for a in pg.eval_on_selector_all("article.card[data-draft]", "els => els.map(e => e.dataset.draft)")}


def test_a_manager_filters_the_queue_and_trends_by_tag(desk_url: tuple[str, Any], page: Any) -> None:
    base, engine = desk_url
    refund, everything = tagged_drafts(engine, "refund")
    assert refund and everything - refund
    login(page, base, "maria")
    assert cards(page) == everything

    page.select_option("select[name=platform]", "replay")
    page.fill("input[name=tag]", "Refund")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**tag=Refund**")
    assert cards(page) == refund
    assert page.input_value("input[name=tag]") == "refund"
    assert page.eval_on_selector("select[name=platform]", "el => el.value") == "replay"  # the other filter stays
    assert page.inner_text("h1 .count") == str(len(refund))

    page.fill("input[name=tag]", "vip")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**tag=vip**")
    assert cards(page) == set()
    assert page.inner_text("#tag-note") == "No mention is tagged 'vip'."

    page.goto(f"{base}/trends?brand=acme&start=2026-11-01&end=2026-12-31")
    page.fill("input[name=tag]", "refund")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**tag=refund**")
    with Session(engine) as session:
        tagged = len(list(session.exec(select(MentionTag).where(col(MentionTag.tag) == "refund"))))
    kpi = page.locator(".kpi", has_text="mentions").first.locator(".kpi-value").inner_text()
    assert kpi == str(tagged)
    assert "Every figure counts only mentions tagged refund" in page.inner_text("#tag-filter")
    assert "tag=refund" in (page.get_attribute("a[download]", "href") or "")
