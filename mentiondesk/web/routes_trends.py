"""The trends page and its CSV export."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import date, timedelta

from fastapi import APIRouter, Request, Response
from sqlmodel import Session

from mentiondesk.web import charts, params, queries, trends
from mentiondesk.web.deps import DB, SignedIn, desk, pop_flash
from storage.models import utcnow

router = APIRouter(include_in_schema=False)
DEFAULT_DAYS = 30
MAX_DAYS = 3 * 366
EARLIEST, LATEST = date(1970, 1, 1), date(2999, 12, 31)


def parse_range(brands: Mapping[str, object], brand: str, start: str, end: str) -> tuple[str, date, date, str]:
    """(brand, start, end, problem): a bad value falls back to the default with a note, never an error page."""
    problem = ""
    today = utcnow().date()
    try:
        last = _day(end) if end else today
    except ValueError:
        last, problem = today, f"Ignored the end date {end[:40]!r}."
    try:
        first = _day(start) if start else last - timedelta(days=DEFAULT_DAYS - 1)
    except ValueError:
        first, problem = last - timedelta(days=DEFAULT_DAYS - 1), f"Ignored the start date {start[:40]!r}."
    if first > last:
        first, last = last, first
    if (last - first).days >= MAX_DAYS:
        first, problem = last - timedelta(days=MAX_DAYS - 1), "Ranges are limited to three years."
    if brand not in brands:
        brand = next(iter(brands), "") if brand else ""
        if not brands:
            brand = ""
    return brand, first, last, problem


def _day(text: str) -> date:
    """A YYYY-MM-DD day the desk can count around (far from date's limits, where arithmetic overflows)."""
    day = date.fromisoformat(text)
    if not EARLIEST <= day <= LATEST:
        raise ValueError(text)
    return day


def report_for(
    request: Request, session: Session, brand: str, start: str, end: str, tag: str = ""
) -> tuple[trends.TrendReport, str]:
    """The report for an address's values, and a note on any value it could not use (dates, an unused tag)."""
    state = desk(request)
    key, first, last, problem = parse_range(state.brands, brand or next(iter(state.brands), ""), start, end)
    tag_name, tag_note = queries.tag_filter(session, params.clean_text(tag, "tag", max_length=params.MAX_FILTER_LENGTH))
    report = trends.report(session, state.brands, key, first, last, tag=tag_name)
    return report, " ".join(note for note in (problem, tag_note) if note)


@router.get("/trends")
def trends_page(
    *,
    request: Request,
    brand: str = "",
    start: str = "",
    end: str = "",
    tag: str = "",
    user: SignedIn,
    session: DB,
) -> Response:
    report, problem = report_for(request, session, brand, start, end, tag)
    share = report.sentiment_share()
    figures = {
        "category": charts.stacked_bars(
            report.by_category.days,
            {k: [float(x) for x in v] for k, v in report.by_category.values.items()},
            title="Mentions per day by category",
        ),
        "platform": charts.stacked_bars(
            report.by_platform.days,
            {k: [float(x) for x in v] for k, v in report.by_platform.values.items()},
            title="Mentions per day by platform",
            width=480,
            height=200,
        ),
        "sentiment": charts.stacked_bars(
            report.sentiment.days, share, title="Sentiment share per day", percent=True, width=480, height=200
        ),
        "themes": charts.hbars([(p, float(n)) for p, n in report.themes], title="Top complaint themes", fill="#d64545"),
        "voice": charts.hbars([(name, float(n)) for name, n in report.voice], title="Share of voice"),
    }
    voice_total = sum(n for _, n in report.voice) or 1
    state = desk(request)
    query = request.url.query
    return state.templates.TemplateResponse(
        request,
        "trends.html",
        {
            "user": user,
            "flash": pop_flash(request),
            "r": report,
            "figures": figures,
            "voice_total": voice_total,
            "brands": state.brands,
            "problem": problem,
            "csv_url": "/trends.csv" + (f"?{query}" if query else ""),
            "tags": queries.queue_facets(state.brands)["tags"],
            "color": charts.color,
            "nav": "trends",
        },
    )


@router.get("/trends.csv")
def trends_csv(
    *,
    request: Request,
    brand: str = "",
    start: str = "",
    end: str = "",
    tag: str = "",
    user: SignedIn,
    session: DB,
) -> Response:
    report, _ = report_for(request, session, brand, start, end, tag)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in trends.csv_rows(report):
        writer.writerow([_cell(v) for v in row])
    name = f"trends-{report.brand or 'all'}-{report.start}-{report.end}.csv"
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _cell(value: object) -> object:
    # Spreadsheet apps run cells starting with = + - @ as formulas; phrases come from customers' posts.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
