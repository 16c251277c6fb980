"""Trend figures read from the rollup tables (storage/web_models.py; SQLite and PostgreSQL): a few thousand
pre-counted rows per year instead of every mention. Same shapes as the direct queries in trends.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from mentiondesk.core.brands import Brand
from storage import web_models as web_rollups
from storage.models import utcnow


def available(session: Session) -> bool:
    return web_rollups.installed(session.connection())


def counts(session: Session, brand: str, start: date, end: date) -> list[tuple[str, str, str, str, str, int]]:
    rows = session.execute(
        text(
            """SELECT day, label, sentiment, platform, found_via, SUM(n) FROM trend_day
               WHERE (:brand = '' OR brand = :brand) AND day >= :start AND day <= :end
               GROUP BY day, label, sentiment, platform, found_via HAVING SUM(n) <> 0"""
        ),
        {"brand": brand, "start": start.isoformat(), "end": end.isoformat()},
    ).all()  # fetched at once: a year is thousands of rows, and iterating fetches them one at a time
    return [(d, lb or "unlabelled", s or "unknown", p, f, int(n)) for d, lb, s, p, f, n in rows]


def share_of_voice(
    session: Session, brand: Brand, start: date, end: date, non_keyword: int
) -> list[tuple[str, int]] | None:
    """None when a configured name is not tracked yet (the caller then counts directly). As trends.share_of_voice
    counts: the brand's name in keyword matches, a competitor's in every mention."""
    names = [brand.name, *brand.competitors]
    params: dict[str, Any] = {"brand": brand.key, "start": start.isoformat(), "end": end.isoformat()}
    tracked = {t for (t,) in session.execute(text("SELECT term FROM trend_term WHERE brand = :brand"), params)}
    if any(n.lower() not in tracked for n in names):
        return None
    rows = session.execute(
        text(
            """SELECT term, found_via = 'keyword', SUM(n) FROM trend_voice
               WHERE brand = :brand AND day >= :start AND day <= :end GROUP BY 1, 2"""
        ),
        params,
    ).all()
    every: dict[str, int] = {}
    keyword: dict[str, int] = {}
    for term, is_keyword, n in rows:
        every[term] = every.get(term, 0) + int(n or 0)
        if is_keyword:
            keyword[term] = keyword.get(term, 0) + int(n or 0)
    values = [keyword.get(brand.name.lower(), 0) + non_keyword]
    values += [every.get(c.lower(), 0) for c in brand.competitors]
    return list(zip(names, values, strict=True))


def reply_histogram(session: Session, brand: str, start: date, end: date) -> dict[bool, list[tuple[int, int]]]:
    """Whole minutes from post to reply -> replies, for human (False) and automated (True) replies, sorted."""
    rows = session.execute(
        text(
            """SELECT automated, minutes, SUM(n) FROM trend_reply
               WHERE (:brand = '' OR brand = :brand) AND day >= :start AND day <= :end
               GROUP BY automated, minutes HAVING SUM(n) > 0 ORDER BY automated, minutes"""
        ),
        {"brand": brand, "start": start.isoformat(), "end": end.isoformat()},
    )
    out: dict[bool, list[tuple[int, int]]] = {False: [], True: []}
    for automated, minutes, n in rows:
        out[bool(automated)].append((int(minutes), int(n)))
    return out


def percentile(histogram: list[tuple[int, int]], q: float) -> float | None:
    """The value at rank int((N - 1) * q) of the sorted replies, as the direct query picks it."""
    total = sum(n for _, n in histogram)
    if not total:
        return None
    rank = int((total - 1) * q)
    seen = 0
    for minutes, n in histogram:
        seen += n
        if seen > rank:
            return float(minutes)
    return float(histogram[-1][0])


def repeat_customers(
    session: Session, brand: str, start: date, end: date, range_rows: int
) -> tuple[int, int, list[tuple[int, int]]] | None:
    """(authors with 2+ of the brand's own mentions, their mentions, top ten (author id, mentions)) from
    trend_author, or None when it is missing. A range holding most of the brand's mentions is read as each
    author's total less the days outside it, so the year view reads one row per author instead of one per
    author and day."""
    if not brand or not _has_author_rollup(session):
        return None
    params: dict[str, Any] = {"brand": brand, "start": start.isoformat(), "end": end.isoformat()}
    brand_rows = session.execute(
        text("SELECT SUM(n) FROM trend_day WHERE brand = :brand AND found_via <> 'competitor'"), params
    ).scalar()
    if range_rows * 2 > int(brand_rows or 0):
        # One index range from the all-days rows ('' sorts before every day) through the days before the range,
        # and one after it, as two reads: SQLite reads `day < :start OR day > :end` as every row of the brand.
        per_author = """SELECT author_id, SUM(n) AS n FROM (
                SELECT author_id, CASE WHEN day = '' THEN n ELSE -n END AS n FROM trend_author
                WHERE brand = :brand AND day < :start
                UNION ALL
                SELECT author_id, -n FROM trend_author WHERE brand = :brand AND day > :end
            ) AS outside GROUP BY author_id HAVING SUM(n) >= 2"""
    elif not _has_month_rollup(session):
        per_author = """SELECT author_id, SUM(n) AS n FROM trend_author
            WHERE brand = :brand AND day >= :start AND day <= :end GROUP BY author_id HAVING SUM(n) >= 2"""
    else:
        per_author = _month_sum(author_pieces(start, end, utcnow().date()), params)
        if session.connection().dialect.name == "postgresql":
            # PostgreSQL guesses 200 authors for a GROUP BY over a UNION ALL and hands the read to parallel
            # workers, which on a busy host wait for a core: one process read a 90-day range in 407 ms where
            # the parallel plan took 629 ms. For this transaction only (a request's session).
            session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
    rows = session.execute(
        text(
            f"""SELECT author_id, n, COUNT(*) OVER (), SUM(n) OVER () FROM ({per_author}) AS r
                ORDER BY n DESC, author_id LIMIT 10"""
        ),
        params,
    ).all()
    if not rows:
        return 0, 0, []
    return int(rows[0][2]), int(rows[0][3]), [(int(a), int(n)) for a, n, _, _ in rows]


@dataclass(frozen=True)
class AuthorPieces:
    """A date range as rollup rows: whole months from trend_author_month, plus days from trend_author added
    (`days`) or taken away (`less_days`, days of a counted month that lie outside the range); inclusive spans."""

    months: list[str] = field(default_factory=list)
    days: list[tuple[date, date]] = field(default_factory=list)
    less_days: list[tuple[date, date]] = field(default_factory=list)


# A month's rows, in days' rows: an author writing on several days of a month has one month row. Half a month is
# what the benchmark's authors (about twenty mentions a year each) show; the choice only moves where rows are read.
MONTH_COST_IN_DAYS = 15


def author_pieces(start: date, end: date, today: date) -> AuthorPieces:
    """The cheapest pieces for [start, end], month by month: its days inside the range, or the month row less
    its days outside (days after `today` hold nothing and cost nothing)."""
    pieces = AuthorPieces()
    first = date(start.year, start.month, 1)
    while first <= end:
        following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        last = following - timedelta(days=1)
        lo, hi = max(start, first), min(end, last)
        outside = [(first, lo - timedelta(days=1)), (hi + timedelta(days=1), last)]
        outside = [(a, min(b, today)) for a, b in outside if a <= min(b, today)]
        inside_cost = (min(hi, today) - lo).days + 1
        month_cost = MONTH_COST_IN_DAYS + sum((b - a).days + 1 for a, b in outside)
        if month_cost < inside_cost:
            pieces.months.append(first.strftime("%Y-%m"))
            pieces.less_days.extend(outside)
        else:
            pieces.days.append((lo, hi))
        first = following
    return pieces


def _month_sum(pieces: AuthorPieces, params: dict[str, Any]) -> str:
    """The per-author sums of `pieces` as one query (its values added to `params`)."""
    parts = []
    if pieces.months:
        names = []
        for i, month in enumerate(pieces.months):
            params[f"m{i}"] = month
            names.append(f":m{i}")
        parts.append(
            f"SELECT author_id, n FROM trend_author_month WHERE brand = :brand AND month IN ({', '.join(names)})"
        )
    for sign, spans in (("", pieces.days), ("-", pieces.less_days)):
        for a, b in spans:
            i = len(params)
            params[f"a{i}"], params[f"b{i}"] = a.isoformat(), b.isoformat()
            parts.append(
                f"SELECT author_id, {sign}n FROM trend_author WHERE brand = :brand AND day >= :a{i} AND day <= :b{i}"
            )
    return f"""SELECT author_id, SUM(n) AS n FROM ({" UNION ALL ".join(parts)}) AS u
        GROUP BY author_id HAVING SUM(n) >= 2"""


def _has_author_rollup(session: Session) -> bool:
    return _has_table(session, "trend_author")


def _has_month_rollup(session: Session) -> bool:
    return _has_table(session, "trend_author_month")


def _has_table(session: Session, name: str) -> bool:
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        found_pg = connection.execute(text("SELECT to_regclass(CAST(:name AS text)) IS NOT NULL"), {"name": name})
        return found_pg.scalar() is True
    found = connection.execute(
        text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"), {"name": name}
    )
    return found.first() is not None
