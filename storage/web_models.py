"""Tables used only by the web desk, and the trend rollups: per-day counts kept current by triggers, so the
trends page reads a few thousand rows instead of aggregating a million mentions. SQLite: row triggers, from
migration 0002. PostgreSQL: statement triggers over transition tables (one upsert per statement, keys in one
order so concurrent writers never deadlock), from migration 0013. The desk keeps the share-of-voice terms in
step with the brand file."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Connection, Integer, String, Table, text
from sqlmodel import Field, SQLModel

from storage.models import utcnow


class WebSecret(SQLModel, table=True):
    """A key generated once per database, so session cookies stay valid across restarts without a configured
    secret_key, and two databases never accept each other's cookies."""

    __tablename__ = "web_secret"

    name: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=255)
    created_at: datetime = Field(default_factory=utcnow)


class DeskSession(SQLModel, table=True):
    """A signed-in browser. The cookie carries a random value and only its SHA-256 is kept here, so a copy of the
    database signs nobody in. Logging out deletes the row; a new password or a disabled account deletes all of
    that user's rows. Every desk worker reads the same table."""

    __tablename__ = "desk_session"

    id: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="desk_user.id", index=True, ondelete="CASCADE")
    # The password the session was made with: a password changed behind the desk's back still signs it out.
    password_version: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(index=True)


class LoginFailures(SQLModel, table=True):
    """Failed logins per key (`user:<normalised name>`, `ip:<address>`) since `window_start`, kept in the
    database so the throttle holds across restarts and across desk workers."""

    __tablename__ = "login_failure"

    key: str = Field(primary_key=True, max_length=160)
    failures: int = 0
    window_start: datetime = Field(default_factory=utcnow, index=True)


# --- trend rollups (SQLite) ------------------------------------------------------------------------------

# The rollup tables as the models see them, so `mentiondesk db check` and autogenerate compare them instead of
# taking them for strays; the code reads them with SQL. TABLES below is what migration 0002 ran on SQLite and
# PG_TABLES what 0013 ran on PostgreSQL: changing either needs a new migration, not an edit.


def _rollup(name: str, *columns: Column[Any]) -> Table:
    return Table(name, SQLModel.metadata, *columns, sqlite_with_rowid=False)


def _key(name: str, length: int) -> Column[str]:
    return Column(name, String(length), primary_key=True)


def _count(name: str, *, primary_key: bool = False) -> Column[int]:
    return Column(name, Integer, primary_key=primary_key, nullable=False)


TREND_DAY = _rollup(
    "trend_day", _key("brand", 64), _key("day", 10), _key("label", 16), _key("sentiment", 16),
    _key("platform", 32), _key("found_via", 16), _count("n"),
)  # fmt: skip
TREND_REPLY = _rollup(
    "trend_reply", _key("brand", 64), _key("day", 10), _count("automated", primary_key=True),
    _count("minutes", primary_key=True), _count("n"),
)  # fmt: skip
TREND_TERM = _rollup("trend_term", _key("brand", 64), _key("term", 255))
# Since migration 0015 by found_via: a competitor counts in every mention, the brand's own name in keyword
# matches only (share of voice).
TREND_VOICE = _rollup(
    "trend_voice", _key("brand", 64), _key("day", 10), _key("term", 255), _key("found_via", 16), _count("n")
)

# julianday() differences carry float noise (60 minutes comes out as 59.9999998): round to the millisecond
# before taking whole minutes.
TABLES = [
    """CREATE TABLE trend_day (
        brand VARCHAR(64) NOT NULL, day VARCHAR(10) NOT NULL, label VARCHAR(16) NOT NULL,
        sentiment VARCHAR(16) NOT NULL, platform VARCHAR(32) NOT NULL, found_via VARCHAR(16) NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (brand, day, label, sentiment, platform, found_via)
    ) WITHOUT ROWID""",
    """CREATE TABLE trend_reply (
        brand VARCHAR(64) NOT NULL, day VARCHAR(10) NOT NULL, automated INTEGER NOT NULL,
        minutes INTEGER NOT NULL, n INTEGER NOT NULL,
        PRIMARY KEY (brand, day, automated, minutes)
    ) WITHOUT ROWID""",
    """CREATE TABLE trend_term (
        brand VARCHAR(64) NOT NULL, term VARCHAR(255) NOT NULL, PRIMARY KEY (brand, term)
    ) WITHOUT ROWID""",
    """CREATE TABLE trend_voice (
        brand VARCHAR(64) NOT NULL, day VARCHAR(10) NOT NULL, term VARCHAR(255) NOT NULL, n INTEGER NOT NULL,
        PRIMARY KEY (brand, day, term)
    ) WITHOUT ROWID""",
]


def _day_add(row: str, delta: str) -> str:
    return f"""INSERT INTO trend_day (brand, day, label, sentiment, platform, found_via, n)
        VALUES ({row}.brand, substr({row}.created_at, 1, 10), coalesce({row}.label, ''),
                coalesce({row}.sentiment, ''), {row}.platform, {row}.found_via, {delta})
        ON CONFLICT (brand, day, label, sentiment, platform, found_via) DO UPDATE SET n = n + ({delta});"""


def _voice_add(row: str, delta: str) -> str:
    """As migration 0002 counted names: in keyword matches only (0015 counts them in every mention)."""
    return f"""INSERT INTO trend_voice (brand, day, term, n)
        SELECT {row}.brand, substr({row}.created_at, 1, 10), t.term, {delta} FROM trend_term AS t
        WHERE t.brand = {row}.brand AND {row}.found_via = 'keyword' AND instr(lower({row}.text), t.term) > 0
        ON CONFLICT (brand, day, term) DO UPDATE SET n = n + ({delta});"""


def _voice_by_found_via_add(row: str, delta: str) -> str:
    return f"""INSERT INTO trend_voice (brand, day, term, found_via, n)
        SELECT {row}.brand, substr({row}.created_at, 1, 10), t.term, {row}.found_via, {delta} FROM trend_term AS t
        WHERE t.brand = {row}.brand AND instr(lower({row}.text), t.term) > 0
        ON CONFLICT (brand, day, term, found_via) DO UPDATE SET n = n + ({delta});"""


def _reply_add(row: str, delta: str) -> str:
    return f"""INSERT INTO trend_reply (brand, day, automated, minutes, n)
        SELECT m.brand, substr(m.created_at, 1, 10), {row}.automated,
               CAST(round((julianday({row}.sent_at) - julianday(m.created_at)) * 1440, 3) AS INTEGER), {delta}
        FROM mention AS m WHERE m.id = {row}.mention_id
        ON CONFLICT (brand, day, automated, minutes) DO UPDATE SET n = n + ({delta});"""


_SENT = "{row}.state = 'sent' AND {row}.sent_at IS NOT NULL"


def _mention_triggers(voice: Callable[[str, str], str]) -> list[str]:
    return [
        f"CREATE TRIGGER trend_mention_ins AFTER INSERT ON mention BEGIN {_day_add('NEW', '1')} "
        f"{voice('NEW', '1')} END",
        f"CREATE TRIGGER trend_mention_del AFTER DELETE ON mention BEGIN {_day_add('OLD', '-1')} "
        f"{voice('OLD', '-1')} END",
        "CREATE TRIGGER trend_mention_upd AFTER UPDATE OF brand, created_at, label, sentiment, platform, found_via, "
        "text ON mention WHEN OLD.brand IS NOT NEW.brand OR OLD.created_at IS NOT NEW.created_at "
        "OR OLD.label IS NOT NEW.label OR OLD.sentiment IS NOT NEW.sentiment OR OLD.platform IS NOT NEW.platform "
        "OR OLD.found_via IS NOT NEW.found_via OR OLD.text IS NOT NEW.text "
        f"BEGIN {_day_add('OLD', '-1')} {_day_add('NEW', '1')} {voice('OLD', '-1')} {voice('NEW', '1')} END",
    ]


MENTION_TRIGGERS = ("trend_mention_ins", "trend_mention_del", "trend_mention_upd")

TRIGGERS = [
    *_mention_triggers(_voice_add),
    f"CREATE TRIGGER trend_draft_ins AFTER INSERT ON draft WHEN {_SENT.format(row='NEW')} "
    f"BEGIN {_reply_add('NEW', '1')} END",
    f"CREATE TRIGGER trend_draft_del AFTER DELETE ON draft WHEN {_SENT.format(row='OLD')} "
    f"BEGIN {_reply_add('OLD', '-1')} END",
    "CREATE TRIGGER trend_draft_upd AFTER UPDATE OF state, sent_at, automated, mention_id ON draft "
    f"WHEN ({_SENT.format(row='OLD')}) OR ({_SENT.format(row='NEW')}) BEGIN "
    f"INSERT INTO trend_reply (brand, day, automated, minutes, n) SELECT brand, day, automated, minutes, n FROM ("
    f"SELECT m.brand AS brand, substr(m.created_at, 1, 10) AS day, OLD.automated AS automated, "
    f"CAST(round((julianday(OLD.sent_at) - julianday(m.created_at)) * 1440, 3) AS INTEGER) AS minutes, -1 AS n "
    f"FROM mention AS m WHERE m.id = OLD.mention_id AND {_SENT.format(row='OLD')}) WHERE true "
    f"ON CONFLICT (brand, day, automated, minutes) DO UPDATE SET n = n - 1; "
    f"INSERT INTO trend_reply (brand, day, automated, minutes, n) SELECT brand, day, automated, minutes, n FROM ("
    f"SELECT m.brand AS brand, substr(m.created_at, 1, 10) AS day, NEW.automated AS automated, "
    f"CAST(round((julianday(NEW.sent_at) - julianday(m.created_at)) * 1440, 3) AS INTEGER) AS minutes, 1 AS n "
    f"FROM mention AS m WHERE m.id = NEW.mention_id AND {_SENT.format(row='NEW')}) WHERE true "
    f"ON CONFLICT (brand, day, automated, minutes) DO UPDATE SET n = n + 1; END",
]

BACKFILL = [
    """INSERT INTO trend_day (brand, day, label, sentiment, platform, found_via, n)
       SELECT brand, substr(created_at, 1, 10), coalesce(label, ''), coalesce(sentiment, ''), platform, found_via,
              count(*)
       FROM mention GROUP BY 1, 2, 3, 4, 5, 6""",
    """INSERT INTO trend_reply (brand, day, automated, minutes, n)
       SELECT m.brand, substr(m.created_at, 1, 10), d.automated,
              CAST(round((julianday(d.sent_at) - julianday(m.created_at)) * 1440, 3) AS INTEGER), count(*)
       FROM draft AS d JOIN mention AS m ON m.id = d.mention_id
       WHERE d.state = 'sent' AND d.sent_at IS NOT NULL GROUP BY 1, 2, 3, 4""",
]


# --- the same rollups on PostgreSQL -----------------------------------------------------------------------

PG_TABLES = [t.replace(" WITHOUT ROWID", "") for t in TABLES]
PG_DAY = "to_char({row}.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
# Whole minutes, cut as the direct query compares them (PostgreSQL's epoch is an exact numeric: no rounding).
PG_MINUTES = "CAST(trunc(extract(epoch FROM ({row}.sent_at - m.created_at)) / 60) AS integer)"
_MENTION_KEY = "brand, created_at, label, sentiment, platform, found_via, text"
_DRAFT_KEY = "state, sent_at, automated, mention_id"


def _mention_rows(rows: str, sign: str, changed_from: str = "") -> str:
    join, where = _changed(_MENTION_KEY, changed_from)
    return (
        f"SELECT r.brand, {PG_DAY.format(row='r')} AS day, coalesce(r.label, '') AS label, "
        f"coalesce(r.sentiment, '') AS sentiment, r.platform, r.found_via, r.text, {sign} AS delta "
        f"FROM {rows} AS r {join} WHERE {where}"
    )


def _draft_rows(rows: str, sign: str, changed_from: str = "") -> str:
    join, where = _changed(_DRAFT_KEY, changed_from)
    return (
        f"SELECT m.brand, {PG_DAY.format(row='m')} AS day, CAST(r.automated AS integer) AS automated, "
        f"{PG_MINUTES.format(row='r')} AS minutes, {sign} AS delta "
        f"FROM {rows} AS r JOIN mention AS m ON m.id = r.mention_id {join} "
        f"WHERE r.state = 'sent' AND r.sent_at IS NOT NULL AND {where}"
    )


def _changed(key: str, other: str) -> tuple[str, str]:
    """For an UPDATE: join each row to itself in `other` (the statement's other transition table) and keep
    those whose trend columns differ. Without `other`: every row."""
    if not other:
        return "", "true"
    columns = ", ".join(f"{{t}}.{c.strip()}" for c in key.split(","))
    return (
        f"JOIN {other} AS o ON o.id = r.id",
        f"({columns.format(t='r')}) IS DISTINCT FROM ({columns.format(t='o')})",
    )


def pg_mention_deltas(rows: str) -> str:
    """+1 for each mention of `rows` (a table or a parenthesised query), in the shape the upserts take."""
    return _mention_rows(rows, "1")


def pg_draft_deltas(rows: str) -> str:
    return _draft_rows(rows, "1")


def pg_mention_upserts(deltas: str, *, voice_by_found_via: bool = True) -> str:
    """Add the (brand, day, ..., delta) rows of `deltas` to trend_day and trend_voice, keys in one order.
    `voice_by_found_via=False`: names in keyword matches only, as migration 0013 counted them."""
    if voice_by_found_via:
        voice = f"""
        INSERT INTO trend_voice AS t (brand, day, term, found_via, n)
        SELECT d.brand, d.day, tt.term, d.found_via, sum(d.delta) FROM ({deltas}) AS d
        JOIN trend_term AS tt ON tt.brand = d.brand WHERE strpos(lower(d.text), tt.term) > 0
        GROUP BY 1, 2, 3, 4 HAVING sum(d.delta) <> 0 ORDER BY 1, 2, 3, 4
        ON CONFLICT (brand, day, term, found_via) DO UPDATE SET n = t.n + excluded.n;"""
    else:
        voice = f"""
        INSERT INTO trend_voice AS t (brand, day, term, n)
        SELECT d.brand, d.day, tt.term, sum(d.delta) FROM ({deltas}) AS d JOIN trend_term AS tt ON tt.brand = d.brand
        WHERE d.found_via = 'keyword' AND strpos(lower(d.text), tt.term) > 0
        GROUP BY 1, 2, 3 HAVING sum(d.delta) <> 0 ORDER BY 1, 2, 3
        ON CONFLICT (brand, day, term) DO UPDATE SET n = t.n + excluded.n;"""
    return f"""
        INSERT INTO trend_day AS t (brand, day, label, sentiment, platform, found_via, n)
        SELECT brand, day, label, sentiment, platform, found_via, sum(delta) FROM ({deltas}) AS d
        GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(delta) <> 0 ORDER BY 1, 2, 3, 4, 5, 6
        ON CONFLICT (brand, day, label, sentiment, platform, found_via) DO UPDATE SET n = t.n + excluded.n;{voice}"""


def pg_reply_upserts(deltas: str) -> str:
    return f"""
        INSERT INTO trend_reply AS t (brand, day, automated, minutes, n)
        SELECT brand, day, automated, minutes, sum(delta) FROM ({deltas}) AS d
        GROUP BY 1, 2, 3, 4 HAVING sum(delta) <> 0 ORDER BY 1, 2, 3, 4
        ON CONFLICT (brand, day, automated, minutes) DO UPDATE SET n = t.n + excluded.n;"""


def pg_mention_bodies(*, voice_by_found_via: bool) -> dict[str, tuple[str, str, str, str]]:
    """name: (table, event, REFERENCING, body) of the mention triggers."""
    by = voice_by_found_via
    return {
        "trend_mention_ins": ("mention", "INSERT", "NEW TABLE AS new_rows",
                              pg_mention_upserts(_mention_rows("new_rows", "1"), voice_by_found_via=by)),
        "trend_mention_del": ("mention", "DELETE", "OLD TABLE AS old_rows",
                              pg_mention_upserts(_mention_rows("old_rows", "-1"), voice_by_found_via=by)),
        "trend_mention_upd": ("mention", "UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows", pg_mention_upserts(
            f"{_mention_rows('old_rows', '-1', 'new_rows')} UNION ALL {_mention_rows('new_rows', '1', 'old_rows')}",
            voice_by_found_via=by)),
    }  # fmt: skip


_PG_CHANGES = {
    # name: (table, event, REFERENCING, body)
    **pg_mention_bodies(voice_by_found_via=False),
    "trend_draft_ins": ("draft", "INSERT", "NEW TABLE AS new_rows", pg_reply_upserts(_draft_rows("new_rows", "1"))),
    "trend_draft_del": ("draft", "DELETE", "OLD TABLE AS old_rows", pg_reply_upserts(_draft_rows("old_rows", "-1"))),
    "trend_draft_upd": ("draft", "UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows", pg_reply_upserts(
        f"{_draft_rows('old_rows', '-1', 'new_rows')} UNION ALL {_draft_rows('new_rows', '1', 'old_rows')}")),
}  # fmt: skip

PG_TRIGGERS = [
    statement
    for name, (table, event, referencing, body) in _PG_CHANGES.items()
    for statement in (
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} RETURN NULL; END $$",
        f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {referencing} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
    )
]

PG_BACKFILL = [
    pg_mention_upserts(_mention_rows("mention", "1"), voice_by_found_via=False),
    pg_reply_upserts(_draft_rows("draft", "1")),
]


# --- mentions per author and day (migration 0014; both databases) ------------------------------------------
# Repeat customers over a range: summing these narrow rows replaces a GROUP BY over every mention of the range,
# and the all-days row (day '') lets a long range be answered as the author's total less the days outside it.
# Decremented like the rest, but never topped up by retention: the figure follows the stored mentions, and an
# erased author's rows reach zero and are deleted.

ALL_DAYS = ""
TREND_AUTHOR = _rollup(
    "trend_author", _key("brand", 64), _key("day", 10), _count("author_id", primary_key=True), _count("n")
)

AUTHOR_TABLE = """CREATE TABLE trend_author (
        brand VARCHAR(64) NOT NULL, day VARCHAR(10) NOT NULL, author_id INTEGER NOT NULL, n INTEGER NOT NULL,
        PRIMARY KEY (brand, day, author_id)
    )"""


# Since migration 0016 only the brand's own mentions count: a post found by a competitor search is someone
# else's customer (`own_only`). The definitions without it are what migration 0014 ran.
_OWN = "{row}.found_via <> 'competitor'"


def _author_add(row: str, delta: str, own_only: bool = False) -> str:
    own = f" AND {_OWN.format(row=row)}" if own_only else ""
    return f"""INSERT INTO trend_author (brand, day, author_id, n)
        SELECT {row}.brand, k.day, {row}.author_id, {delta}
        FROM (SELECT substr({row}.created_at, 1, 10) AS day UNION ALL SELECT '') AS k
        WHERE {row}.author_id IS NOT NULL{own}
        ON CONFLICT (brand, day, author_id) DO UPDATE SET n = n + ({delta});"""


def _author_zeros(row: str) -> str:
    return f"""DELETE FROM trend_author WHERE brand = {row}.brand AND author_id = {row}.author_id
        AND day IN (substr({row}.created_at, 1, 10), '') AND n = 0;"""


def _author_triggers(own_only: bool) -> list[str]:
    columns = "brand, created_at, author_id" + (", found_via" if own_only else "")
    found_via = " OR OLD.found_via IS NOT NEW.found_via" if own_only else ""
    return [
        f"CREATE TRIGGER trend_author_ins AFTER INSERT ON mention WHEN NEW.author_id IS NOT NULL "
        f"BEGIN {_author_add('NEW', '1', own_only)} END",
        f"CREATE TRIGGER trend_author_del AFTER DELETE ON mention WHEN OLD.author_id IS NOT NULL "
        f"BEGIN {_author_add('OLD', '-1', own_only)} {_author_zeros('OLD')} END",
        f"CREATE TRIGGER trend_author_upd AFTER UPDATE OF {columns} ON mention "
        "WHEN OLD.brand IS NOT NEW.brand OR OLD.created_at IS NOT NEW.created_at OR OLD.author_id IS NOT NEW.author_id"
        f"{found_via} BEGIN {_author_add('OLD', '-1', own_only)} {_author_add('NEW', '1', own_only)} "
        f"{_author_zeros('OLD')} END",
    ]


AUTHOR_TRIGGERS = _author_triggers(own_only=False)


def _author_backfill(own_only: bool) -> str:
    own = " AND found_via <> 'competitor'" if own_only else ""
    return f"""INSERT INTO trend_author (brand, day, author_id, n)
    SELECT brand, substr(created_at, 1, 10), author_id, count(*) FROM mention WHERE author_id IS NOT NULL{own}
    GROUP BY 1, 2, 3
    UNION ALL
    SELECT brand, '', author_id, count(*) FROM mention WHERE author_id IS NOT NULL{own} GROUP BY 1, 3"""


AUTHOR_BACKFILL = _author_backfill(own_only=False)


def _author_rows(rows: str, sign: str, changed_from: str = "", own_only: bool = False) -> str:
    """(brand, day, author_id, delta) twice per mention of `rows`: for its day and for all days ('')."""
    join, where = _changed("brand, created_at, author_id" + (", found_via" if own_only else ""), changed_from)
    own = f" AND {_OWN.format(row='r')}" if own_only else ""
    return (
        f"SELECT r.brand, CASE WHEN k.all_days THEN '' ELSE {PG_DAY.format(row='r')} END AS day, r.author_id, "
        f"{sign} AS delta FROM {rows} AS r {join} CROSS JOIN (VALUES (false), (true)) AS k(all_days) "
        f"WHERE r.author_id IS NOT NULL{own} AND {where}"
    )


def _pg_rollup_upserts(table: str, bucket: str, deltas: str, *, drop_zeros: bool) -> str:
    """Add (brand, `bucket`, author_id, delta) rows into a per-author rollup; with `drop_zeros`, remove the rows
    the deltas brought to zero. trend_author (bucket: day) and trend_author_month (bucket: month) share it."""
    upsert = f"""
        INSERT INTO {table} AS t (brand, {bucket}, author_id, n)
        SELECT brand, {bucket}, author_id, sum(delta) FROM ({deltas}) AS d
        GROUP BY 1, 2, 3 HAVING sum(delta) <> 0 ORDER BY 1, 2, 3
        ON CONFLICT (brand, {bucket}, author_id) DO UPDATE SET n = t.n + excluded.n;"""
    if not drop_zeros:
        return upsert
    return (
        upsert
        + f"""
        DELETE FROM {table} AS t USING (SELECT DISTINCT brand, {bucket}, author_id FROM ({deltas}) AS d) AS g
        WHERE t.brand = g.brand AND t.{bucket} = g.{bucket} AND t.author_id = g.author_id AND t.n = 0;"""
    )


def pg_author_upserts(deltas: str, *, drop_zeros: bool) -> str:
    return _pg_rollup_upserts("trend_author", "day", deltas, drop_zeros=drop_zeros)


def _pg_author_triggers(own_only: bool) -> list[str]:
    own = own_only
    changes = {
        "trend_author_ins": ("INSERT", "NEW TABLE AS new_rows",
                             pg_author_upserts(_author_rows("new_rows", "1", own_only=own), drop_zeros=False)),
        "trend_author_del": ("DELETE", "OLD TABLE AS old_rows",
                             pg_author_upserts(_author_rows("old_rows", "-1", own_only=own), drop_zeros=True)),
        # A row leaving the count (a changed found_via, author or day) takes -1 from where it was counted.
        "trend_author_upd": ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows", pg_author_upserts(
            f"{_author_rows('old_rows', '-1', 'new_rows', own)} UNION ALL "
            f"{_author_rows('new_rows', '1', 'old_rows', own)}", drop_zeros=True)),
    }  # fmt: skip
    return [
        statement
        for name, (event, referencing, body) in changes.items()
        for statement in (
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} RETURN NULL; END $$",
            f"CREATE TRIGGER {name} AFTER {event} ON mention REFERENCING {referencing} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
        )
    ]


PG_AUTHOR_TRIGGERS = _pg_author_triggers(own_only=False)
PG_AUTHOR_BACKFILL = pg_author_upserts(_author_rows("mention", "1"), drop_zeros=False)


def install_authors(conn: Connection, *, own_only: bool = False) -> None:
    """Migration 0014 (every mention with an author) or, with `own_only`, 0016 (competitor-search posts left
    out). The table is filled from the mentions stored now."""
    postgres = conn.dialect.name == "postgresql"
    if postgres:
        triggers = _pg_author_triggers(own_only)
        backfill = pg_author_upserts(_author_rows("mention", "1", own_only=own_only), drop_zeros=False)
    else:
        triggers, backfill = _author_triggers(own_only), _author_backfill(own_only)
    for statement in [AUTHOR_TABLE + ("" if postgres else " WITHOUT ROWID"), *triggers, backfill]:
        conn.exec_driver_sql(statement)
    if postgres:  # statistics now, not at autovacuum's leisure: an empty-looking table gets nested-loop plans
        conn.exec_driver_sql("ANALYZE trend_author")


def uninstall_authors(conn: Connection) -> None:
    postgres = conn.dialect.name == "postgresql"
    for name in ("trend_author_ins", "trend_author_del", "trend_author_upd"):
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}" + (" ON mention" if postgres else ""))
        if postgres:
            conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {name}()")
    conn.exec_driver_sql("DROP TABLE IF EXISTS trend_author")


def rebuild_author_tables_without_rowid(conn: Connection) -> None:
    """Migration 0018, SQLite only: trend_author and trend_author_month as WITHOUT ROWID tables (their models
    say so; 0014 and 0017 made rowid tables). Repeat customers read `n` beside the key: in a rowid table each of
    a year's 50,000 author rows cost a second lookup (the year's query: 414 ms, 117 ms clustered)."""
    if conn.dialect.name != "sqlite":
        return
    rebuild_authors(conn, own_only=True)
    uninstall_author_months(conn)
    install_author_months(conn)


def rebuild_authors(conn: Connection, *, own_only: bool) -> None:
    """Migration 0016 and its downgrade: the table and triggers again, counted afresh from the mention table
    (like 0014, the figure follows the mentions still stored)."""
    uninstall_authors(conn)
    install_authors(conn, own_only=own_only)


# --- mentions per author and month (migration 0017; both databases) ----------------------------------------
# A range of weeks or months summed from trend_author reads a row per author and day; a whole month here is one
# row per author, so a 90-day range reads about half as many rows (trend_rollups.author_pieces picks, month by
# month, the month row less the days outside the range, or the days inside). Same mentions as trend_author:
# the brand's own (not found by a competitor search), with an author; kept by triggers beside its own.

TREND_AUTHOR_MONTH = _rollup(
    "trend_author_month", _key("brand", 64), _key("month", 7), _count("author_id", primary_key=True), _count("n")
)
AUTHOR_MONTH_TABLE = """CREATE TABLE trend_author_month (
        brand VARCHAR(64) NOT NULL, month VARCHAR(7) NOT NULL, author_id INTEGER NOT NULL, n INTEGER NOT NULL,
        PRIMARY KEY (brand, month, author_id)
    )"""
_COUNTED = "{row}.author_id IS NOT NULL AND {row}.found_via <> 'competitor'"
_MONTH_TRIGGERS = ("trend_author_month_ins", "trend_author_month_del", "trend_author_month_upd")


def _month_add(row: str, delta: str) -> str:
    # INSERT ... SELECT ... WHERE (not VALUES): SQLite's upsert needs the WHERE to read ON CONFLICT as the upsert.
    return f"""INSERT INTO trend_author_month (brand, month, author_id, n)
        SELECT {row}.brand, substr({row}.created_at, 1, 7), {row}.author_id, {delta} WHERE {_COUNTED.format(row=row)}
        ON CONFLICT (brand, month, author_id) DO UPDATE SET n = n + ({delta});"""


def _month_zero(row: str) -> str:
    return f"""DELETE FROM trend_author_month WHERE brand = {row}.brand AND author_id = {row}.author_id
        AND month = substr({row}.created_at, 1, 7) AND n = 0;"""


AUTHOR_MONTH_TRIGGERS = [
    f"CREATE TRIGGER trend_author_month_ins AFTER INSERT ON mention WHEN {_COUNTED.format(row='NEW')} "
    f"BEGIN {_month_add('NEW', '1')} END",
    f"CREATE TRIGGER trend_author_month_del AFTER DELETE ON mention WHEN {_COUNTED.format(row='OLD')} "
    f"BEGIN {_month_add('OLD', '-1')} {_month_zero('OLD')} END",
    "CREATE TRIGGER trend_author_month_upd AFTER UPDATE OF brand, created_at, author_id, found_via ON mention "
    "WHEN OLD.brand IS NOT NEW.brand OR OLD.created_at IS NOT NEW.created_at OR OLD.author_id IS NOT NEW.author_id "
    f"OR OLD.found_via IS NOT NEW.found_via BEGIN {_month_add('OLD', '-1')} {_month_add('NEW', '1')} "
    f"{_month_zero('OLD')} END",
]
AUTHOR_MONTH_BACKFILL = f"""INSERT INTO trend_author_month (brand, month, author_id, n)
    SELECT brand, substr(created_at, 1, 7), author_id, count(*) FROM mention WHERE {_COUNTED.format(row="mention")}
    GROUP BY 1, 2, 3"""

PG_MONTH = "to_char({row}.created_at AT TIME ZONE 'UTC', 'YYYY-MM')"


def _pg_month_rows(rows: str, sign: str, changed_from: str = "") -> str:
    join, where = _changed("brand, created_at, author_id, found_via", changed_from)
    return (
        f"SELECT r.brand, {PG_MONTH.format(row='r')} AS month, r.author_id, {sign} AS delta FROM {rows} AS r {join} "
        f"WHERE {_COUNTED.format(row='r')} AND {where}"
    )


def _pg_month_upserts(deltas: str, *, drop_zeros: bool) -> str:
    return _pg_rollup_upserts("trend_author_month", "month", deltas, drop_zeros=drop_zeros)


_PG_MONTH_CHANGES = {
    "trend_author_month_ins": ("INSERT", "NEW TABLE AS new_rows",
                               _pg_month_upserts(_pg_month_rows("new_rows", "1"), drop_zeros=False)),
    "trend_author_month_del": ("DELETE", "OLD TABLE AS old_rows",
                               _pg_month_upserts(_pg_month_rows("old_rows", "-1"), drop_zeros=True)),
    "trend_author_month_upd": ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows", _pg_month_upserts(
        f"{_pg_month_rows('old_rows', '-1', 'new_rows')} UNION ALL {_pg_month_rows('new_rows', '1', 'old_rows')}",
        drop_zeros=True)),
}  # fmt: skip
PG_AUTHOR_MONTH_TRIGGERS = [
    statement
    for name, (event, referencing, body) in _PG_MONTH_CHANGES.items()
    for statement in (
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} RETURN NULL; END $$",
        f"CREATE TRIGGER {name} AFTER {event} ON mention REFERENCING {referencing} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
    )
]
PG_AUTHOR_MONTH_BACKFILL = _pg_month_upserts(_pg_month_rows("mention", "1"), drop_zeros=False)


def install_author_months(conn: Connection) -> None:
    """Migration 0017: the table, its triggers, and its rows counted from the mentions stored now."""
    postgres = conn.dialect.name == "postgresql"
    triggers, backfill = (
        (PG_AUTHOR_MONTH_TRIGGERS, PG_AUTHOR_MONTH_BACKFILL)
        if postgres
        else (AUTHOR_MONTH_TRIGGERS, AUTHOR_MONTH_BACKFILL)
    )
    for statement in [AUTHOR_MONTH_TABLE + ("" if postgres else " WITHOUT ROWID"), *triggers, backfill]:
        conn.exec_driver_sql(statement)
    if postgres:
        conn.exec_driver_sql("ANALYZE trend_author_month")


def uninstall_author_months(conn: Connection) -> None:
    postgres = conn.dialect.name == "postgresql"
    for name in _MONTH_TRIGGERS:
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}" + (" ON mention" if postgres else ""))
        if postgres:
            conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {name}()")
    conn.exec_driver_sql("DROP TABLE IF EXISTS trend_author_month")


def install(conn: Connection) -> None:
    statements = [*PG_TABLES, *PG_TRIGGERS, *PG_BACKFILL] if conn.dialect.name == "postgresql" else [
        *TABLES, *TRIGGERS, *BACKFILL]  # fmt: skip
    for statement in statements:
        conn.exec_driver_sql(statement)


def uninstall(conn: Connection) -> None:
    postgres = conn.dialect.name == "postgresql"
    for name in ("trend_mention_ins", "trend_mention_del", "trend_mention_upd", "trend_draft_ins",
                 "trend_draft_del", "trend_draft_upd"):  # fmt: skip
        table = "mention" if "mention" in name else "draft"
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgres else ""))
        if postgres:
            conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {name}()")
    for table in ("trend_voice", "trend_term", "trend_reply", "trend_day"):
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")


# --- migration 0015: trend_voice by found_via ---------------------------------------------------------

VOICE_BY_FOUND_VIA = """CREATE TABLE trend_voice (
        brand VARCHAR(64) NOT NULL, day VARCHAR(10) NOT NULL, term VARCHAR(255) NOT NULL,
        found_via VARCHAR(16) NOT NULL, n INTEGER NOT NULL,
        PRIMARY KEY (brand, day, term, found_via)
    )"""
VOICE_KEYWORD_ONLY = TABLES[3]


def _drop_mention_triggers(conn: Connection) -> None:
    postgres = conn.dialect.name == "postgresql"
    for name in MENTION_TRIGGERS:
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}" + (" ON mention" if postgres else ""))
        if postgres:
            conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {name}()")


def _create_mention_triggers(conn: Connection, *, voice_by_found_via: bool) -> None:
    if conn.dialect.name == "postgresql":
        for name, (table, event, referencing, body) in pg_mention_bodies(voice_by_found_via=voice_by_found_via).items():
            conn.exec_driver_sql(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} RETURN NULL; END $$"
            )
            conn.exec_driver_sql(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {referencing} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
            )
    else:
        for statement in _mention_triggers(_voice_by_found_via_add if voice_by_found_via else _voice_add):
            conn.exec_driver_sql(statement)


def voice_by_found_via(conn: Connection) -> None:
    """Migration 0015: count names in every mention, by found_via. The keyword counts are kept as they were
    (retention may have deleted their rows); the other mentions still stored are counted now."""
    postgres = conn.dialect.name == "postgresql"
    _drop_mention_triggers(conn)
    conn.exec_driver_sql("ALTER TABLE trend_voice RENAME TO trend_voice_keyword")
    conn.exec_driver_sql(VOICE_BY_FOUND_VIA + ("" if postgres else " WITHOUT ROWID"))
    conn.exec_driver_sql(
        "INSERT INTO trend_voice (brand, day, term, found_via, n) "
        "SELECT brand, day, term, 'keyword', n FROM trend_voice_keyword"
    )
    day = PG_DAY.format(row="m") if postgres else "substr(m.created_at, 1, 10)"
    found = "strpos(lower(m.text), t.term)" if postgres else "instr(lower(m.text), t.term)"
    conn.exec_driver_sql(
        f"""INSERT INTO trend_voice (brand, day, term, found_via, n)
            SELECT m.brand, {day}, t.term, m.found_via, count(*) FROM mention AS m
            JOIN trend_term AS t ON t.brand = m.brand
            WHERE m.found_via <> 'keyword' AND {found} > 0 GROUP BY 1, 2, 3, 4"""
    )
    conn.exec_driver_sql("DROP TABLE trend_voice_keyword")
    _create_mention_triggers(conn, voice_by_found_via=True)


def voice_keyword_only(conn: Connection) -> None:
    """Undo migration 0015: the keyword counts alone, as 0002 and 0013 kept them."""
    postgres = conn.dialect.name == "postgresql"
    _drop_mention_triggers(conn)
    conn.exec_driver_sql("ALTER TABLE trend_voice RENAME TO trend_voice_by_found_via")
    conn.exec_driver_sql(VOICE_KEYWORD_ONLY.replace(" WITHOUT ROWID", "") if postgres else VOICE_KEYWORD_ONLY)
    conn.exec_driver_sql(
        "INSERT INTO trend_voice (brand, day, term, n) "
        "SELECT brand, day, term, n FROM trend_voice_by_found_via WHERE found_via = 'keyword'"
    )
    conn.exec_driver_sql("DROP TABLE trend_voice_by_found_via")
    _create_mention_triggers(conn, voice_by_found_via=False)


def installed(conn: Connection) -> bool:
    if conn.dialect.name == "postgresql":
        return conn.exec_driver_sql("SELECT to_regclass('trend_day') IS NOT NULL").scalar() is True
    if conn.dialect.name != "sqlite":
        return False
    row = conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'trend_day'").first()
    return row is not None


def sync_terms(conn: Connection, wanted: Iterable[tuple[str, str]]) -> None:
    """Keep share-of-voice terms (brand key, lower-case name) as configured; a new term is counted over the
    stored mentions once, then kept current by the triggers."""
    want = {(b, t.lower()) for b, t in wanted if t.strip()}
    have = {(b, t) for b, t in conn.exec_driver_sql("SELECT brand, term FROM trend_term")}
    for brand, term in have - want:
        conn.execute(text("DELETE FROM trend_term WHERE brand = :b AND term = :t"), {"b": brand, "t": term})
        conn.execute(text("DELETE FROM trend_voice WHERE brand = :b AND term = :t"), {"b": brand, "t": term})
    postgres = conn.dialect.name == "postgresql"
    day = PG_DAY.format(row="mention") if postgres else "substr(created_at, 1, 10)"
    named = "CAST(:t AS text)" if postgres else ":t"  # psycopg: one type for a parameter used twice
    v = "v." if postgres else ""
    found = f"strpos(lower(text), {named})" if postgres else "instr(lower(text), :t)"
    for brand, term in sorted(want - have):
        # Several desk workers start at once: the one whose insert lands counts the term, the others find it
        # there (PostgreSQL makes them wait for that insert's commit) and leave the counting to it.
        claimed = conn.execute(
            text("INSERT INTO trend_term (brand, term) VALUES (:b, :t) ON CONFLICT (brand, term) DO NOTHING"),
            {"b": brand, "t": term},
        )
        if claimed.rowcount != 1:
            continue
        conn.execute(
            text(
                f"""INSERT INTO trend_voice {"AS v " if postgres else ""}(brand, day, term, found_via, n)
                   SELECT brand, {day}, {named}, found_via, count(*) FROM mention
                   WHERE brand = :b AND {found} > 0 GROUP BY 1, 2, 4
                   ON CONFLICT (brand, day, term, found_via) DO UPDATE SET n = {v}n + excluded.n"""
            ),
            {"b": brand, "t": term},
        )
