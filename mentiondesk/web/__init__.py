"""The web desk: queue, mention detail, cases, trends, sources, accounts and the JSON API."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI
    from sqlalchemy import Engine
    from sqlmodel import Session


def create_app(engine: Engine, brands: Any, settings: Any) -> FastAPI:
    from mentiondesk.web.app import create_app as build

    return build(engine, brands, settings)


def serve_desk(engine: Engine, brands: Any, settings: Any, host: str, port: int) -> None:
    from mentiondesk.web.serve import serve_desk as run

    run(engine, brands, settings, host, port)


def ensure_demo_user(session: Session) -> tuple[str, str]:
    from mentiondesk.web.users import ensure_demo_user as ensure

    return ensure(session)
