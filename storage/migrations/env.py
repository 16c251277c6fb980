"""Alembic environment: the connection (or engine) comes from storage.db (never built here from settings)."""

from alembic import context
from sqlalchemy import Connection

from storage.schema_check import comparison_options, model_metadata

# Every table (the desk's and the SQLite rollups too), compared the way `mentiondesk db check` compares them.
target_metadata = model_metadata()
config = context.config


def migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        **comparison_options(connection.dialect.name),
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()


def run() -> None:
    # storage.db.upgrade passes the connection that holds the schema lock (and on SQLite an open write
    # transaction, which Alembic then leaves to us: the version check and every migration run inside it).
    connection = config.attributes.get("connection")
    if connection is not None:
        migrate(connection)
        return
    engine = config.attributes.get("engine")
    if engine is None:  # the alembic command line: the URL from alembic.ini or the environment
        import os

        from storage.db import make_engine

        url = config.get_main_option("sqlalchemy.url") or os.environ.get("MENTIONDESK_DATABASE_URL")
        engine = make_engine(url or "sqlite:///mentiondesk.db")
    with engine.connect() as connection:
        migrate(connection)


run()
