"""A brand's monthly spend cap on a platform: the real X source through tweepy against recorded bodies, the
real poller and a SQLite file. Reads are priced with the shipped card; once the month's reads reach the cap
the source is not read again until the next month, its health says "budget reached", `sources` shows spend."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import responses
from click.testing import CliRunner
from sqlalchemy import Engine
from sqlmodel import Session

from listener.poller import Poller
from listener.x import XMentionsSource, make_client
from mentiondesk.app import load_price_card
from mentiondesk.cli import main
from mentiondesk.core.brands import parse_brands
from mentiondesk.platforms import access_of
from mentiondesk.settings import Settings, get_settings
from rules.costs import SpendMeter
from storage.models import SourceState

RECORDED = Path(__file__).parent / "recorded" / "x"
BASE = "https://x-api.example.test"
MENTIONS_URL = f"{BASE}/2/users/2244994945/mentions"
BRANDS = """
[brands.acme]
name = "Acme Coffee"
handles = { x = ["AcmeCoffee"] }
monthly_spend_cap = { x = 0.003 }
"""
NOVEMBER, DECEMBER = datetime(2026, 11, 20, tzinfo=UTC), datetime(2026, 12, 1, 0, 5, tzinfo=UTC)


def body(name: str) -> Any:
    return json.loads((RECORDED / f"{name}.json").read_text(encoding="utf-8"))


def source() -> XMentionsSource:
    settings = Settings(_env_file=None, x_api_base_url=BASE, x_bearer_token="bearer")  # type: ignore[call-arg]
    return XMentionsSource(parse_brands(BRANDS).get("acme"), "AcmeCoffee", *make_client(access_of("x", settings)))


def meter() -> SpendMeter:
    caps = {key: dict(b.monthly_spend_cap) for key, b in parse_brands(BRANDS).brands.items()}
    return SpendMeter(load_price_card(None)[0], caps)


def mention_calls() -> int:
    return sum(1 for c in responses.calls if str(c.request.url).startswith(MENTIONS_URL))


@responses.activate
def test_the_cap_pauses_the_source_until_next_month(engine: Engine) -> None:
    responses.get(f"{BASE}/2/users/by/username/AcmeCoffee", json=body("user_by_username"))
    responses.get(MENTIONS_URL, json=body("mentions_page1"))
    responses.get(MENTIONS_URL, json=body("empty"))

    first = Poller(engine, meter=meter(), clock=lambda: NOVEMBER).poll(source())
    with Session(engine) as session:
        state = session.get_one(SourceState, "x:acme:mentions:acmecoffee")
        # three posts returned (one of them malformed, billed all the same) at $0.001: the cap is spent
        assert (state.spend_month, state.spend_usd) == ("2026-11", pytest.approx(0.003))
    assert first.stored == 2 and mention_calls() == 1

    paused = Poller(engine, meter=meter(), clock=lambda: NOVEMBER).poll(source())

    assert paused.status == "budget_reached" and mention_calls() == 1  # not a request more
    assert paused.message == "budget reached: $0.003 of the $0.003 cap for 2026-11"
    with Session(engine) as session:
        assert session.get_one(SourceState, "x:acme:mentions:acmecoffee").health == "budget_reached"

    december = Poller(engine, meter=meter(), clock=lambda: DECEMBER).poll(source())

    assert december.status == "ok" and mention_calls() == 2
    with Session(engine) as session:
        state = session.get_one(SourceState, "x:acme:mentions:acmecoffee")
        assert (state.health, state.spend_month, state.spend_usd) == ("ok", "2026-12", 0.0)


@responses.activate
def test_without_a_cap_nothing_pauses(engine: Engine) -> None:
    responses.get(f"{BASE}/2/users/by/username/AcmeCoffee", json=body("user_by_username"))
    responses.get(MENTIONS_URL, json=body("mentions_page1"))
    responses.get(MENTIONS_URL, json=body("empty"))
    uncapped = SpendMeter(load_price_card(None)[0], {})

    Poller(engine, meter=uncapped, clock=lambda: NOVEMBER).poll(source())
    again = Poller(engine, meter=uncapped, clock=lambda: NOVEMBER).poll(source())

    assert again.status == "ok" and mention_calls() == 2


def test_sources_shows_the_spend_and_the_health(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for key in list(os.environ):
        if key.startswith("MENTIONDESK_"):
            monkeypatch.delenv(key)
    (tmp_path / "brands.toml").write_text(BRANDS)
    get_settings.cache_clear()
    from storage.db import open_database, transaction
    from storage.models import utcnow

    engine = open_database(f"sqlite:///{tmp_path / 'mentiondesk.db'}")
    with transaction(engine) as session:
        session.add(
            SourceState(
                name="x:acme:mentions:acmecoffee",
                platform="x",
                brand="acme",
                health="budget_reached",
                health_message="budget reached: $0.00 of the $0.00 cap",
                spend_month=utcnow().strftime("%Y-%m"),
                spend_usd=12.345,
            )
        )
    engine.dispose()
    try:
        result = CliRunner().invoke(main, ["sources"])
        listed = CliRunner().invoke(main, ["sources", "--json"]).stdout
        rows = [json.loads(line) for line in listed.splitlines() if line.startswith("{")]
    finally:
        get_settings.cache_clear()
    assert "health budget_reached" in result.output and "spent this month $12.35" in result.output
    assert rows[0]["spend_usd"] == pytest.approx(12.345)


def test_a_cap_on_an_unknown_platform_is_refused() -> None:
    from mentiondesk.core.errors import ConfigError

    with pytest.raises(ConfigError, match="monthly_spend_cap"):
        parse_brands(BRANDS.replace("{ x = 0.003 }", "{ twitter = 5 }"))
    with pytest.raises(ConfigError, match="monthly_spend_cap"):
        parse_brands(BRANDS.replace("{ x = 0.003 }", "{ x = -1 }"))
