"""The README's walk-through runs as written: its shell block is taken from README.md and run by bash.

As datasette's documentation tests hold its docs to the code, this holds the walk-through to the
command line: a renamed option, a file that is not there or a step that fails breaks the test, not
the reader. It runs in a temporary folder laid out like the checkout after ``make demo`` (``.venv``
and ``src`` linked in), with ``HOME`` there too and the key passphrase in ``LEAKTRACE_KEY_PASSPHRASE``
(a reader types it at the prompt). 30-55 s on a shared 2-core machine.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CI_ONLY

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def walkthrough() -> str:
    """The shell block(s) of the README's "Walk-through" section, joined in order."""
    section = README.split("\n## Walk-through\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```sh\n(.*?)^```$", section, re.S | re.M)
    assert blocks, "the README's walk-through has no ```sh block"
    return "".join(blocks)


def test_the_walkthrough_tells_the_whole_story():
    commands = [line.split("#", 1)[0].strip() for line in walkthrough().splitlines()]
    steps = {" ".join(c.split()[:2]) for c in commands if c.startswith("leaktrace ")}
    assert {"leaktrace init", "leaktrace share", "leaktrace trace", "leaktrace report"} <= steps
    assert not any("/mnt/" in c or "drafts/" in c for c in commands)  # only files the walk-through makes or the checkout ships


@pytest.mark.slow
@CI_ONLY
def test_the_walkthrough_runs_as_written(tmp_path):
    venv = Path(sys.prefix)
    if not (venv / "bin" / "activate").is_file() or not (venv / "bin" / "leaktrace").is_file():
        pytest.skip("not run from a virtual environment with leaktrace installed (make test makes one)")
    (tmp_path / ".venv").symlink_to(venv)
    (tmp_path / "src").symlink_to(ROOT / "src")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEAKTRACE_")}
    env |= {"HOME": str(tmp_path), "LEAKTRACE_KEY_PASSPHRASE": "the walk-through's passphrase"}
    script = "set -euxo pipefail\n" + walkthrough()  # stop at the first failing line, and name it
    result = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"the walk-through stopped:\n{result.stderr[-4000:]}"
    assert "Accused: Borealis Components." in result.stdout  # the leaked copy is traced to its recipient
    tour = tmp_path / "tour"  # where the walk-through puts everything
    assert (tour / "finding-1.pdf").read_bytes().startswith(b"%PDF-") and (tour / "key.backup").is_file()
    assert "extends the checkpoint" in result.stdout and (tour / "worm" / "checkpoint.json").is_file()
    assert "matching features, " in result.stdout and not re.search(r"\b0 matching features", result.stdout)
