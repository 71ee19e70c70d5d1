"""``leaktrace init`` and ``settings``: their --json shapes, warnings and refusals (the key commands: test_keys.py)."""

from __future__ import annotations

from leaktrace import settings as settings_mod


def _one_line(result, code=2):
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr


def test_init_json_and_text(cli, tmp_path):
    result, info = cli("init", "--json")
    assert set(info) == {"home", "database", "key_fingerprint"}
    assert info["home"] == str(cli.home) and info["database"] == f"sqlite:///{cli.home / 'leaktrace.db'}"
    assert len(info["key_fingerprint"]) == 16 and int(info["key_fingerprint"], 16) >= 0
    assert result.stderr == ""  # JSON mode: the document only
    result, _ = cli("init", "--home", tmp_path / "second")
    assert f"Created a leaktrace workspace at {tmp_path / 'second'}" in result.stdout
    assert f"leaktrace key export FILE --home {tmp_path / 'second'}" in result.stdout
    assert result.stderr.startswith("warning: Keep this file offline")


def test_init_with_a_database_url_and_twice(cli, tmp_path):
    url = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    _, info = cli("init", "--database-url", url, "--json")
    assert info["database"] == url and (tmp_path / "elsewhere.db").exists()
    assert not (cli.home / "leaktrace.db").exists()
    assert 'database_url = "' + url + '"' in (cli.home / "leaktrace.toml").read_text()
    result, _ = cli("init", expect=None)
    _one_line(result)
    assert result.stderr == f"error: a leaktrace workspace already exists at {cli.home}.\n"


def test_init_refuses_an_unsafe_setting_and_writes_nothing(cli, monkeypatch):
    monkeypatch.setenv("LEAKTRACE_EPSILON", "0.01")
    result, _ = cli("init", expect=None)
    _one_line(result)
    assert "epsilon" in result.stderr and not (cli.home / "master.key").exists()


def test_settings_json_has_every_row_with_its_value(cli, monkeypatch):
    monkeypatch.setenv("LEAKTRACE_EPSILON", "1e-9")
    _, rows = cli("settings", "--json")
    assert [r["name"] for r in rows] == [s.name for s in settings_mod.SETTINGS]
    for row, setting in zip(rows, settings_mod.SETTINGS):
        assert set(row) == {"name", "default", "env", "help", "value"}
        assert (row["env"], row["help"], row["default"]) == (setting.env, setting.help, setting.default)
    values = {r["name"]: r["value"] for r in rows}
    assert values["epsilon"] == 1e-9 and values["carrier_cells"] == 4096  # the environment, else the default
    result, _ = cli("settings")
    assert "epsilon = 1e-09  (LEAKTRACE_EPSILON; default 1e-06)" in result.stdout


def test_settings_reads_the_workspace_file(cli, tmp_path):
    cli("init")
    (cli.home / "leaktrace.toml").write_text("jpeg_quality = 90\n")
    _, rows = cli("settings", "--json", "--home", cli.home)
    assert {r["name"]: r["value"] for r in rows}["jpeg_quality"] == 90
    (cli.home / "leaktrace.toml").write_text("jpeg_quality = 20\n")
    result, _ = cli("settings", "--json", expect=None)
    _one_line(result)
    assert "jpeg_quality must be between 50 and 100" in result.stderr


def test_init_is_the_first_audit_entry(cli):
    _, info = cli("init", "--json")
    _, (entry,) = cli("audit", "list", "--json")
    assert (entry["id"], entry["action"], entry["subject_type"], entry["subject_id"]) == (1, "workspace.init", "key", info["key_fingerprint"])
    assert entry["details"] == {"home": info["home"], "database": "sqlite"}


def test_settings_show_a_database_password_as_stars(cli, runner, monkeypatch):
    from leaktrace.cli.app import app

    cli("init")
    monkeypatch.setenv("LEAKTRACE_DATABASE_URL", "postgresql://lt:Hunter2-secret@db.corp:5432/leaks?sslmode=require")
    for args in (["settings"], ["settings", "--json"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0 and "Hunter2-secret" not in result.stdout + result.stderr
        assert "postgresql://lt:***@db.corp:5432/leaks?sslmode=require" in result.stdout
