"""A scan on a local Ray cluster (2 CPUs) gives the same hits and findings as the local executor; files
are spread over the actors, a killed actor's file is retried, and a missing Ray is one line.

Ray starts in about 5 s and each actor imports leaktrace: the module shares one Ray instance.
"""

from __future__ import annotations

import os
import signal
import time

import pytest

from leaktrace import Workspace
from leaktrace.errors import MissingDependency
from leaktrace.services import scan_cluster, scans
from tests.conftest import CI_ONLY
from tests.services.test_scans import leak, shared, unrelated  # noqa: F401 (shared: a fixture)

ray = pytest.importorskip("ray")

# Ray's own processes (raylet, GCS) are Popen objects it keeps running between tests, and its modules warn on import.
pytestmark = [
    CI_ONLY,  # Ray starts in seconds and its actors import leaktrace: about a minute, in CI or with LEAKTRACE_SLOW=1
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::FutureWarning"),
]


@pytest.fixture(scope="module")
def cluster():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False, namespace="leaktrace-tests")
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def crawl(shared, tmp_path_factory):  # noqa: F811 (the imported fixture)
    """test_scans' workspace (an asset shared to three recipients) and a folder: leaks of two copies, unrelated images, a broken file."""
    ws, _, copies = shared
    folder = tmp_path_factory.mktemp("cluster-crawl")
    leak(copies["Borealis"], folder, "b.jpg", offset=10)
    leak(copies["Castellan"], folder, "c.jpg", offset=14, quality=75)
    for seed in (1, 2, 3):
        unrelated(folder, seed)
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    return ws, folder


def _outcome(result: scans.ScanResult) -> tuple:
    hits = sorted((os.path.basename(h.path), h.sha256, h.asset.id, h.accused) for h in result.hits)
    failed = sorted((os.path.basename(f.path), f.reason.split(": ", 1)[1]) for f in result.failed)
    return result.images, result.matched, result.errors, hits, failed


def test_a_ray_scan_finds_what_the_local_executor_finds(cluster, crawl, tmp_path):
    ws, folder = crawl
    import shutil

    shutil.copytree(ws.home, tmp_path / "twin")  # the same workspace twice: one scanned locally, one on Ray
    local = scans.scan(ws.context, [folder], workers=2)
    with Workspace(tmp_path / "twin") as twin:
        on_ray = scans.scan(twin.context, [folder], ray="auto")
        assert _outcome(on_ray) == _outcome(local)
        assert [h.accused for h in sorted(on_ray.hits, key=lambda h: h.path)] == [("Borealis",), ("Castellan",)]
        mine = {h.sha256: twin.show_finding(h.finding_id) for h in on_ray.hits}
    theirs = {h.sha256: ws.show_finding(h.finding_id) for h in local.hits}
    for sha, finding in mine.items():
        other = theirs[sha]
        assert [(c.recipient, round(c.score, 6)) for c in finding.candidates] == [(c.recipient, round(c.score, 6)) for c in other.candidates]


def test_files_are_spread_over_the_actors_and_a_killed_actor_is_retried(cluster, crawl):
    ws, folder = crawl
    executor = scan_cluster.RayExecutor("auto")
    try:
        assert len(executor) == 2 and len(set(executor.pids())) == 2
        files = sorted(str(p) for p in folder.iterdir())
        first_pid = executor.pids()[0]
        results = []
        for n, screened in enumerate(executor.imap(scans.screen_file, [(ws.context.settings, i, f) for i, f in enumerate(files)])):
            results.append(screened)
            if n == 0:
                os.kill(first_pid, signal.SIGKILL)  # the actor is restarted, its queued file retried
        assert sorted(r.item_id for r in results) == list(range(len(files)))
        assert sum(r.matched for r in results) == 2
        assert all(r.reason is None or "broken.png" in r.reason for r in results)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and first_pid in executor.pids():
            time.sleep(0.2)
        assert first_pid not in executor.pids()
    finally:
        executor.close()


def test_without_ray_the_option_is_one_line(monkeypatch):
    import builtins

    real = builtins.__import__

    def no_ray(name, *args, **kwargs):
        if name == "ray":
            raise ImportError("no ray")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ray)
    with pytest.raises(MissingDependency, match=r"^--ray needs Ray, which is not installed: pip install 'leaktrace\[cluster\]'"):
        scan_cluster.RayExecutor("auto")
