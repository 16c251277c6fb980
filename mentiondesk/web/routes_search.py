"""Search: full text over mentions, authors and our replies, with filters."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request, Response

from mentiondesk.platforms import NAMES as PLATFORMS
from mentiondesk.web import params
from mentiondesk.web.deps import DB, SignedIn, csrf_protect, desk, pop_flash
from mentiondesk.web.params import BadValue
from responders.queue import LABELS
from responders.team import tags_of
from rules.tagging import normal_tag
from storage.search import SearchFilters, search

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
PAGE = 50


def day(raw: str | None, name: str) -> date | None:
    value = (raw or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadValue(f"{name} must be a date like 2026-11-30") from None


def search_filters(
    brands: Mapping[str, object], *, brand: str, platform: str, label: str, tag: str, start: str, end: str
) -> SearchFilters:
    """Filters from an address or an API call; `end` is a whole day (up to its midnight), in UTC."""
    first, last = day(start, "start"), day(end, "end")
    if first and last and last < first:
        raise BadValue("end is before start")
    try:
        tag_name = normal_tag(tag) if tag.strip() else ""
    except Exception as exc:  # InputError: a tag nobody could have made
        raise BadValue(str(exc)) from None
    return SearchFilters(
        brand=params.choice(brand, "brand", brands),
        platform=params.choice(platform, "platform", PLATFORMS),
        label=params.choice(label, "label", LABELS),
        tag=tag_name,
        since=datetime.combine(first, time(), UTC) if first else None,
        until=datetime.combine(last + timedelta(days=1), time(), UTC) if last else None,
        within=tuple(brands),
    )


@router.get("/search")
def search_page(*, request: Request, user: SignedIn, session: DB) -> Response:
    q = request.query_params
    state = desk(request)
    query = params.clean_text(q.get("q", ""), "search", max_length=params.MAX_FILTER_LENGTH)
    values = {k: q.get(k, "") for k in ("brand", "platform", "label", "tag", "start", "end")}
    f = search_filters(state.brands, **values)
    page = params.whole_number(q.get("page"), "page", low=1, high=1000, default=1)
    searched = bool(query.strip() or any(values.values()))
    hits = search(query, f, session=session, limit=PAGE + 1, offset=(page - 1) * PAGE) if searched else []
    more = len(hits) > PAGE
    hits = hits[:PAGE]
    tags = tags_of([h.mention.id for h in hits if h.mention.id is not None], session=session)
    here = {"q": query, **values}
    return state.templates.TemplateResponse(
        request,
        "search.html",
        {
            "user": user,
            "flash": pop_flash(request),
            "nav": "search",
            "q": query,
            "values": values,
            "hits": hits,
            "tags": tags,
            "searched": searched,
            "brands": state.brands,
            "platforms": PLATFORMS,
            "labels": LABELS,
            "page": page,
            "next_url": "/search?" + urlencode({**here, "page": page + 1}) if more else None,
            "prev_url": "/search?" + urlencode({**here, "page": page - 1}) if page > 1 else None,
        },
    )
