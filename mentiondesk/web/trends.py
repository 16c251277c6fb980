"""Trend figures for a brand and a date range. Counting happens in SQL (GROUP BY day and the few
low-cardinality columns, on a covering index); Python only reshapes the few hundred result rows."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, literal, literal_column, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from mentiondesk.core.brands import Brand, BusinessHours
from mentiondesk.core.business_hours import WorkingClock, hours_label
from mentiondesk.core.vocabulary import as_utc
from mentiondesk.web import trend_rollups
from storage.models import Draft, DraftState, FoundVia, Mention
from storage.queries import has_tag

THEME_SAMPLE = 3000
# Besides function words: who and when a complaint is told to ("anyone else having issues?", "today") recur
# in complaints about anything, so they make no theme.
STOPWORDS = frozenset(
    [
        "a",
        "about",
        "absolutely",
        "actually",
        "after",
        "again",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "anybody",
        "anyone",
        "are",
        "as",
        "at",
        "basically",
        "be",
        "been",
        "before",
        "being",
        "but",
        "by",
        "can",
        "cant",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "dont",
        "else",
        "even",
        "everybody",
        "everyone",
        "for",
        "from",
        "genuinely",
        "get",
        "getting",
        "got",
        "gotten",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "honestly",
        "how",
        "i",
        "if",
        "im",
        "in",
        "into",
        "is",
        "it",
        "its",
        "ive",
        "just",
        "literally",
        "me",
        "more",
        "most",
        "my",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "one",
        "only",
        "or",
        "other",
        "our",
        "out",
        "over",
        "own",
        "please",
        "pls",
        "really",
        "same",
        "seriously",
        "she",
        "should",
        "so",
        "some",
        "somebody",
        "someone",
        "still",
        "such",
        "than",
        "that",
        "thats",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "today",
        "tonight",
        "too",
        "totally",
        "two",
        "u",
        "under",
        "until",
        "up",
        "ur",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "why",
        "will",
        "with",
        "would",
        "yesterday",
        "you",
        "your",
        "yours",
    ]
)
_WORD = re.compile(r"[a-z][a-z']+")
_CLAUSE_BREAK = re.compile(r"[.,;:!?()\[\]\n\"\u2014\u2013]+|\s-\s")


@dataclass
class Series:
    days: list[str]
    values: dict[str, list[int]]

    def total(self, key: str) -> int:
        return sum(self.values.get(key, []))


@dataclass
class ResponseStats:
    human_count: int = 0
    human_median: float | None = None
    human_p90: float | None = None
    human_breaches: int = 0
    automated_count: int = 0
    automated_median: float | None = None
    target_minutes: int = 60
    # The same replies in working minutes, when the brand has business hours (`hours` names them; empty: none),
    # counted as the queue's age meter and the breach alerts count them. The target is met or missed in these.
    hours: str = ""
    business_human_median: float | None = None
    business_human_p90: float | None = None
    business_human_breaches: int = 0
    business_automated_median: float | None = None


@dataclass
class TrendReport:
    brand: str
    start: date
    end: date
    total: int
    by_category: Series
    by_platform: Series
    sentiment: Series
    themes: list[tuple[str, int]]
    voice: list[tuple[str, int]]
    response: ResponseStats
    repeat_authors: int
    repeat_mentions: int
    top_repeat: list[tuple[str, int]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    zone: str = "UTC"  # the brand's time zone: what a day is
    tag: str = ""  # every figure counts only mentions with this tag

    def sentiment_share(self) -> dict[str, list[float]]:
        totals = [sum(v[i] for v in self.sentiment.values.values()) for i in range(len(self.sentiment.days))]
        return {
            key: [(v[i] / totals[i]) if totals[i] else 0.0 for i in range(len(totals))]
            for key, v in self.sentiment.values.items()
        }


def _day(session: Session) -> ColumnElement[str]:
    if session.get_bind().dialect.name == "sqlite":
        # Stored as 'YYYY-MM-DD HH:MM:SS.ffffff' UTC: the day is the first ten characters.
        # Literal arguments (not bound parameters) so SQLite matches the ix_mention_day expression index.
        return func.substr(col(Mention.created_at), literal_column("1"), literal_column("10"))
    return func.to_char(func.timezone("UTC", Mention.created_at), "YYYY-MM-DD")


def _bounds(start: date, end: date, zone: str = "UTC") -> tuple[datetime, datetime]:
    """The range's first and last day as UTC instants: from midnight to midnight in the brand's time zone."""
    tz = ZoneInfo(zone)
    first = datetime.combine(start, time(), tz).astimezone(UTC)
    return first, datetime.combine(end + timedelta(days=1), time(), tz).astimezone(UTC)


def _scope(stmt: Any, brand: str, start: date, end: date, zone: str = "UTC", tag: str = "") -> Any:
    lo, hi = _bounds(start, end, zone)
    if brand:
        stmt = stmt.where(Mention.brand == brand)
    return _tagged(stmt, tag).where(Mention.created_at >= lo, Mention.created_at < hi)


def _tagged(stmt: Any, tag: str) -> Any:
    """Only mentions carrying `tag` (every figure of a tag-filtered report goes through here); empty: all."""
    return stmt.where(has_tag(col(Mention.id), tag)) if tag else stmt


def _days(start: date, end: date) -> list[str]:
    return [(start + timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]


def is_utc(zone: str) -> bool:
    return zone in ("UTC", "Etc/UTC", "Etc/GMT", "GMT", "Etc/Zulu", "Zulu", "UCT", "Etc/UCT")


def _utc_offset(tz: ZoneInfo, moment: datetime) -> int:
    offset = moment.astimezone(tz).utcoffset()
    return int(offset.total_seconds() // 60) if offset else 0


def offset_spans(lo: datetime, hi: datetime, zone: str) -> list[tuple[datetime, datetime, int]]:
    """[lo, hi) cut where the zone's UTC offset changes: (from, to, offset in minutes) with one offset each."""
    tz = ZoneInfo(zone)
    spans: list[tuple[datetime, datetime, int]] = []
    begin, offset, moment = lo, _utc_offset(tz, lo), lo
    while moment < hi:
        step = min(moment + timedelta(hours=1), hi)
        if _utc_offset(tz, step) != offset and step < hi:
            a, b = moment, step  # the change lies in (a, b]: narrow it to the minute
            while b - a > timedelta(minutes=1):
                middle = a + (b - a) / 2
                a, b = (middle, b) if _utc_offset(tz, middle) == offset else (a, middle)
            spans.append((begin, b, offset))
            begin, offset = b, _utc_offset(tz, b)
        moment = step
    spans.append((begin, hi, offset))
    return spans


def counts(
    session: Session, brand: str, start: date, end: date, zone: str = "UTC", tag: str = ""
) -> list[tuple[str, str, str, str, str, int]]:
    """(day, label, sentiment, platform, found_via, n): one pass over the covering index. Days are the brand's
    calendar days in its time zone."""
    if not is_utc(zone):
        return _zoned_counts(session, brand, start, end, zone, tag)
    day = _day(session)
    stmt = select(
        day, col(Mention.label), col(Mention.sentiment), col(Mention.platform), col(Mention.found_via), func.count()
    ).group_by(day, col(Mention.label), col(Mention.sentiment), col(Mention.platform), col(Mention.found_via))
    if brand:
        stmt = stmt.where(col(Mention.brand) == brand)
    stmt = _tagged(stmt, tag)
    if session.get_bind().dialect.name == "sqlite":
        stmt = stmt.where(day >= start.isoformat(), day <= end.isoformat())  # the ix_mention_day expression
    else:  # a range on created_at: PostgreSQL reads the range from ix_mention_trends instead of the whole brand
        lo, hi = _bounds(start, end)
        stmt = stmt.where(col(Mention.created_at) >= lo, col(Mention.created_at) < hi)
    rows = session.execute(stmt).all()
    return [(str(d), lb or "unlabelled", s or "unknown", p, f, int(n)) for d, lb, s, p, f, n in rows]


def _zoned_counts(
    session: Session, brand: str, start: date, end: date, zone: str, tag: str = ""
) -> list[tuple[str, str, str, str, str, int]]:
    """PostgreSQL converts each time to the zone; SQLite, which knows no zones, adds the zone's offset, one
    query per stretch of time with the same offset (a clock change splits a year in three)."""
    lo, hi = _bounds(start, end, zone)
    columns = (col(Mention.label), col(Mention.sentiment), col(Mention.platform), col(Mention.found_via))
    if session.get_bind().dialect.name == "sqlite":
        spans = [
            (func.date(col(Mention.created_at), literal_column(f"'{offset:+d} minutes'")), a, b)
            for a, b, offset in offset_spans(lo, hi, zone)
        ]
    else:
        spans = [(func.to_char(func.timezone(zone, Mention.created_at), "YYYY-MM-DD"), lo, hi)]
    totals: Counter[tuple[str, str, str, str, str]] = Counter()
    for day, a, b in spans:
        stmt = _tagged(select(day, *columns, func.count()).group_by(day, *columns), tag)
        if brand:
            stmt = stmt.where(col(Mention.brand) == brand)
        stmt = stmt.where(col(Mention.created_at) >= a, col(Mention.created_at) < b)
        for d, lb, s, p, f, n in session.execute(stmt).all():
            totals[(str(d), lb or "unlabelled", s or "unknown", p, f)] += int(n)
    return [(*key, n) for key, n in totals.items()]


def _series(days: list[str], rows: list[tuple[str, str, int]]) -> Series:
    index = {d: i for i, d in enumerate(days)}
    values: dict[str, list[int]] = {}
    for day, key, n in rows:
        i = index.get(day)
        if i is None:
            continue
        series = values.get(key)
        if series is None:  # not setdefault: that would build a list as long as the range for every row
            series = values[key] = [0] * len(days)
        series[i] += n
    return Series(days=days, values=dict(sorted(values.items(), key=lambda kv: -sum(kv[1]))))


def share_of_voice(
    session: Session,
    brand: Brand | None,
    brand_key: str,
    start: date,
    end: date,
    non_keyword: int,
    zone: str = "UTC",
    tag: str = "",
) -> list[tuple[str, int]]:
    """The brand against each competitor. The brand counts every mention found by handle or reply plus keyword
    matches naming it; a competitor counts every stored mention naming it, whatever found it (our keyword
    searches, its own competitor searches, posts addressed to us)."""
    names = [brand.name if brand else brand_key] + list(brand.competitors if brand else [])
    text = col(Mention.text)
    sqlite = session.get_bind().dialect.name == "sqlite"
    # SQLite's LIKE ignores ASCII case already; lower() on every text would double the cost.
    named = [text.contains(n, autoescape=True) if sqlite else text.icontains(n, autoescape=True) for n in names]
    ours = case((and_(col(Mention.found_via) == FoundVia.KEYWORD, named[0]), 1), else_=0)
    sums = [func.sum(ours), *(func.sum(case((n, 1), else_=0)) for n in named[1:])]
    row = session.execute(_scope(select(*sums), brand_key, start, end, zone, tag)).one()
    values = [int(v or 0) for v in row]
    values[0] += non_keyword
    return list(zip(names, values, strict=True))


def addressed_to_us(found_via: str) -> bool:
    """Found by a handle or a reply: counted for the brand whatever its text says."""
    return found_via not in (FoundVia.KEYWORD, FoundVia.COMPETITOR)


def response_times(
    session: Session, brand: Brand | None, brand_key: str, start: date, end: date, zone: str = "UTC", tag: str = ""
) -> ResponseStats:
    """Minutes from the customer's post to our reply going out. Each mention gets at most one reply (the
    ledger), so every sent draft is that mention's first reply; automated ones are counted apart. One query:
    window functions number the sorted times so only the median and 90th-percentile rows come back."""
    target = brand.response_target_minutes if brand else 60
    if session.get_bind().dialect.name == "sqlite":
        # Rounded to the millisecond: julianday() differences carry float noise (60 min -> 59.9999998).
        minutes: Any = func.round(
            (func.julianday(col(Draft.sent_at)) - func.julianday(col(Mention.created_at))) * 1440.0, 3
        )
    else:
        minutes = func.extract("epoch", col(Draft.sent_at) - col(Mention.created_at)) / 60.0
    lo, hi = _bounds(start, end, zone)
    where: list[Any] = [
        col(Draft.state) == DraftState.SENT,
        col(Draft.sent_at) >= lo,  # a reply never precedes its mention: lets the sent_at index narrow the scan
        col(Mention.created_at) >= lo,
        col(Mention.created_at) < hi,
    ]
    if brand_key:
        where.append(col(Mention.brand) == brand_key)
    if tag:
        where.append(has_tag(col(Mention.id), tag))
    part = col(Draft.automated)
    inner = (
        select(
            part.label("automated"),
            minutes.label("minutes"),
            func.row_number().over(partition_by=part, order_by=minutes).label("rn"),
            func.count().over(partition_by=part).label("n"),
            func.sum(case((minutes >= literal(target), 1), else_=0)).over(partition_by=part).label("late"),
        )
        .select_from(Draft)
        .join(Mention, col(Mention.id) == Draft.mention_id)
        .where(*where)
        .subquery()
    )
    # Integer division: the same rank on both databases (PostgreSQL's CAST rounds 43.5 up, SQLite's truncates).
    median_rn = (inner.c.n - 1) * 5 // 10 + 1
    p90_rn = (inner.c.n - 1) * 9 // 10 + 1
    stmt = select(inner.c.automated, inner.c.n, inner.c.late, inner.c.rn, inner.c.minutes, median_rn, p90_rn).where(
        (inner.c.rn == median_rn) | (inner.c.rn == p90_rn)
    )
    stats = ResponseStats(target_minutes=target)
    for automated, n, late, rn, value, at_median, at_p90 in session.execute(stmt):
        if automated:
            stats.automated_count = int(n)
            if rn == at_median:
                stats.automated_median = float(value)
        else:
            stats.human_count, stats.human_breaches = int(n), int(late or 0)
            if rn == at_median:
                stats.human_median = float(value)
            if rn == at_p90:
                stats.human_p90 = float(value)
    return stats


def business_response_times(
    session: Session,
    stats: ResponseStats,
    hours: BusinessHours,
    brand_key: str,
    start: date,
    end: date,
    zone: str = "UTC",
    tag: str = "",
) -> ResponseStats:
    """`stats` with the replies' times in working minutes added. Business hours are a calendar SQL cannot
    follow: each reply's two times are read (one narrow row per reply in the range) and measured on a
    WorkingClock; the ranks are the direct query's."""
    lo, hi = _bounds(start, end, zone)
    stmt = (
        select(col(Draft.automated), col(Mention.created_at), col(Draft.sent_at))
        .select_from(Draft)
        .join(Mention, col(Mention.id) == Draft.mention_id)
        .where(
            col(Draft.state) == DraftState.SENT,
            col(Draft.sent_at) >= lo,
            col(Mention.created_at) >= lo,
            col(Mention.created_at) < hi,
        )
    )
    if brand_key:
        stmt = stmt.where(col(Mention.brand) == brand_key)
    rows = [(bool(a), as_utc(c), as_utc(s)) for a, c, s in session.execute(_tagged(stmt, tag)) if s is not None]
    stats.hours = hours_label(hours)
    if not rows:
        return stats
    clock = WorkingClock(hours, min(c for _, c, _ in rows), max(max(c, s) for _, c, s in rows))
    human = sorted(round(clock.minutes(c, s), 3) for a, c, s in rows if not a)
    bot = sorted(round(clock.minutes(c, s), 3) for a, c, s in rows if a)
    stats.business_human_median = _at_rank(human, 5)
    stats.business_human_p90 = _at_rank(human, 9)
    stats.business_human_breaches = sum(1 for m in human if m >= stats.target_minutes)
    stats.business_automated_median = _at_rank(bot, 5)
    return stats


def _at_rank(values: list[float], tenths: int) -> float | None:
    return values[(len(values) - 1) * tenths // 10] if values else None


def themes(
    session: Session,
    brand_key: str,
    start: date,
    end: date,
    *,
    top: int = 12,
    ignore: frozenset[str] = frozenset(),
    zone: str = "UTC",
    tag: str = "",
) -> list[tuple[str, int]]:
    """Recurring two-word phrases in the latest complaints of the range (stopwords removed)."""
    stmt = select(col(Mention.text)).where(
        col(Mention.label) == "complaint", col(Mention.found_via) != FoundVia.COMPETITOR
    )
    stmt = _scope(stmt, brand_key, start, end, zone, tag).order_by(col(Mention.created_at).desc()).limit(THEME_SAMPLE)
    # Each distinct text is split once and counted as often as it was posted (copies and retweets are common).
    bodies = Counter(body.lower() for (body,) in session.execute(stmt).all())
    counter: Counter[str] = Counter()
    texts: Counter[str] = Counter()
    for body, copies in bodies.items():
        phrases = _phrases(body, ignore)
        counter.update(dict.fromkeys(phrases, copies))
        texts.update(phrases)
    # On a tie, a phrase many different posts share comes before each word pair of one much-copied post.
    ranked = sorted(counter.items(), key=lambda item: (-item[1], -texts[item[0]], item[0]))
    return [(phrase, n) for phrase, n in ranked[:top] if n > 1]


def _phrases(body: str, ignore: frozenset[str]) -> set[str]:
    """Pairs of neighbouring content words, never across a clause break: "logs me out daily, loses my drinks"
    is no "daily loses" theme."""
    phrases: set[str] = set()
    for clause in _CLAUSE_BREAK.split(body):
        words = [w for w in (w.strip("'") for w in _WORD.findall(clause)) if len(w) > 2]
        words = [w for w in words if w.replace("'", "") not in STOPWORDS and w not in ignore]
        phrases.update(f"{a} {b}" for a, b in zip(words, words[1:], strict=False))
    return phrases


def repeat_customers(
    session: Session,
    brand_key: str,
    start: date,
    end: date,
    *,
    rollups: bool = False,
    range_rows: int = 0,
    zone: str = "UTC",
    tag: str = "",
) -> tuple[int, int, list[tuple[str, int]]]:
    """Authors with two or more of the brand's own mentions in the range (a post found by a competitor search is
    not ours): (authors, their mentions, top ten)."""
    fast = trend_rollups.repeat_customers(session, brand_key, start, end, range_rows) if rollups else None
    if fast is not None:
        authors, total, top_ids = fast
        return authors, total, _handles(session, top_ids)
    per_author = (
        _scope(select(col(Mention.author_id), func.count().label("n")), brand_key, start, end, zone, tag)
        .where(col(Mention.author_id).is_not(None), col(Mention.found_via) != FoundVia.COMPETITOR)
        .group_by(col(Mention.author_id))
        .having(func.count() >= 2)
        .subquery()
    )
    authors, total = session.execute(select(func.count(), func.sum(per_author.c.n))).one()
    top = session.execute(
        select(per_author.c.author_id, per_author.c.n).order_by(per_author.c.n.desc(), per_author.c.author_id).limit(10)
    ).all()
    return int(authors or 0), int(total or 0), _handles(session, [(int(a), int(n)) for a, n in top])


def _handles(session: Session, top: list[tuple[int, int]]) -> list[tuple[str, int]]:
    from storage.models import Author

    ids = [a for a, _ in top]
    handles = {
        int(i): h for i, h in session.execute(select(col(Author.id), col(Author.handle)).where(col(Author.id).in_(ids)))
    }
    return [(handles.get(a, f"#{a}"), n) for a, n in top]


def _brand_words(brand: Brand | None) -> frozenset[str]:
    """The brand's own name and handles say nothing about what went wrong."""
    if brand is None:
        return frozenset()
    words = set(_WORD.findall(brand.name.lower()))
    for keyword in brand.keywords:
        words.update(_WORD.findall(keyword.lower()))
    for handles in brand.handles.values():
        words.update(h.lower() for h in handles)
    return frozenset(words)


def _response_from_rollup(
    session: Session, brand: Brand | None, brand_key: str, start: date, end: date
) -> ResponseStats:
    target = brand.response_target_minutes if brand else 60
    hist = trend_rollups.reply_histogram(session, brand_key, start, end)
    human, bot = hist[False], hist[True]
    return ResponseStats(
        human_count=sum(n for _, n in human),
        human_median=trend_rollups.percentile(human, 0.5),
        human_p90=trend_rollups.percentile(human, 0.9),
        human_breaches=sum(n for m, n in human if m >= target),
        automated_count=sum(n for _, n in bot),
        automated_median=trend_rollups.percentile(bot, 0.5),
        target_minutes=target,
    )


def report(
    session: Session,
    brands: dict[str, Brand],
    brand_key: str,
    start: date,
    end: date,
    *,
    rollups: bool | None = None,
    tag: str = "",
) -> TrendReport:
    """All figures for the page. `rollups` defaults to using the SQLite rollup tables when they exist. With
    `tag`, every figure counts only the mentions carrying it."""
    import time as clock

    timings: dict[str, float] = {}
    mark = clock.perf_counter()

    def lap(name: str) -> None:
        nonlocal mark
        now = clock.perf_counter()
        timings[name] = (now - mark) * 1000
        mark = now

    days = _days(start, end)
    brand = brands.get(brand_key)
    zone = brand.time_zone if brand else "UTC"
    # The rollup tables count UTC days: a brand in another zone is counted from the mentions themselves.
    # Nor do they know tags: a tag filter counts directly too (one EXISTS probe of ix_mention_tag_tag per mention).
    use_rollups = not tag and is_utc(zone) and (trend_rollups.available(session) if rollups is None else rollups)
    rows = (
        trend_rollups.counts(session, brand_key, start, end)
        if use_rollups
        else counts(session, brand_key, start, end, zone, tag)
    )
    lap("counts")
    voice_rows, rows = rows, [r for r in rows if r[4] != FoundVia.COMPETITOR]  # about competitors alone
    by_category = _series(days, [(d, lb, n) for d, lb, _, _, _, n in rows])
    by_platform = _series(days, [(d, p, n) for d, _, _, p, _, n in rows])
    sentiment = _series(days, [(d, s, n) for d, _, s, _, _, n in rows])
    non_keyword = sum(n for *_, f, n in voice_rows if addressed_to_us(f))
    voice = trend_rollups.share_of_voice(session, brand, start, end, non_keyword) if use_rollups and brand else None
    if voice is None:
        voice = share_of_voice(session, brand, brand_key, start, end, non_keyword, zone, tag)
    lap("voice")
    if use_rollups:
        response = _response_from_rollup(session, brand, brand_key, start, end)
    else:
        response = response_times(session, brand, brand_key, start, end, zone, tag)
    if brand and brand.business_hours:
        response = business_response_times(session, response, brand.business_hours, brand_key, start, end, zone, tag)
    lap("response")
    top_themes = themes(session, brand_key, start, end, ignore=_brand_words(brand), zone=zone, tag=tag)
    lap("themes")
    repeat_authors, repeat_mentions, top_repeat = repeat_customers(
        session, brand_key, start, end, rollups=use_rollups, range_rows=sum(r[-1] for r in rows), zone=zone, tag=tag
    )
    lap("repeat")
    return TrendReport(
        brand=brand_key,
        start=start,
        end=end,
        total=sum(r[-1] for r in rows),
        by_category=by_category,
        by_platform=by_platform,
        sentiment=sentiment,
        themes=top_themes,
        voice=voice,
        response=response,
        repeat_authors=repeat_authors,
        repeat_mentions=repeat_mentions,
        top_repeat=top_repeat,
        timings=timings,
        zone=zone,
        tag=tag,
    )


def csv_rows(r: TrendReport) -> list[list[str | int | float]]:
    """Everything the page shows, as (section, key, day, value) rows."""
    out: list[list[str | int | float]] = [["section", "key", "day", "value"]]
    if r.tag:
        out.append(["filter", "tag", "", r.tag])  # so a file read later says it holds tagged mentions only
    for section, series in (("category", r.by_category), ("platform", r.by_platform), ("sentiment", r.sentiment)):
        for key, values in series.values.items():
            out.extend([section, key, day, v] for day, v in zip(series.days, values, strict=True))
    out.extend(["theme", phrase, "", n] for phrase, n in r.themes)
    out.extend(["share_of_voice", name, "", n] for name, n in r.voice)
    resp = r.response
    for key, value in (
        ("human_replies", resp.human_count),
        ("human_median_minutes", resp.human_median),
        ("human_p90_minutes", resp.human_p90),
        ("human_breaches", resp.human_breaches),
        ("target_minutes", resp.target_minutes),
        ("automated_replies", resp.automated_count),
        ("automated_median_minutes", resp.automated_median),
        *(
            (
                ("business_hours", resp.hours),
                ("business_human_median_minutes", resp.business_human_median),
                ("business_human_p90_minutes", resp.business_human_p90),
                ("business_human_breaches", resp.business_human_breaches),
                ("business_automated_median_minutes", resp.business_automated_median),
            )
            if resp.hours
            else ()
        ),
    ):
        shown = value if isinstance(value, str) else "" if value is None else round(float(value), 1)
        out.append(["response", key, "", shown])
    out.append(["repeat_customers", "authors", "", r.repeat_authors])
    out.append(["repeat_customers", "mentions", "", r.repeat_mentions])
    out.extend(["repeat_customer", handle, "", n] for handle, n in r.top_repeat)
    return out
