"""Follow-up times in the brand's time zone: a manager in New York who promises to call back at 09:30 types
09:30 (in the desk, `mentiondesk assign --follow-up` and the API) and reads 09:30 America/New_York back in the
desk, the CLI and /api/mine; a time with an offset is taken as given."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pydantic import SecretStr
from sqlalchemy import Engine
from sqlmodel import Session

from mentiondesk.cli import main
from mentiondesk.core.brands import parse_brands
from mentiondesk.settings import Settings, get_settings
from storage.models import Case, as_utc
from tests.factories import mention, must
from tests.test_team_desk import TEAM_BRANDS, add_users, by_text, fill
from tests.test_web_support import PASSWORD, csrf, flash_of

NEW_YORK = TEAM_BRANDS + '\n[brands.acme.business_hours]\nhours = "08:00-18:00"\ntimezone = "America/New_York"\n'


@pytest.fixture
def desk(engine: Engine, classifier: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    brands = parse_brands(NEW_YORK)
    fill(engine, brands, classifier, [[mention("@AcmeCoffee still waiting for my refund, three weeks now",
                                               author="ben_r", name="Ben Ruiz")]])  # fmt: skip
    add_users(engine)
    (tmp_path / "brands.toml").write_text(NEW_YORK)
    for key in ("MENTIONDESK_SECRET_KEY",):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("MENTIONDESK_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("MENTIONDESK_BRANDS_FILE", str(tmp_path / "brands.toml"))
    get_settings.cache_clear()
    yield engine, brands
    get_settings.cache_clear()


def promised(engine: Engine, case_id: int) -> datetime:
    with Session(engine) as session:
        return as_utc(must(must(session.get(Case, case_id)).follow_up_at))


def test_follow_ups_are_given_and_shown_in_the_brands_time_zone(desk: Any) -> None:
    from fastapi.testclient import TestClient

    from mentiondesk.web.app import create_app

    engine, brands = desk
    complaint = by_text(engine, "waiting for my refund")
    case_id = must(complaint.case_id)

    # The CLI: no offset is New York time (UTC-5 in December); an offset is kept.
    local = CliRunner().invoke(
        main, ["assign", str(complaint.id), "--to", "maria", "--follow-up", "2026-12-01T09:30", "--as", "omar"]
    )
    assert local.exit_code == 0, local.output
    assert "follow up by 2026-12-01 09:30 America/New_York" in local.output
    assert promised(engine, case_id) == datetime(2026, 12, 1, 14, 30, tzinfo=UTC)
    utc = CliRunner().invoke(
        main, ["assign", str(case_id), "--case", "--to", "maria", "--follow-up", "2026-12-01T09:30Z", "--json"]
    )
    assert json.loads(utc.output)["follow_up_at"] == "2026-12-01T04:30:00-05:00"
    assert json.loads(utc.output)["follow_up_zone"] == "America/New_York"
    wrong = CliRunner().invoke(main, ["assign", str(case_id), "--case", "--to", "maria", "--follow-up", "tuesday"])
    assert wrong.exit_code == 2 and "like 2026-12-01T09:30" in wrong.output

    # The desk: the form's label names the zone, and so does the time shown on the mention, the case and Mine.
    client = TestClient(create_app(engine, brands, Settings(secret_key=SecretStr(""))), follow_redirects=False)
    client.post("/login", data={"name": "maria", "password": PASSWORD, "csrf_token": csrf(client)})
    page = client.get(f"/mentions/{complaint.id}").text
    assert "Follow up by (America/New_York)" in page
    token = csrf(client, f"/mentions/{complaint.id}")
    done = client.post(f"/mentions/{complaint.id}/assign",
                       data={"to": "maria", "follow_up": "2026-12-02T08:00", "csrf_token": token})  # fmt: skip
    assert "assigned to maria" in flash_of(client, done)
    assert promised(engine, case_id) == datetime(2026, 12, 2, 13, 0, tzinfo=UTC)
    shown = '<span class="follow-up" title="2026-12-02 13:00 UTC">2026-12-02 08:00 America/New_York</span>'
    assert shown in client.get(f"/mentions/{complaint.id}").text
    assert shown in client.get(f"/cases/{case_id}").text
    assert "follow up by 2026-12-02 08:00 America/New_York" in client.get(f"/mentions/{complaint.id}").text  # audit
    assert "2026-12-02 08:00 America/New_York" in client.get("/mine").text

    # The API: a time without an offset is the brand's too; /api/mine gives it with the offset and the zone.
    api = client.post(f"/api/cases/{case_id}/assign", json={"to": "maria", "follow_up_at": "2026-12-03T17:15"},
                      headers={"X-CSRF-Token": token})  # fmt: skip
    assert api.status_code == 200, api.text
    assert promised(engine, case_id) == datetime(2026, 12, 3, 22, 15, tzinfo=UTC)
    due = client.get("/api/mine").json()["follow_ups_due"][0]
    assert due["follow_up_at"] == "2026-12-03T17:15:00-05:00" and due["follow_up_zone"] == "America/New_York"
    assert due["follow_up_local"] == "2026-12-03 17:15 America/New_York"
