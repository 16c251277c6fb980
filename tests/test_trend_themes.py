"""Top complaint themes, as marketing reads them on the Trends page: phrases people actually wrote about what
went wrong, not word pairs stitched across a comma or around "genuinely"."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlmodel import Session

from mentiondesk.web import trends
from storage.db import make_engine, upgrade
from storage.models import Mention

DAY = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
COMPLAINTS = [
    # One post copied by four people: each of its word pairs counts four times.
    *["The app is genuinely the worst ordering app I've used. Logs me out daily, loses my saved drinks."] * 4,
    # Four different people about the same two things.
    "my order never arrived and the drive thru line was 40 minutes",
    "second time my order never arrived from the drive thru. what is going on",
    "drive thru at Pine St took forever, order never arrived at the window either",
    "order never arrived!! drive thru staff had no idea",
    # Who a complaint asks and when it happened are no theme.
    "anyone else gotten a burnt bag today? harbor blend",
    "anyone else gotten the wrong milk today",
]


def test_themes_are_phrases_people_wrote_and_shared_ones_come_first(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'themes.db'}")
    upgrade(engine)
    with Session(engine) as session:
        for i, text in enumerate(COMPLAINTS):
            session.add(
                Mention(
                    brand="acme",
                    platform="x",
                    external_id=f"t{i}",
                    author_handle=f"user{i}",
                    text=text,
                    created_at=DAY + timedelta(minutes=i),
                    fetched_at=DAY + timedelta(minutes=i),
                    label="complaint",
                    sentiment="negative",
                )  # fmt: skip
            )
        session.commit()
        found = trends.themes(session, "acme", date(2026, 6, 1), date(2026, 6, 30), top=3)
    phrases = [phrase for phrase, _ in found]
    assert set(phrases) == {"never arrived", "order never", "drive thru"}
    everything = [phrase for phrase, _ in trends.themes(Session(engine), "acme", date(2026, 6, 1), date(2026, 6, 30))]
    assert "daily loses" not in everything  # across a comma
    assert not any(w in phrase.split() for phrase in everything for w in ("genuinely", "i've"))
    assert not any(w in phrase.split() for phrase in everything for w in ("anyone", "else", "gotten", "today"))
