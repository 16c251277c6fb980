"""A manager's corrections in the desk, read from the database and turned into training examples."""

from __future__ import annotations

from rules.data import Example, desk_examples
from storage.db import open_database, transaction
from storage.queries import desk_corrections


def load_desk_corrections(database_url: str) -> list[Example]:
    """Mentions a manager relabelled, newest verdict of each, as examples `train --from-desk` learns from."""
    engine = open_database(database_url)
    try:
        with transaction(engine) as session:
            return desk_examples(desk_corrections(session=session))
    finally:
        engine.dispose()
