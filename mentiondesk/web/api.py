"""The JSON API under /api: same roles as the pages, bearer tokens (or the desk's session plus its CSRF
header), OpenAPI docs at /api/docs for signed-in users."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field, field_validator

from mentiondesk.core.vocabulary import Label
from mentiondesk.platforms import NAMES as PLATFORMS
from mentiondesk.web import actions, params, queries, routes_trends
from mentiondesk.web.deps import DB, Actor, SignedIn, csrf_protect, desk
from mentiondesk.web.params import ItemId
from mentiondesk.web.routes_queue import LABELS, STATES
from storage.models import Draft, Mention


class Me(BaseModel):
    name: str
    role: str
    can_act: bool


class QueueEntry(BaseModel):
    draft_id: int
    version: int
    state: str
    brand: str
    platform: str
    category: str
    urgency: int
    draft_text: str
    policy_ok: bool
    policy_reasons: list[str]
    automated: bool
    mention_id: int
    mention_text: str
    mention_url: str
    mention_created_at: datetime
    author_handle: str
    author_name: str
    author_followers: int
    author_mentions_30d: int
    label: str | None
    sentiment: str | None
    confidence: float | None
    needs_review: bool = Field(description="The classifier is unsure: read the mention before approving.")
    review_reason: str | None
    urgency_reason: str | None = Field(description='Why it is urgent, e.g. "injury", "legal threat".')
    age_minutes: float
    target_minutes: int
    breached: bool
    stale: bool
    stale_reasons: list[str]


class QueuePage(BaseModel):
    total: int
    items: list[QueueEntry]
    note: str = Field(default="", description="Why the list is empty when a tag filter matches nothing.")


class ApproveBody(BaseModel):
    text: str | None = Field(
        default=None, max_length=params.MAX_TEXT_LENGTH, description="Edited reply text; omit to approve as drafted."
    )
    expected_version: int | None = Field(
        default=None, ge=0, le=params.MAX_ID, description="The draft version you saw (409 if stale)."
    )

    _no_nul = field_validator("text")(params.no_nul)


class RejectBody(BaseModel):
    reason: str = Field(min_length=1, max_length=params.MAX_TEXT_LENGTH)
    expected_version: int | None = Field(default=None, ge=0, le=params.MAX_ID)
    wrong_category: Label | None = Field(
        default=None, description="The mention is really this category: stored as a relabel the next model learns."
    )

    _no_nul = field_validator("reason")(params.no_nul)


class RelabelBody(BaseModel):
    label: str = Field(max_length=32)


class ActionResult(BaseModel):
    ok: bool
    message: str
    draft_id: int | None = None
    version: int | None = None
    state: str | None = None


class CaseEntry(BaseModel):
    id: int
    brand: str
    platform: str
    author: str
    status: str
    opened_at: datetime
    last_activity_at: datetime
    mentions: int
    awaiting: str


def _entry(item: queries.QueueItem) -> QueueEntry:
    d: Draft = item.draft
    m: Mention = item.mention
    assert d.id is not None and m.id is not None
    return QueueEntry(
        draft_id=d.id,
        version=d.version,
        state=d.state,
        brand=d.brand,
        platform=d.platform,
        category=d.category,
        urgency=d.urgency,
        draft_text=d.text,
        policy_ok=d.policy_ok,
        policy_reasons=list(d.policy_reasons or []),
        automated=d.automated,
        mention_id=m.id,
        mention_text=m.text,
        mention_url=m.url,
        mention_created_at=m.created_at,
        author_handle=m.author_handle,
        author_name=m.author_name,
        author_followers=m.author_followers,
        author_mentions_30d=item.repeat_mentions,
        label=m.label,
        sentiment=m.sentiment,
        confidence=m.confidence,
        needs_review=m.needs_review,
        review_reason=m.review_reason,
        urgency_reason=m.urgency_reason,
        age_minutes=round(item.age_minutes, 1),
        target_minutes=item.target_minutes,
        breached=item.breached,
        stale=item.stale,
        stale_reasons=item.stale_reasons,
    )


def _result(outcome: actions.Outcome) -> ActionResult:
    if not outcome.ok:
        raise HTTPException(status_code=outcome.status, detail=outcome.message)
    value = outcome.result
    if isinstance(value, Draft):
        return ActionResult(
            ok=True, message=outcome.message, draft_id=value.id, version=value.version, state=value.state
        )
    return ActionResult(ok=True, message=outcome.message)


router = APIRouter(prefix="/api", dependencies=[Depends(csrf_protect)])


@router.get("/me", response_model=Me, tags=["account"])
def me(*, user: SignedIn) -> Me:
    return Me(name=user.name, role=user.role, can_act=user.can_act)


@router.get("/queue", response_model=QueuePage, tags=["queue"])
def queue(
    *,
    request: Request,
    brand: str = Query("", description="A configured brand key; empty for all."),
    platform: str = Query("", description=f"{', '.join(PLATFORMS)}; empty for all."),
    category: str = Query("", description=f"{', '.join(LABELS)}; empty for all."),
    state: str = Query("drafted", description=f"{', '.join(STATES)}; empty for all."),
    min_urgency: int = Query(0, ge=0, le=100),
    tag: str = Query("", max_length=params.MAX_FILTER_LENGTH, description="Only drafts of mentions with this tag."),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=params.MAX_OFFSET),
    user: SignedIn,
    session: DB,
) -> QueuePage:
    """Drafts awaiting a decision, most urgent first, then oldest. An unknown filter value is a 422; a tag no
    mention carries gives an empty list with a `note`."""
    tag_name, note = queries.tag_filter(session, params.clean_text(tag, "tag"))
    f = queries.QueueFilters(
        brand=params.choice(brand, "brand", desk(request).brands),
        platform=params.choice(platform, "platform", PLATFORMS),
        category=params.choice(category, "category", LABELS),
        state=params.choice(state, "state", STATES),
        min_urgency=min_urgency,
        tag=tag_name,
    )
    rows = queries.queue_rows(session, f, limit=limit, offset=offset)
    items = queries.queue_items(session, rows, desk(request).brands)
    return QueuePage(total=queries.queue_count(session, f), items=[_entry(i) for i in items], note=note)


@router.post("/drafts/{draft_id}/approve", response_model=ActionResult, tags=["queue"])
def approve(*, request: Request, draft_id: ItemId, body: ApproveBody, user: Actor) -> ActionResult:
    """Approve a draft, or edit and approve it when `text` is given. 409 when someone acted first."""
    text = body.text.strip() if body.text and body.text.strip() else None
    return _result(
        actions.approve(
            desk(request).engine,
            draft_id,
            actor=user.name,
            text=text,
            expected_version=body.expected_version,
            brands=desk(request).brands,
        )
    )


@router.post("/drafts/{draft_id}/reject", response_model=ActionResult, tags=["queue"])
def reject(*, request: Request, draft_id: ItemId, body: RejectBody, user: Actor) -> ActionResult:
    return _result(
        actions.reject(
            desk(request).engine,
            draft_id,
            actor=user.name,
            reason=body.reason,
            expected_version=body.expected_version,
            correct_label=body.wrong_category,
        )
    )


@router.post("/mentions/{mention_id}/relabel", response_model=ActionResult, tags=["queue"])
def relabel(*, request: Request, mention_id: ItemId, body: RelabelBody, user: Actor) -> ActionResult:
    if body.label not in LABELS:
        raise HTTPException(status_code=422, detail=f"label must be one of {', '.join(LABELS)}")
    state = desk(request)
    return _result(actions.relabel(state.engine, mention_id, actor=user.name, label=body.label, brands=state.brands))


@router.get("/cases", response_model=list[CaseEntry], tags=["cases"])
def cases(
    *,
    request: Request,
    status: Literal["open", "resolved"] = "open",
    brand: str = Query("", description="A configured brand key; empty for all."),
    user: SignedIn,
    session: DB,
) -> list[CaseEntry]:
    brand = params.choice(brand, "brand", desk(request).brands)
    out = []
    for row in queries.open_cases(session, brand=brand, status=status, limit=200):
        c = row.case
        assert c.id is not None
        out.append(
            CaseEntry(
                id=c.id,
                brand=c.brand,
                platform=c.platform,
                author=row.author,
                status=c.status,
                opened_at=row.opened_at,
                last_activity_at=c.last_activity_at,
                mentions=row.mentions,
                awaiting=row.awaiting,
            )
        )
    return out


@router.post("/cases/{case_id}/resolve", response_model=ActionResult, tags=["cases"])
def resolve(*, request: Request, case_id: ItemId, user: Actor) -> ActionResult:
    return _result(actions.resolve_case(desk(request).engine, case_id, actor=user.name))


@router.post("/cases/{case_id}/reopen", response_model=ActionResult, tags=["cases"])
def reopen(*, request: Request, case_id: ItemId, user: Actor) -> ActionResult:
    """Open a resolved case again (refused while the customer has another open case with the brand)."""
    return _result(actions.reopen_case(desk(request).engine, case_id, actor=user.name))


@router.get("/trends", tags=["trends"])
def trends_json(
    *,
    request: Request,
    brand: str = "",
    start: str = Query("", description="YYYY-MM-DD; default 30 days before end"),
    end: str = Query("", description="YYYY-MM-DD; default today (UTC)"),
    tag: str = Query("", max_length=params.MAX_FILTER_LENGTH, description="Count only mentions with this tag."),
    user: SignedIn,
    session: DB,
) -> dict[str, Any]:
    """The trends page's figures as JSON; with `tag`, every figure counts only the mentions carrying it."""
    r, problem = routes_trends.report_for(request, session, brand, start, end, tag)
    return {
        "brand": r.brand,
        "tag": r.tag,
        "start": r.start.isoformat(),
        "end": r.end.isoformat(),
        "note": problem,
        "total": r.total,
        "days": r.by_category.days,
        "by_category": r.by_category.values,
        "by_platform": r.by_platform.values,
        "sentiment": r.sentiment.values,
        "themes": [{"phrase": p, "count": n} for p, n in r.themes],
        "share_of_voice": [{"name": name, "count": n} for name, n in r.voice],
        "response": asdict(r.response),
        "repeat_customers": {
            "authors": r.repeat_authors,
            "mentions": r.repeat_mentions,
            "top": [{"handle": h, "count": n} for h, n in r.top_repeat],
        },
    }


@router.get("/sources", tags=["sources"])
def sources(*, user: SignedIn, session: DB) -> list[dict[str, Any]]:
    return [s.model_dump(mode="json") for s in queries.sources(session)]


def install(app: FastAPI) -> None:
    app.include_router(router)

    @app.get("/api/openapi.json", include_in_schema=False)
    def openapi(user: SignedIn) -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/api/docs", include_in_schema=False)
    def docs(user: SignedIn) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/openapi.json",
            title="Mention Desk API",
            swagger_js_url="/static/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/swagger-ui/favicon.png",
        )
