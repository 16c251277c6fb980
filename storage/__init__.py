"""Storage: SQLModel tables, queries that take `session=` and never commit, Alembic migrations."""
