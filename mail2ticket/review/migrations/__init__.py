"""Alembic migrations of the review queue (applied by ``mail2ticket review migrate`` and at start)."""
