"""Alembic migrations of the journal's schema (run by :func:`netprov.state.journal.upgrade`)."""
