"""``leaktrace serve``: refuses a missing workspace before binding; the uvicorn factory builds the app."""

from __future__ import annotations

from typer.testing import CliRunner

from leaktrace.cli.app import app as cli
from leaktrace.web.app import from_environment


def test_serve_refuses_a_missing_workspace(tmp_path):
    result = CliRunner().invoke(cli, ["serve", "--home", str(tmp_path / "nowhere"), "--port", "1"])
    assert result.exit_code == 2
    assert "no leaktrace workspace" in result.stderr


def test_the_factory_serves_the_workspace_in_leaktrace_home(seeded, monkeypatch):
    monkeypatch.setenv("LEAKTRACE_HOME", str(seeded.home))
    monkeypatch.setenv("LEAKTRACE_WEB_MAX_UPLOAD_MB", "7")
    app = from_environment()
    assert app.state.workspace.home == seeded.home
    assert app.state.web.max_upload_mb == 7
