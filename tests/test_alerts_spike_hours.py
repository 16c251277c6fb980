"""The spike rule compares the last window with the same clock hours, in the brand's time zone, of each of the
previous seven days. London's lunchtime rush at 11:00-12:00 is 10:00-11:00 UTC in summer time and 11:00-12:00
UTC after the clocks go back: the week before the change is still the usual lunchtime, not a quiet hour."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count

from sqlalchemy import Engine
from sqlmodel import Session

from mentiondesk.alerts.rules import same_hours, spikes
from mentiondesk.core.brands import Brand, parse_brands
from storage.db import transaction
from storage.models import Mention
from tests.conftest import TEST_BRANDS

NOW = datetime(2026, 10, 27, 12, 0, tzinfo=UTC)  # Tuesday noon in London, two days after summer time ended
_ids = count()


def brand(zone: str) -> Brand:
    extra = f'\n[brands.acme.business_hours]\ntimezone = "{zone}"\n\n[brands.acme.alerts]\nspike_min_count = 10\n'
    return parse_brands(TEST_BRANDS + extra).brands["acme"]


def post(engine: Engine, at: datetime, n: int, sentiment: str = "neutral") -> None:
    with transaction(engine) as session:
        for i in range(n):
            session.add(
                Mention(
                    brand="acme",
                    platform="x",
                    external_id=f"p{next(_ids)}",
                    author_handle=f"c{i}",
                    text="@AcmeCoffee queue",
                    created_at=at + timedelta(seconds=i),
                    found_via="mention",
                    sentiment=sentiment,
                )  # fmt: skip
            )


def lunchtime_week(engine: Engine) -> None:
    """Twelve posts at 11:30 London time every day of the week before, whatever the UTC offset."""
    for days in range(1, 8):
        day = (NOW - timedelta(days=days)).date()
        local = datetime(day.year, day.month, day.day, 11, 30)
        offset = timedelta(hours=1) if day < datetime(2026, 10, 25).date() else timedelta(0)  # BST before the 25th
        post(engine, (local - offset).replace(tzinfo=UTC), 12)


def test_the_baseline_is_the_same_clock_hours_across_a_clock_change() -> None:
    windows = same_hours(NOW, timedelta(hours=1), "Europe/London")
    assert [(a.strftime("%d %H:%M"), b.strftime("%H:%M")) for a, b in windows] == [
        ("26 11:00", "12:00"),  # GMT
        ("25 11:00", "12:00"),  # the day of the change: GMT from 01:00 UTC
        ("24 10:00", "11:00"),  # BST: 11:00-12:00 in London
        ("23 10:00", "11:00"), ("22 10:00", "11:00"), ("21 10:00", "11:00"), ("20 10:00", "11:00"),
    ]  # fmt: skip
    # In a zone with no clock change it is 24 hours back each day.
    assert [b for _, b in same_hours(NOW, timedelta(hours=1), "UTC")] == [NOW - timedelta(days=d) for d in range(1, 8)]


def test_a_usual_lunchtime_after_the_clock_change_is_no_spike_and_a_real_one_is(engine: Engine) -> None:
    london = brand("Europe/London")
    lunchtime_week(engine)
    post(engine, NOW - timedelta(minutes=30), 12)  # today's lunchtime, as busy as every day's
    with transaction(engine) as session:
        assert spikes(session, london, NOW) == []
    with Session(engine) as session:  # counted 24 hours back, five of the seven days would look quiet
        assert spikes(session, brand("UTC"), NOW) != []

    post(engine, NOW - timedelta(minutes=20), 30, "negative")  # 42 against 12 usually
    with transaction(engine) as session:
        due = spikes(session, london, NOW)
    assert len(due) == 1 and "42 mentions in the last 1h against 12.0 on a usual day at this hour" in due[0].body
    trigger = due[0].trigger
    assert trigger["time_zone"] == "Europe/London" and [w["mentions"] for w in trigger["baseline"]] == [12] * 7
    assert trigger["baseline"][2]["from"] == "2026-10-24T10:00:00+00:00"
