"""Response targets in business hours: how many working minutes lie between two moments, and when a target
of N working minutes runs out. Pure; no business hours means the clock always runs."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from mentiondesk.core.brands import DAYS, BusinessHours

MAX_DAYS = 3700  # ten years of calendar: a bound, never reached by a real target


def _open_spans(hours: BusinessHours, first: date) -> Iterator[tuple[datetime, datetime]]:
    """Each working day's opening and closing time in UTC, from `first` (a local date) on."""
    zone = ZoneInfo(hours.timezone)
    weekdays = hours.weekdays()
    for offset in range(MAX_DAYS):
        day = first + timedelta(days=offset)
        if day.weekday() not in weekdays:
            continue
        opens = datetime.combine(day, hours.hours.start, zone).astimezone(UTC)
        closes = datetime.combine(day, hours.hours.end, zone).astimezone(UTC)
        yield opens, closes


def hours_label(hours: BusinessHours) -> str:
    """ "Mon-Fri 09:00-17:00 Europe/London" (or the days listed one by one when they are not a run)."""
    days = sorted(hours.weekdays())
    names = [DAYS[d].capitalize() for d in days]
    run = days == list(range(days[0], days[-1] + 1))
    span = f"{names[0]}-{names[-1]}" if run and len(days) > 2 else ", ".join(names)
    return f"{span} {hours.hours.start:%H:%M}-{hours.hours.end:%H:%M} {hours.timezone}"


def working_minutes(start: datetime, end: datetime, hours: BusinessHours | None) -> float:
    """Minutes from `start` to `end` that fall in business hours (all of them without business hours)."""
    if end <= start:
        return 0.0
    if hours is None:
        return (end - start).total_seconds() / 60
    total = 0.0
    for opens, closes in _open_spans(hours, start.astimezone(ZoneInfo(hours.timezone)).date()):
        if opens >= end:
            break
        lo, hi = max(opens, start), min(closes, end)
        if hi > lo:
            total += (hi - lo).total_seconds() / 60
    return total


def breach_at(start: datetime, target_minutes: float, hours: BusinessHours | None) -> datetime:
    """When `target_minutes` working minutes have passed since `start`."""
    if hours is None:
        return start + timedelta(minutes=target_minutes)
    left = timedelta(minutes=target_minutes)
    for opens, closes in _open_spans(hours, start.astimezone(ZoneInfo(hours.timezone)).date()):
        lo = max(opens, start)
        if closes <= lo:
            continue
        if closes - lo >= left:
            return lo + left
        left -= closes - lo
    return start + timedelta(days=MAX_DAYS)


class WorkingClock:
    """working_minutes for many pairs at once (a trends range's replies): the open spans from `first` to `last`
    are laid out once with the working minutes before each, so a pair costs two binary searches. Same spans,
    same answers as working_minutes."""

    def __init__(self, hours: BusinessHours, first: datetime, last: datetime) -> None:
        zone = ZoneInfo(hours.timezone)
        self._opens: list[datetime] = []
        self._closes: list[datetime] = []
        self._before: list[float] = []
        total = 0.0
        for opens, closes in _open_spans(hours, first.astimezone(zone).date()):
            if opens > last:
                break
            self._opens.append(opens)
            self._closes.append(closes)
            self._before.append(total)
            total += (closes - opens).total_seconds() / 60
        self._first, self._last = first, last

    def _elapsed(self, moment: datetime) -> float:
        """Working minutes from the first span's opening to `moment`."""
        i = bisect_right(self._opens, moment) - 1
        if i < 0:
            return 0.0
        return self._before[i] + (min(moment, self._closes[i]) - self._opens[i]).total_seconds() / 60

    def minutes(self, start: datetime, end: datetime) -> float:
        if end <= start:
            return 0.0
        if start < self._first or end > self._last:
            raise ValueError("outside the clock's range")
        return self._elapsed(end) - self._elapsed(start)
