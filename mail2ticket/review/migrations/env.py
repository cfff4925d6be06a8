"""Alembic environment of the review queue: the URL comes from the caller, never from a file.

:func:`mail2ticket.review.store.migrate` passes the database URL in the Alembic config's
attributes (a URL holds a password: it must not be written into an ini file), and, when the
caller already has one, the open connection, so an in-memory or freshly created database is
migrated on that same connection.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from mail2ticket.review.models import Base

config = context.config
connection = config.attributes.get("connection")

if connection is not None:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = create_engine(config.attributes["url"])
    with engine.connect() as new_connection:
        context.configure(connection=new_connection, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
