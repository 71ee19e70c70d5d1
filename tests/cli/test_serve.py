"""``leaktrace serve``: what it hands uvicorn (through the environment, never by importing the web package)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from leaktrace.cli import serve as serve_module

_WEB_VARIABLES = ("LEAKTRACE_HOME", "LEAKTRACE_WEB_SECURE_COOKIES", "LEAKTRACE_WEB_MAX_UPLOAD_MB")
_BEFORE = {k: os.environ.get(k) for k in _WEB_VARIABLES}


@pytest.fixture
def uvicorn_calls(cli, monkeypatch):
    """Record uvicorn.run instead of binding a port; restore every variable serve sets."""
    import uvicorn

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append((args, kwargs, dict(os.environ))))
    # serve writes these into os.environ; setenv first so monkeypatch removes them again after the test
    # (delenv of an absent variable records nothing, and the value would leak into later tests)
    for name in _WEB_VARIABLES:
        monkeypatch.setenv(name, os.environ.get(name, "unset"))
    monkeypatch.delenv("LEAKTRACE_WEB_SECURE_COOKIES")
    monkeypatch.delenv("LEAKTRACE_WEB_MAX_UPLOAD_MB")
    return calls


def test_serve_json_and_what_uvicorn_gets(cli, uvicorn_calls, tmp_path):
    cli("init", "--home", tmp_path / "ws")
    result, info = cli("serve", "--home", tmp_path / "ws", "--port", "8123", "--json")
    assert info == {
        "url": "http://127.0.0.1:8123",
        "home": str(tmp_path / "ws"),
        "api": "http://127.0.0.1:8123/api/v1",
        "docs": "http://127.0.0.1:8123/docs",
    }
    ((args, kwargs, environ),) = uvicorn_calls
    assert args == ("leaktrace.web.app:from_environment",) == (serve_module.FACTORY,)
    assert kwargs == {"factory": True, "host": "127.0.0.1", "port": 8123, "log_level": "warning", "proxy_headers": False}
    assert environ["LEAKTRACE_HOME"] == str(tmp_path / "ws")
    assert "LEAKTRACE_WEB_SECURE_COOKIES" not in environ and "LEAKTRACE_WEB_MAX_UPLOAD_MB" not in environ


def test_serve_passes_the_web_options(cli, uvicorn_calls):
    cli("init")
    result, _ = cli("serve", "--host", "0.0.0.0", "--secure-cookies", "--max-upload-mb", "12.5")
    ((_, kwargs, environ),) = uvicorn_calls
    assert kwargs["host"] == "0.0.0.0" and kwargs["port"] == 8000
    assert environ["LEAKTRACE_WEB_SECURE_COOKIES"] == "true" and environ["LEAKTRACE_WEB_MAX_UPLOAD_MB"] == "12.5"
    assert result.stdout == ""
    assert result.stderr == (
        f"leaktrace serving {cli.home} at http://0.0.0.0:8000 (API http://0.0.0.0:8000/api/v1, docs http://0.0.0.0:8000/docs); Ctrl-C to stop.\n"
    )
    cli("serve", "--no-secure-cookies", "--json")
    assert uvicorn_calls[1][2]["LEAKTRACE_WEB_SECURE_COOKIES"] == "false"


def test_serve_refuses_before_binding(cli, uvicorn_calls, tmp_path, monkeypatch):
    result, _ = cli("serve", "--home", tmp_path / "nowhere", "--json", expect=2)
    assert result.stderr.startswith("error: no leaktrace workspace at ") and result.stderr.count("\n") == 1
    cli("init")
    monkeypatch.setenv("LEAKTRACE_JPEG_QUALITY", "5")
    result, _ = cli("serve", expect=2)
    assert "jpeg_quality" in result.stderr
    result, _ = cli("serve", "--port", "http", expect=2)  # not a number: Typer refuses it
    assert uvicorn_calls == []


def test_serve_leaves_no_variable_behind():
    """Runs after the tests above: what serve wrote into os.environ is gone again."""
    assert {k: os.environ.get(k) for k in _WEB_VARIABLES} == _BEFORE


def test_the_cli_does_not_import_the_web_package():
    source = Path(serve_module.__file__).read_text(encoding="utf-8")
    assert "leaktrace.web" not in source.replace(serve_module.FACTORY, "")
    assert json.dumps(serve_module.FACTORY).count(":") == 1
