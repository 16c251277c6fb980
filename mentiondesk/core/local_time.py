"""Times people give and read in a brand's time zone (a follow-up promised for 09:30 means 09:30 where the
team works): parsed from ISO text with or without an offset, shown with the zone named. Pure."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from mentiondesk.core.errors import InputError
from mentiondesk.core.vocabulary import as_utc


def in_zone(moment: datetime, zone: str) -> datetime:
    """A time with no offset read as a clock time in `zone` (the earlier one when a clock change repeats it);
    one with an offset kept. Aware UTC either way."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
    return moment.astimezone(UTC)


def parse_local(raw: str, zone: str, *, what: str = "follow-up") -> datetime:
    """ISO date and time ("2026-12-01T09:30", "2026-12-01 09:30", "…+01:00", "…Z") as aware UTC; without an
    offset it is a clock time in `zone`."""
    text = raw.strip()
    try:
        moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError:
        raise InputError(f"{what} {raw[:60]!r} is not a date and time like 2026-12-01T09:30") from None
    return in_zone(moment, zone)


def local_label(moment: datetime, zone: str) -> str:
    """ "2026-12-01 09:30 Europe/London" (stored times are UTC; naive ones are read as UTC)."""
    return f"{as_utc(moment).astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M} {zone}"


def local_iso(moment: datetime, zone: str) -> str:
    """ISO 8601 with the zone's offset at that moment: "2026-12-01T09:30:00+00:00"."""
    return as_utc(moment).astimezone(ZoneInfo(zone)).isoformat()
