"""Tables used only by the web desk."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from storage.models import utcnow


class WebSecret(SQLModel, table=True):
    """A key generated once per database, so session cookies stay valid across restarts without a configured
    secret_key, and two databases never accept each other's cookies."""

    __tablename__ = "web_secret"

    name: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=255)
    created_at: datetime = Field(default_factory=utcnow)
