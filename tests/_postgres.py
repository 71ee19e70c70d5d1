"""A throwaway PostgreSQL cluster for the tests that run on both stores.

When ``LEAKTRACE_TEST_POSTGRES_URL`` is not set and PostgreSQL's ``initdb``/``pg_ctl`` are on the
PATH (Debian's ``postgresql`` package; `.ci/run` installs it), :func:`start` makes a cluster in a
temporary folder, listening only on a Unix socket there, and sets the variable for the run;
:func:`stop` removes it. Without PostgreSQL nothing happens and those tests run on SQLite only.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

ENV = "LEAKTRACE_TEST_POSTGRES_URL"
_state: dict[str, Path] = {}


def _as_postgres(args: list[str]) -> list[str]:
    """``args`` run as the ``postgres`` account when we are root (PostgreSQL refuses to run as root)."""
    if os.geteuid() != 0:
        return args
    runuser = shutil.which("runuser")
    return [runuser, "-u", "postgres", "--", *args] if runuser else ["su", "postgres", "-c", " ".join(args)]


def start() -> str | None:
    """Start the cluster and return its URL, or None when PostgreSQL or psycopg is not available."""
    if os.environ.get(ENV) or os.environ.get("LEAKTRACE_TEST_NO_POSTGRES"):
        return os.environ.get(ENV)
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if not initdb or not pg_ctl:
        return None
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return None
    folder = Path(tempfile.mkdtemp(prefix="leaktrace-pg-"))
    data = folder / "data"
    try:
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres")
        run = dict(check=True, capture_output=True, timeout=60)
        subprocess.run(_as_postgres([initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync"]), **run)
        options = f"-k {folder} -c listen_addresses='' -c fsync=off"
        subprocess.run(_as_postgres([pg_ctl, "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start"]), **run)
    except (OSError, KeyError, LookupError, subprocess.SubprocessError):
        shutil.rmtree(folder, ignore_errors=True)
        return None
    _state["folder"], _state["pg_ctl"] = folder, Path(pg_ctl)
    url = f"postgresql+psycopg://postgres@/postgres?host={folder}"
    os.environ[ENV] = url
    return url


def stop() -> None:
    """Stop and remove the cluster :func:`start` made (nothing if it made none)."""
    folder = _state.pop("folder", None)
    if folder is None:
        return
    pg_ctl = str(_state.pop("pg_ctl"))
    subprocess.run(_as_postgres([pg_ctl, "-D", str(folder / "data"), "-m", "immediate", "stop"]), capture_output=True, timeout=60)
    os.environ.pop(ENV, None)
    shutil.rmtree(folder, ignore_errors=True)
