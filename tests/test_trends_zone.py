"""Trends count the brand's days in its time zone, not UTC's (issue 12): a complaint sent at 7 pm in Los Angeles
belongs to that evening, on SQLite and on PostgreSQL, across a clock change."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlmodel import Session

from mentiondesk.core.brands import parse_brands
from mentiondesk.web import trends
from tests.conftest import TEST_BRANDS
from tests.test_alerts import Store

if TYPE_CHECKING:
    from rules.classifier import Classifier

LA = TEST_BRANDS.replace('timezone = "UTC"', 'timezone = "America/Los_Angeles"')


def test_offset_spans_cut_at_the_clock_change() -> None:
    lo = datetime(2026, 10, 31, 7, tzinfo=UTC)
    hi = datetime(2026, 11, 2, 8, tzinfo=UTC)
    # US summer time ends on Sunday 1 November 2026 at 2 am local: 09:00 UTC.
    assert trends.offset_spans(lo, hi, "America/Los_Angeles") == [
        (lo, datetime(2026, 11, 1, 9, tzinfo=UTC), -420),
        (datetime(2026, 11, 1, 9, tzinfo=UTC), hi, -480),
    ]
    assert trends.offset_spans(lo, hi, "Asia/Kolkata") == [(lo, hi, 330)]


def test_trend_days_are_the_brands_days(any_engine: Engine, classifier: Classifier) -> None:
    brands = parse_brands(LA)
    store = Store(any_engine, brands, classifier)
    evening = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)  # 19:00 on 19 November in Los Angeles
    store.add(
        [
            ("@AcmeCoffee my order never arrived, awful", evening),
            ("@AcmeCoffee cold coffee again, terrible", evening + timedelta(hours=10)),  # 02:00 on the 20th locally
            # 31 October 23:30 local (summer time, UTC-7) and 1 November 23:30 local (winter time, UTC-8).
            ("@AcmeCoffee halloween latte was great", datetime(2026, 11, 1, 6, 30, tzinfo=UTC)),
            ("@AcmeCoffee the sunday queue took forever", datetime(2026, 11, 2, 7, 30, tzinfo=UTC)),
        ]
    )
    with Session(any_engine) as session:
        november = trends.report(session, brands.brands, "acme", date(2026, 11, 19), date(2026, 11, 20))
        clock_change = trends.report(session, brands.brands, "acme", date(2026, 10, 31), date(2026, 11, 1))
    assert november.zone == "America/Los_Angeles"
    per_day = [sum(v[i] for v in november.by_category.values.values()) for i in range(2)]
    assert november.by_category.days == ["2026-11-19", "2026-11-20"] and per_day == [1, 1]
    per_day = [sum(v[i] for v in clock_change.by_category.values.values()) for i in range(2)]
    assert clock_change.by_category.days == ["2026-10-31", "2026-11-01"] and per_day == [1, 1]
    # A UTC brand still counts UTC days (and may use the SQLite rollups).
    utc = parse_brands(TEST_BRANDS)
    with Session(any_engine) as session:
        plain = trends.report(session, utc.brands, "acme", date(2026, 11, 19), date(2026, 11, 20))
    assert [sum(v[i] for v in plain.by_category.values.values()) for i in range(2)] == [0, 2]
