"""``leaktrace key export/import/split/combine``: passphrases from a file, the environment or a hidden
prompt; one-line refusals (exit 2); file modes; --json shapes."""

from __future__ import annotations

import itertools
import json
import stat

import pytest

from leaktrace.cli import keys as cli_keys

PASS = "correct horse battery staple"


def _one_line(result, code=2):
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def _mode(path):
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def passfile(tmp_path):
    path = tmp_path / "pass.txt"
    path.write_text(PASS + "\n")  # the first line; its newline is not part of it
    return path


def test_export_and_import_with_a_passphrase_file(cli, tmp_path, passfile):
    _, info = cli("init", "--json")
    result, exported = cli("key", "export", tmp_path / "backup.key", "--passphrase-file", passfile, "--json")
    assert exported == {
        "path": str(tmp_path / "backup.key"),
        "key_fingerprint": info["key_fingerprint"],
        "encrypted": True,
        "format": "leaktrace-key-backup 1",
        "kdf": "scrypt",
        "aead": "AES-256-GCM",
    }
    assert result.stderr.startswith("warning: Keep this file offline") and _mode(tmp_path / "backup.key") == 0o600
    result, _ = cli("key", "export", tmp_path / "backup.key", "--passphrase-file", passfile, expect=None)
    _one_line(result)
    assert "already exists" in result.stderr

    (cli.home / "master.key").unlink()
    result, _ = cli("recipient", "list", expect=None)
    _one_line(result)
    assert "the master key is missing" in result.stderr
    result, restored = cli("key", "import", tmp_path / "backup.key", "--passphrase-file", passfile, "--json")
    assert restored == {
        "key_fingerprint": info["key_fingerprint"],
        "path": str(tmp_path / "backup.key"),
        "encrypted": True,
        "restored": True,
        "warning": None,
    }
    assert result.stderr == "" and _mode(cli.home / "master.key") == 0o600
    result, _ = cli("key", "import", tmp_path / "backup.key", "--passphrase-file", passfile)
    assert result.stdout == f"Master key {info['key_fingerprint']} is already in place; the backup holds it.\n"
    cli("recipient", "list")
    _, entries = cli("audit", "list", "--json")
    assert [e["action"] for e in entries] == ["key.import", "key.export", "workspace.init"]
    assert PASS not in json.dumps(entries)


def test_the_passphrase_from_the_environment(cli, tmp_path, monkeypatch):
    cli("init")
    monkeypatch.setenv("LEAKTRACE_KEY_PASSPHRASE", PASS)
    cli("key", "export", tmp_path / "b.key")
    (cli.home / "master.key").unlink()
    result, _ = cli("key", "import", tmp_path / "b.key")
    assert result.stdout.endswith("restored.\n")
    monkeypatch.setenv("LEAKTRACE_KEY_PASSPHRASE", "not the passphrase at all")
    (cli.home / "master.key").unlink()
    result, _ = cli("key", "import", tmp_path / "b.key", expect=None)
    _one_line(result)
    assert result.stderr == f"error: {tmp_path / 'b.key'}: wrong passphrase, or the backup was altered (it does not decrypt).\n"


def test_the_hidden_prompt_asks_twice_for_a_new_backup(cli, runner, tmp_path, monkeypatch):
    from leaktrace.cli.app import app

    cli("init")
    monkeypatch.setattr(cli_keys, "_interactive", lambda: True)
    result = runner.invoke(app, ["key", "export", str(tmp_path / "b.key"), "--json"], input=f"{PASS}\n{PASS}\n")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["encrypted"] is True and PASS not in result.stdout + result.stderr  # hidden, and the JSON alone on stdout
    assert result.stderr.startswith(
        "New passphrase (12 characters or more):Type it again:warning: Keep this file offline"
    )  # hidden input echoes nothing
    result = runner.invoke(app, ["key", "export", str(tmp_path / "c.key")], input=f"{PASS}\n{PASS}x\n")
    assert result.exit_code == 2 and "The two entered values do not match" in result.stderr  # then nothing more was typed
    assert result.stderr.splitlines()[-1].startswith("error: no passphrase given") and "Traceback" not in result.stderr
    assert not (tmp_path / "c.key").exists()
    (cli.home / "master.key").unlink()
    result = runner.invoke(app, ["key", "import", str(tmp_path / "b.key")], input=f"{PASS}\n")
    assert result.exit_code == 0 and result.stdout.endswith("restored.\n")


def test_without_a_terminal_or_a_passphrase_source_it_says_where_to_give_one(cli, tmp_path):
    cli("init")
    result, _ = cli("key", "export", tmp_path / "b.key", "--json", expect=None)
    _one_line(result)
    assert result.stderr == ("error: no passphrase: the input is not a terminal; give --passphrase-file FILE or set LEAKTRACE_KEY_PASSPHRASE.\n")
    assert result.stdout == "" and not (tmp_path / "b.key").exists()


def test_short_wrong_and_tampered_are_one_line_exit_2(cli, tmp_path, passfile):
    cli("init")
    (tmp_path / "short.txt").write_text("eleven char\n")
    result, _ = cli("key", "export", tmp_path / "b.key", "--passphrase-file", tmp_path / "short.txt", expect=None)
    _one_line(result)
    assert result.stderr == "error: the passphrase has 11 characters; a key backup needs at least 12.\n"
    cli("key", "export", tmp_path / "b.key", "--passphrase-file", passfile)
    (cli.home / "master.key").unlink()
    (tmp_path / "wrong.txt").write_text(PASS.upper())
    result, _ = cli("key", "import", tmp_path / "b.key", "--passphrase-file", tmp_path / "wrong.txt", "--json", expect=None)
    _one_line(result)
    assert "wrong passphrase, or the backup was altered" in result.stderr and result.stdout == ""
    content = bytearray((tmp_path / "b.key").read_bytes())
    content[-10] ^= 0x01  # one bit of the sealed key
    (tmp_path / "flipped.key").write_bytes(bytes(content))
    result, _ = cli("key", "import", tmp_path / "flipped.key", "--passphrase-file", passfile, expect=None)
    _one_line(result)
    # the flipped character may still decode (then the AEAD refuses it) or no longer decode at all
    assert "wrong passphrase, or the backup was altered" in result.stderr or "not a leaktrace key backup" in result.stderr
    result, _ = cli("key", "import", tmp_path / "b.key", "--passphrase-file", tmp_path / "nowhere.txt", expect=None)
    _one_line(result)
    assert not (cli.home / "master.key").exists()


def test_an_old_plain_backup_imports_with_a_warning(cli, tmp_path):
    cli("init")
    key = (cli.home / "master.key").read_bytes()
    (tmp_path / "old.key").write_text(key.hex() + "\n")
    (cli.home / "master.key").unlink()
    result, done = cli("key", "import", tmp_path / "old.key", "--json")
    assert done["encrypted"] is False and done["restored"] is True
    assert result.stderr == f"warning: {done['warning']}\n" and "not encrypted" in result.stderr and result.stderr.count("\n") == 1
    assert (cli.home / "master.key").read_bytes() == key


def test_import_refuses_a_foreign_or_broken_backup(cli, tmp_path, passfile):
    cli("init")
    cli("init", "--home", tmp_path / "other")
    cli("key", "export", tmp_path / "other.key", "--home", tmp_path / "other", "--passphrase-file", passfile)
    (tmp_path / "junk.key").write_text("not a key\n")
    for source, words in (
        (tmp_path / "other.key", "does not belong to this workspace"),
        (tmp_path / "junk.key", "not a leaktrace key backup"),
        (tmp_path / "missing.key", "no such file"),
    ):
        result, _ = cli("key", "import", source, "--passphrase-file", passfile, "--json", expect=None)
        _one_line(result)
        assert words in result.stderr and result.stdout == ""


def test_split_and_combine(cli, tmp_path, passfile):
    _, info = cli("init", "--json")
    key = (cli.home / "master.key").read_bytes()
    args = ("--shares", 3, "--threshold", 2, "--out-dir", tmp_path / "escrow")
    result, made = cli("key", "split", *args, "--custodian", "Legal", "--custodian", "Security", "--custodian", "IT", "--json")
    assert set(made) == {"key_fingerprint", "split_id", "shares", "threshold", "files"}
    assert (made["key_fingerprint"], made["shares"], made["threshold"]) == (info["key_fingerprint"], 3, 2)
    assert [(f["index"], f["custodian"]) for f in made["files"]] == [(1, "Legal"), (2, "Security"), (3, "IT")]
    assert "The live workspace still holds the key" in result.stderr
    assert _mode(tmp_path / "escrow") == 0o700 and all(_mode(tmp_path / f["path"]) == 0o600 for f in made["files"])
    paths = [tmp_path / f["path"] for f in made["files"]]
    for pair in itertools.combinations(paths, 2):
        (cli.home / "master.key").unlink()
        result, done = cli("key", "combine", *pair, "--json")
        assert done["restored"] is True and done["key_fingerprint"] == info["key_fingerprint"] and done["path"] is None
        assert (cli.home / "master.key").read_bytes() == key and _mode(cli.home / "master.key") == 0o600
    result, _ = cli("key", "combine", *paths)
    assert result.stdout == f"Master key {info['key_fingerprint']} is already in place; shares 1, 2, 3 recover it.\n"
    result, done = cli("key", "combine", paths[0], paths[2], "--out", tmp_path / "escrow.key", "--passphrase-file", passfile, "--json")
    assert done["path"] == str(tmp_path / "escrow.key") and done["shares_used"] == [1, 3] and _mode(tmp_path / "escrow.key") == 0o600
    (cli.home / "master.key").unlink()
    cli("key", "import", tmp_path / "escrow.key", "--passphrase-file", passfile)
    _, entries = cli("audit", "list", "--json")
    assert [e["action"] for e in entries] == ["key.import", "key.export"] + ["key.import"] * 3 + ["key.split", "workspace.init"]
    assert all(e["subject_type"] == "key" and e["subject_id"] == info["key_fingerprint"] for e in entries)
    _, check = cli("audit", "verify", "--json")
    assert check["ok"]


def test_split_and_combine_refusals(cli, tmp_path):
    cli("init")
    for args, words in (
        (("--shares", 3, "--threshold", 1), "need 2 <= threshold <= shares <= 32"),
        (("--shares", 2, "--threshold", 3), "need 2 <= threshold <= shares <= 32"),
        (("--shares", 3, "--threshold", 2, "--custodian", "Legal"), "1 custodians named for 3 shares"),
    ):
        result, _ = cli("key", "split", *args, "--out-dir", tmp_path / "s", expect=None)
        _one_line(result)
        assert words in result.stderr
    _, made = cli("key", "split", "--shares", 3, "--threshold", 2, "--out-dir", tmp_path / "a", "--json")
    _, other = cli("key", "split", "--shares", 3, "--threshold", 2, "--out-dir", tmp_path / "b", "--json")
    one = tmp_path / made["files"][0]["path"]
    for shares, words in (
        ([one], "1 share given; this split of key"),
        ([one, tmp_path / other["files"][1]["path"]], "come from different splits"),
        ([one, one], "are the same share"),
        ([one, tmp_path / "missing.json"], "no such file"),
    ):
        result, _ = cli("key", "combine", *shares, "--json", expect=None)
        _one_line(result)
        assert words in result.stderr and result.stdout == ""


def test_export_to_a_taken_file_is_refused_before_the_passphrase_is_asked_for(cli, runner, tmp_path, monkeypatch):
    from leaktrace.cli.app import app

    cli("init")
    (tmp_path / "taken.key").write_text("keep me")
    monkeypatch.setattr(cli_keys, "_interactive", lambda: True)
    result = runner.invoke(app, ["key", "export", str(tmp_path / "taken.key")], input=f"{PASS}\n{PASS}\n")
    _one_line(result)
    assert "already exists" in result.stderr and "passphrase" not in result.stderr.lower()
