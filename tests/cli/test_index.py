"""``leaktrace index check/rebuild``: the kept FAISS index against the store, in words and as JSON."""

from __future__ import annotations

from leaktrace.samples import sample_path

KEYS = {"backend", "in_use", "kept", "readable", "assets", "entries", "missing", "extra", "stale", "in_step"}


def test_check_and_rebuild(cli, monkeypatch):
    cli("init")
    cli("asset", "add", sample_path("drawing_bumper"), sample_path("render_photo"))
    result, _ = cli("index", "check")
    assert result.stdout.splitlines() == ["index: none kept; 2 assets; not used by traces yet (index_backend auto, 500 assets for auto)"]

    monkeypatch.setenv("LEAKTRACE_INDEX_BACKEND", "ann")
    cli("index", "check", expect=1)  # in use and not kept: a trace would build it
    result, _ = cli("index", "rebuild")
    assert result.stdout.splitlines() == [
        "index: 2 entries for 2 assets; used by traces",
        "  in step with the store (every entry's SHA-256 is its asset's file)",
    ]
    _, found = cli("index", "check", "--json")
    assert set(found) == KEYS
    assert (found["entries"], found["assets"], found["stale"], found["in_step"]) == (2, 2, [], True)

    (cli.home / "cache" / "assets.ann").write_bytes(b"damaged")
    result, _ = cli("index", "check", expect=1)
    assert result.stdout.startswith("index: damaged or of an older format: the next trace that uses it rebuilds it; 2 assets")


def test_check_without_a_workspace_is_one_line(cli):
    result, _ = cli("index", "check", expect=2)
    assert len(result.stderr.strip().splitlines()) == 1
