"""Alembic environment: migrations run on the connection the journal hands over, never from
an ``alembic.ini`` (netprov opens its own journal; nobody runs ``alembic`` by hand)."""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
