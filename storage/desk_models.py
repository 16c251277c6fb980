"""Tables for a team working in the desk: internal notes, tags, saved replies. (Who owns a mention or case and who
wrote a reply are columns on `mention`, `case` and `draft`.) Full-text search lives in storage/search.py."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models import utcnow


class Note(SQLModel, table=True):
    """An internal note on a mention (and its case) or on a case alone. Never sent: nothing that sends reads it."""

    __tablename__ = "desk_note"

    id: int | None = Field(default=None, primary_key=True)
    mention_id: int | None = Field(default=None, foreign_key="mention.id", index=True)
    case_id: int | None = Field(default=None, foreign_key="case.id", index=True)
    author: str = Field(max_length=128)
    text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class MentionTag(SQLModel, table=True):
    """A tag on a mention: put there by a person (`origin` "manual") or by a brand-file rule ("rule")."""

    __tablename__ = "mention_tag"
    __table_args__ = (Index("ix_mention_tag_tag", "tag", "mention_id"),)

    mention_id: int = Field(foreign_key="mention.id", primary_key=True)
    tag: str = Field(max_length=40, primary_key=True)
    origin: str = Field(default="manual", max_length=16)
    added_by: str = Field(default="", max_length=128)
    added_at: datetime = Field(default_factory=utcnow)


class SavedReply(SQLModel, table=True):
    """A brand's canned answer. `{name}`, `{handle}`, `{brand}`, `{platform}` and `{agent}` are filled in when it
    is inserted into a reply; `uses` counts the replies written from it."""

    __tablename__ = "saved_reply"
    __table_args__ = (UniqueConstraint("brand", "title", name="uq_saved_reply_brand_title"),)

    id: int | None = Field(default=None, primary_key=True)
    brand: str = Field(max_length=64, index=True)
    title: str = Field(max_length=120)
    body: str = Field(sa_column=Column(Text, nullable=False))
    uses: int = 0
    created_by: str = Field(default="", max_length=128)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
