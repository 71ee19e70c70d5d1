"""migrations/env: the migrations build exactly what the models describe, by connection, by URL or as SQL."""

from __future__ import annotations

import importlib
import io

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from leaktrace.store.db import current_revision, head_revision, make_engine, migrations_config, upgrade
from leaktrace.store.models import Base


def test_importing_env_outside_alembic_does_nothing():
    env = importlib.import_module("leaktrace.store.migrations.env")
    assert env.target_metadata is Base.metadata


def test_the_migrated_schema_is_the_models_schema(store_url):
    url = store_url()
    upgrade(url)  # through a connection the caller holds
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            assert tables == set(Base.metadata.tables) | {"alembic_version"}
            diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)
    finally:
        engine.dispose()
    assert diff == []


def test_a_url_alone_is_enough(store_url):
    url = store_url("by-url.db")
    command.upgrade(migrations_config(url), "head")  # env.py opens (and disposes) its own engine
    assert current_revision(url) == head_revision()
    command.downgrade(migrations_config(url), "base")
    assert current_revision(url) is None


def test_offline_mode_writes_the_sql_of_every_table(tmp_path):
    config = migrations_config(f"sqlite:///{tmp_path / 'never-made.db'}")
    config.output_buffer = buffer = io.StringIO()
    command.upgrade(config, "head", sql=True)
    sql = buffer.getvalue()
    for table in Base.metadata.tables:
        assert f"CREATE TABLE {table} (" in sql, table
    assert f"UPDATE alembic_version SET version_num='{head_revision()}'" in sql
    assert not (tmp_path / "never-made.db").exists()  # nothing was connected to
