"""Endpoints for whatever runs the desk (a load balancer, Kubernetes, Prometheus), not for people; no login.

`/healthz`: the process answers. `/readyz`: it can do its work: the database answers and its schema is at the
newest migration (503 otherwise, with the reason). `/metrics`: Prometheus text, read from the database at
scrape time (mentiondesk/metrics.py), so every worker reports the same figures."""

from __future__ import annotations

import logging
from functools import lru_cache

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from mentiondesk.metrics import DeskCollector
from storage.db import MIGRATIONS_DIR

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.desk.engine
    return engine


@router.get("/healthz")
def healthz() -> JSONResponse:
    return JSONResponse({"status": "alive"})


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    problem = _not_ready(_engine(request))
    if problem:
        return JSONResponse({"status": "not ready", "reason": problem}, status_code=503)
    return JSONResponse({"status": "ready"})


@lru_cache(maxsize=1)
def _migration_heads() -> frozenset[str]:
    return frozenset(ScriptDirectory(str(MIGRATIONS_DIR)).get_heads())


def _not_ready(engine: Engine) -> str | None:
    heads = _migration_heads()
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = set(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError as exc:  # the detail goes to the log, not to whoever asks
        log.warning("readyz: the database does not answer: %s", getattr(exc, "orig", None) or exc)
        return "database unreachable"
    if current != heads:
        have = ", ".join(sorted(current)) or "none"
        return f"database schema at {have}, this desk needs {', '.join(sorted(heads))}: run `mentiondesk db upgrade`"
    return None


@router.get("/metrics")
def metrics(request: Request) -> Response:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DeskCollector(_engine(request)))
    try:
        body = generate_latest(registry)
    except SQLAlchemyError:
        return JSONResponse({"status": "not ready", "reason": "database unreachable"}, status_code=503)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
