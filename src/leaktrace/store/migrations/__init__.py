"""Alembic migrations of the store, run in code by :func:`leaktrace.store.db.upgrade` (no alembic.ini)."""
