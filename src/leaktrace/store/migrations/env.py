"""Alembic environment of leaktrace, configured in code by :mod:`leaktrace.store.db`.

The caller passes a connection (``config.attributes["connection"]``) or a URL
(``config.attributes["url"]``). Importing this module outside Alembic (for example
by a doctest collector) does nothing.
"""

from __future__ import annotations

from alembic import context

from leaktrace.store.models import Base

target_metadata = Base.metadata


def _configure_and_run(connection: object) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations() -> None:
    config = context.config
    if context.is_offline_mode():
        url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
        return
    from leaktrace.store.db import make_engine

    engine = make_engine(config.attributes.get("url") or config.get_main_option("sqlalchemy.url"))
    try:
        with engine.begin() as connection:
            _configure_and_run(connection)
    finally:
        engine.dispose()


if getattr(context, "config", None) is not None:
    run_migrations()
