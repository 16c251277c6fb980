"""Response times in business hours on the trends page, /api/trends and the weekly report: a complaint posted
at 16:30 on a Friday and answered at 09:20 on Monday took 50 working minutes, not 64 hours, and did not miss a
60-minute target; the wall-clock figures stay beside them, each labelled. Without business hours: wall clock."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pydantic import SecretStr
from sqlalchemy import Engine
from sqlmodel import Session

from mentiondesk.core.brands import BrandConfig, BusinessHours, parse_brands
from mentiondesk.core.business_hours import WorkingClock, working_minutes
from mentiondesk.report import Week, render_html
from mentiondesk.settings import Settings
from mentiondesk.web import trends
from storage.db import transaction
from storage.models import Author, Draft, DraftState, Mention
from tests.conftest import TEST_BRANDS
from tests.test_web_support import PASSWORD, signed_in

HOURS = '\n[brands.acme.business_hours]\nhours = "09:00-17:00"\ntimezone = "Europe/London"\n'
LABEL = "Mon-Fri 09:00-17:00 Europe/London"
FRIDAY = datetime(2026, 11, 20, 16, 30, tzinfo=UTC)  # London is on UTC in November; 2026-W47
MONDAY = datetime(2026, 11, 23, tzinfo=UTC)  # 2026-W48
SPAN = (date(2026, 11, 16), date(2026, 11, 29))
# (posted, answered, automated): working minutes 50, 90, 10; wall clock 3890, 90, 10.
REPLIES = [
    (FRIDAY, MONDAY + timedelta(hours=9, minutes=20), False),
    (MONDAY + timedelta(hours=10), MONDAY + timedelta(hours=11, minutes=30), False),
    (MONDAY + timedelta(days=1, hours=9), MONDAY + timedelta(days=1, hours=9, minutes=10), False),
    (MONDAY + timedelta(days=4, hours=18), MONDAY + timedelta(days=4, hours=18, minutes=5), True),  # after hours
]


def seed(engine: Engine) -> None:
    with transaction(engine) as session:
        author = Author(platform="x", handle="pat")
        session.add(author)
        session.flush()
        for i, (posted, answered, automated) in enumerate(REPLIES):
            mention = Mention(brand="acme", platform="x", external_id=f"m{i}", author_id=author.id,
                              author_handle="pat", text="@AcmeCoffee my order?", created_at=posted,
                              found_via="mention", label="complaint", sentiment="negative")  # fmt: skip
            session.add(mention)
            session.flush()
            session.add(Draft(mention_id=mention.id or 0, brand="acme", platform="x", category="complaint",
                              text="Sorry", original_text="Sorry", state=DraftState.SENT, automated=automated,
                              sent_at=answered))  # fmt: skip


def brands(hours: bool) -> BrandConfig:
    return parse_brands(TEST_BRANDS + (HOURS if hours else ""))


def test_response_times_in_business_hours_beside_the_wall_clock(any_engine: Engine) -> None:
    seed(any_engine)
    with Session(any_engine) as session:
        with_hours = trends.report(session, brands(True).brands, "acme", *SPAN).response
        without = trends.report(session, brands(False).brands, "acme", *SPAN).response
    assert with_hours.hours == LABEL
    assert (with_hours.business_human_median, with_hours.business_human_p90) == (50, 50)
    assert with_hours.business_human_breaches == 1  # 90 working minutes; the weekend did not count
    assert with_hours.business_automated_median == 0  # sent after closing: no working minute passed
    assert (with_hours.human_median, with_hours.human_breaches) == (90, 2)  # the wall clock, as before
    assert without.hours == "" and without.business_human_median is None
    assert (without.human_median, without.human_p90, without.human_breaches) == (
        with_hours.human_median, with_hours.human_p90, with_hours.human_breaches)  # fmt: skip


def test_trends_page_api_and_csv_label_business_hours(engine: Engine) -> None:
    from mentiondesk.web.app import create_app
    from mentiondesk.web.users import add_user

    seed(engine)
    with transaction(engine) as session:
        add_user(session, "ana", "analyst", PASSWORD)
    query = f"brand=acme&start={SPAN[0]}&end={SPAN[1]}"
    for hours in (True, False):
        client = signed_in(create_app(engine, brands(hours), Settings(secret_key=SecretStr(""))), "ana")
        page = " ".join(client.get(f"/trends?{query}").text.split())
        api = client.get(f"/api/trends?{query}").json()["response"]
        csv = client.get(f"/trends.csv?{query}").text
        if hours:
            assert '50m</span><span class="kpi-label">median first human reply, in business hours' in page
            assert f"Business hours: {LABEL}" in page and "Wall clock" in page
            assert '1</span><span class="kpi-label">over the 1h target in business hours' in page
            assert api["hours"] == LABEL and api["business_human_median"] == 50 and api["human_median"] == 90
            assert api["business_human_breaches"] == 1 and api["human_breaches"] == 2
            assert f"response,business_hours,,{LABEL}" in csv and "response,business_human_median_minutes,,50" in csv
        else:
            assert '1h 30m</span><span class="kpi-label">median first human reply</span>' in page
            assert "business hours" not in page.lower()
            assert api["hours"] == "" and api["business_human_median"] is None and "business_hours" not in csv


def test_the_weekly_report_shows_business_hours(engine: Engine) -> None:
    seed(engine)
    html = " ".join(render_html(engine, brands(True), "acme", Week(2026, 48)).split())
    assert '<td>Median first human reply (business hours)</td> <td class="num">10m</td>' in html  # 10, 90
    assert "<td>Median first human reply (wall clock)</td>" in html
    assert '<td>Replies over the target (business hours)</td> <td class="num">1</td>' in html
    assert f"Business hours: {LABEL}" in html
    plain = " ".join(render_html(engine, brands(False), "acme", Week(2026, 48)).split())
    assert "<td>Median first human reply</td>" in plain and "business hours" not in plain.lower()


def test_the_working_clock_counts_as_working_minutes() -> None:
    """Many pairs, across a weekend and London's clock change in October: the same minutes."""
    hours = BusinessHours.model_validate({"hours": "08:30-17:45", "days": ["mon", "wed", "thu", "sat"],
                                          "timezone": "Europe/London"})  # fmt: skip
    rng = random.Random(3)
    first = datetime(2026, 10, 15, tzinfo=UTC)
    pairs: list[tuple[datetime, datetime]] = []
    for _ in range(400):
        a = first + timedelta(minutes=rng.uniform(0, 30 * 1440))
        pairs.append((a, a + timedelta(minutes=rng.choice([0, 3, 59, 600, 4000, rng.uniform(0, 9000)]))))
    clock = WorkingClock(hours, min(a for a, _ in pairs), max(b for _, b in pairs))
    got: list[Any] = [round(clock.minutes(a, b), 6) for a, b in pairs]
    assert got == [round(working_minutes(a, b, hours), 6) for a, b in pairs]
    assert sum(1 for m in got if m == 0) < 300 and max(got) > 1000  # a real mix
