"""A PostgreSQL ``database_url`` (``leaktrace init --database-url``, or ``LEAKTRACE_DATABASE_URL``) is
the store of every later command and of ``leaktrace serve``: nothing goes to a SQLite file.

Runs whenever the tests' throwaway PostgreSQL cluster does (tests/_postgres.py), on either run.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from sqlalchemy import text

from leaktrace import Workspace
from leaktrace.store.db import make_engine


def _rows(url: str, sql: str) -> list[tuple]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(r) for r in connection.execute(text(sql))]
    finally:
        engine.dispose()


def test_init_with_a_postgresql_url_makes_it_the_store_of_every_command(cli, postgres_url):
    _, info = cli("init", "--database-url", postgres_url, "--json")
    assert info["database"] == postgres_url
    assert f'database_url = "{postgres_url}"' in (cli.home / "leaktrace.toml").read_text()
    cli("recipient", "add", "Apex Plastics GmbH", "--json")
    assert [r["name"] for r in cli("recipient", "list", "--json")[1]] == ["Apex Plastics GmbH"]
    assert cli("audit", "verify", "--json")[1]["ok"] is True
    assert _rows(postgres_url, "select name from recipients") == [("Apex Plastics GmbH",)]
    assert [a for (a,) in _rows(postgres_url, "select action from audit_entries order by id")] == ["workspace.init", "recipient.add"]
    assert not list(cli.home.glob("*.db*"))  # no SQLite file beside it


def test_the_environment_variable_names_the_store_too(cli, postgres_url, monkeypatch):
    monkeypatch.setenv("LEAKTRACE_DATABASE_URL", postgres_url)
    cli("init", "--json")
    cli("recipient", "add", "Borealis Moulding AB")
    assert _rows(postgres_url, "select name from recipients") == [("Borealis Moulding AB",)]
    assert not list(cli.home.glob("*.db*"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_from_the_postgresql_store(tmp_path, postgres_url):
    with Workspace.init(tmp_path / "ws", database_url=postgres_url) as ws:
        ws.add_recipient("Castellan Composites SpA")
        ws.add_user("ana", "analyst", "ana-password-1", actor="setup")
        token = ws.create_token("ana", name="tests", actor="setup")["token"]
    port = _free_port()
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "leaktrace", "serve", "--home", str(tmp_path / "ws"), "--port", str(port)], stdout=out, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, Path(log).read_text()
                time.sleep(0.1)
        base = f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(f"{base}/login", timeout=30) as r:
            assert r.status == 200
        ask = urllib.request.Request(f"{base}/api/v1/recipients", headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(ask, timeout=30) as r:
            names = [row["name"] for row in json.load(r)["data"]]
        assert names == ["Castellan Composites SpA"]
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert not list((tmp_path / "ws").glob("*.db*"))
