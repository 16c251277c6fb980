"""The weekly report: written by the CLI from mentions stored through the pipeline, opened in headless Chromium
to check that its charts are there and drawn, and printed as a PDF."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner

from mentiondesk.cli import main
from mentiondesk.core.brands import parse_brands
from mentiondesk.report import Week
from mentiondesk.settings import get_settings
from storage.db import make_engine, upgrade
from tests.browser import CHROMIUM
from tests.conftest import TEST_BRANDS
from tests.test_alerts import COMPLAINTS, SmtpReceiver, Store, smtp  # noqa: F401

if TYPE_CHECKING:
    from rules.classifier import Classifier

W47 = datetime(2026, 11, 16, 10, tzinfo=UTC)  # Monday of 2026-W47
W46 = W47 - timedelta(days=7)
PRAISE = "@AcmeCoffee lovely flat white this morning, thank you BeanCo could never"


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, classifier: Classifier) -> Iterator[CliRunner]:
    monkeypatch.chdir(tmp_path)
    for key in list(os.environ):
        if key.startswith("MENTIONDESK_"):
            monkeypatch.delenv(key)
    (tmp_path / "brands.toml").write_text(TEST_BRANDS)
    engine = make_engine(f"sqlite:///{tmp_path / 'mentiondesk.db'}")
    upgrade(engine)
    store = Store(engine, parse_brands(TEST_BRANDS), classifier)
    # The week before: a little praise. The week itself: complaints every day, the same person twice.
    store.add([(PRAISE + f" {d}", W46 + timedelta(days=d, hours=1)) for d in range(7)])
    store.add([(COMPLAINTS[d % len(COMPLAINTS)] + f" day {d}", W47 + timedelta(days=d, hours=2)) for d in range(7)])
    store.add(
        [(c + " again", W47 + timedelta(days=3, hours=5, minutes=i)) for i, c in enumerate(COMPLAINTS)],
        authors=["rita", "rita", "sam", "sam", "sam"],
    )
    engine.dispose()
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_weeks_are_iso_weeks() -> None:
    week = Week.parse("2026-W47")
    assert (week.start.isoformat(), week.end.isoformat(), str(week.before())) == (
        "2026-11-16",
        "2026-11-22",
        "2026-W46",
    )
    assert str(Week.parse("2027-W01").before()) == "2026-W53"
    assert str(Week.last_complete(datetime(2026, 11, 30).date())) == "2026-W48"


@pytest.mark.parametrize(("week", "says"), [("2026-47", "YYYY-Www"), ("2026-W60", "has no week 60")])
def test_a_wrong_week_is_one_line(desk: CliRunner, week: str, says: str) -> None:
    result = desk.invoke(main, ["report", "--week", week, "--output", "r.html"])
    assert result.exit_code == 2 and says in result.output and not Path("r.html").exists()


def test_a_wrong_output_type_is_refused(desk: CliRunner) -> None:
    result = desk.invoke(main, ["report", "--week", "2026-W47", "--output", "r.docx"])
    assert result.exit_code == 2 and ".html or .pdf" in result.output


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium at /usr/bin/chromium")
def test_the_report_renders_with_its_charts(desk: CliRunner, tmp_path: Path, browser: Any) -> None:
    result = desk.invoke(main, ["report", "--brand", "acme", "--week", "2026-W47", "--output", "week.html"])
    assert result.exit_code == 0, result.output
    assert "2026-W47 (2026-11-16 to 2026-11-22)" in result.output
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    try:
        page.goto((tmp_path / "week.html").as_uri())
        assert page.locator("h1").inner_text() == "Acme Coffee: week 2026-W47"
        charts = page.locator("svg.chart")
        assert charts.count() == 5
        for i in range(charts.count()):
            box = charts.nth(i).bounding_box()
            assert box is not None and box["width"] > 200 and box["height"] > 20
        # The pictures carry data: one bar per day with complaints, the themes, both weeks side by side.
        assert page.locator("#volume svg rect").count() >= 7
        assert page.locator("#themes svg rect").count() >= 1
        assert page.locator("#weeks svg rect").count() >= 2
        summary = page.locator("#summary").inner_text()
        assert "Complaints\t12\t0\tnew" in summary or "Complaints 12 0 new" in " ".join(summary.split())
        assert "2026-W46" in summary
        repeat = page.locator("#repeat").inner_text()
        assert "2 people wrote two or more times (5 mentions)" in " ".join(repeat.split())
        assert "@sam\t3" in repeat or "@sam 3" in " ".join(repeat.split())
        shot = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
        shot.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot / "report.png"), full_page=True)
    finally:
        page.close()


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium at /usr/bin/chromium")
def test_the_report_prints_as_pdf(desk: CliRunner, tmp_path: Path) -> None:
    result = desk.invoke(main, ["report", "--week", "2026-W47", "--output", "week.pdf"])
    assert result.exit_code == 0, result.output
    data = (tmp_path / "week.pdf").read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 5000


def test_the_report_by_email(desk: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, smtp: SmtpReceiver):  # noqa: F811
    from email import message_from_bytes

    for key, value in {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp.port), "SMTP_STARTTLS": "false"}.items():
        monkeypatch.setenv(f"MENTIONDESK_{key}", value)
    get_settings.cache_clear()
    nowhere = desk.invoke(main, ["report", "--week", "2026-W47"])
    assert nowhere.exit_code == 2 and "--output" in nowhere.output
    no_one = desk.invoke(main, ["report", "--week", "2026-W47", "--email"])
    assert no_one.exit_code == 2 and "email_to" in no_one.output
    sent = desk.invoke(main, ["report", "--week", "2026-W47", "--to", "marketing@acme.test"])
    assert sent.exit_code == 0, sent.output
    assert smtp.recipients == ["marketing@acme.test"]
    mail = message_from_bytes(smtp.messages[0])
    assert mail["Subject"] == "[Mention Desk] Acme Coffee: weekly report 2026-W47"
    parts = {part.get_content_type(): part for part in mail.walk()}
    attached = [p for p in mail.walk() if p.get_filename() == "acme-2026-W47.html"]
    assert "text/plain" in parts and len(attached) == 1
    payload = attached[0].get_payload(decode=True)
    assert isinstance(payload, bytes)
    html = payload.decode()
    assert html.count('<svg class="chart') == 5 and "Acme Coffee: week 2026-W47" in html
