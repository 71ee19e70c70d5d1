"""Scan: screen many images against every asset and trace the ones that match (``leaktrace scan``).

A scan takes folders (recursive), files of paths, ``-`` (paths on stdin) and JSON-lines feeds of a
crawler (``{"path", "source_url", "found_at"}`` per line: the finding's custody). It is planned once
(:func:`start`): every file is read for its SHA-256 and stored as a *pending* scan item, so a scan
stopped by Ctrl-C, or by a process that died, is finished by :func:`run` later (``scan resume``).
A file an earlier scan has done (matched or unmatched, by hash) is counted, never traced again.

Each pending file is *screened* by :func:`screen_file`, the work function: it takes plain values
(the settings, an item id, a path) and returns a plain :class:`Screened`, so it runs in this
process, in a local process pool (:class:`LocalExecutor`) or on a Ray cluster. Screening has two
stages, both image evidence only (:mod:`leaktrace.services.search`), their indexes built once per
process: the cheap screen (:mod:`leaktrace.index.screen`: a JPEG decoded at 1/2–1/8 of its size,
global hashes, a compact SIFT query's FAISS votes and a verification of the few best) rejects
most files that show no asset; the few it keeps are decoded whole and get the asset search of
``trace``. A file that search matches is traced by the driver with
:func:`leaktrace.services.traces.trace`, unchanged, and its finding stored and sealed there; the
trace runs its own identification again (the search is deterministic: same asset). An unmatched
file stores nothing but its item; a bad one, its reason. Both decodes are a stranger's file's,
with the time budget of ``decode_budget_s`` and a memory cap, in a child process each screening
process forks once and keeps (:class:`leaktrace.imageworker.Resident`: a fork per file cost as
much as the small decode), so a bomb or a crashing decoder is that file's failure, never the scan's.

Only the driver (the process calling :func:`run`) writes the store. The workers read the asset
list and the feature cache, and need no master key: no worker can compute a recipient's signs.

The scan's link to a finding is its item's ``finding_id``: the finding row itself is unchanged,
so a finding's seal (its ``trace`` audit entry) is the same whether a scan or an analyst traced
it; the scan is bookkeeping, not evidence, and is not sealed. What a finding rests on, and its
custody (the feed's ``source_url`` and ``found_at``), are sealed with it as for every trace.

Not yet: the feature-free fallback of ``trace`` (registration without matching features, for
crops of smooth renders) is not run on files the screen or the search does not match, since it
costs about a second an image; such leaks are counted unmatched, and ``leaktrace trace`` still
finds them.
PDF files are refused with a reason (trace them with ``leaktrace trace``).
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import hashlib
import json
import multiprocessing
import multiprocessing.forkserver
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import func, select

from leaktrace import imagefiles
from leaktrace.core import views
from leaktrace.documents import reading
from leaktrace.errors import BadInput, LeaktraceError, NotFound
from leaktrace.index import screen as screening
from leaktrace.records import AssetRef, Record
from leaktrace.services import assets as assets_service
from leaktrace.services import audit, custody, ids, search, traces
from leaktrace.services.context import Context
from leaktrace.settings import Settings
from leaktrace.store import db as store_db
from leaktrace.store import models
from leaktrace.store.blobs import BlobStore

__all__ = [
    "EXECUTORS",
    "LocalExecutor",
    "ScanHit",
    "ScanFailure",
    "ScanResult",
    "ScanSummary",
    "Screened",
    "list_all",
    "plan",
    "result",
    "run",
    "scan",
    "screen_file",
    "start",
    "summary",
]

#: Suffixes of files always read as images (never as a list of paths), whatever their bytes.
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".tif", ".tiff", ".ppm", ".pgm", ".pbm", ".avif", ".heic", ".pdf"})
#: Files a pool has in flight per worker: enough to keep each busy, few enough that Ctrl-C stops soon.
IN_FLIGHT = 4
_HASH_CHUNK = 1 << 20  # bytes read at a time for a file's SHA-256
_DONE = ("matched", "unmatched")
ScanProgress = Callable[[int, int, int], None]  # (files done, files in the scan, hits so far)


# ---------------------------------------------------------------- records


class ScanWorkerDied(LeaktraceError):
    """A process of the pool died mid-scan; the scan is kept, its unfinished files pending."""

    exit_code = 3


@dataclass(frozen=True)
class ScanHit(Record):
    """A scanned file that shows an asset, and its stored finding (``accused``: empty when the evidence names nobody)."""

    path: str
    sha256: str
    finding_id: int
    asset: AssetRef | None
    accused: tuple[str, ...]


@dataclass(frozen=True)
class ScanFailure(Record):
    """A scanned file that could not be screened or traced, and why (one line)."""

    path: str
    reason: str


@dataclass(frozen=True)
class ScanResult(Record):
    """What ``scan --json`` prints (a contract: fields are only ever added): ``images`` files in the scan,
    ``matched`` of them show an asset (each a hit with its finding), ``errors`` failed (each with its reason)."""

    id: int
    images: int
    matched: int
    errors: int
    hits: tuple[ScanHit, ...]
    failed: tuple[ScanFailure, ...]


@dataclass(frozen=True)
class ScanSummary(Record):
    """One scan in ``scan list``: its state and counts (``earlier``: files an earlier scan had done)."""

    id: int
    status: str  # running | interrupted | done
    sources: tuple[str, ...]
    images: int
    matched: int
    unmatched: int
    errors: int
    pending: int
    earlier: int
    actor: str
    created_at: str  # ISO 8601, UTC
    finished_at: str | None


@dataclass(frozen=True)
class Screened:
    """What the work function returns for one file: plain values, so it pickles across processes."""

    item_id: int
    matched: bool
    asset_id: int | None = None  # the asset the search found first
    reason: str | None = None  # set when the file failed
    elapsed_s: float = 0.0
    stage: str = "screen"  # the last stage run: "screen" (the cheap screen said no) or "search"


@dataclass(frozen=True)
class _Input:
    """One file a source names, with its custody; ``reason`` when the source's line is unusable."""

    path: str
    source_url: str | None = None
    found_at: str | None = None
    reason: str | None = None


# ---------------------------------------------------------------- sources


def plan(sources: Iterable[str | os.PathLike[str]], *, stdin: Iterable[str] | None = None) -> list[_Input]:
    """The files ``sources`` name, in order: a folder's files (recursive, sorted, hidden ones left out),
    a text file's lines (paths, or JSON objects of a feed; relative paths from the file's folder),
    ``-``'s lines from ``stdin`` (relative to the working folder), or an image file itself."""
    out: list[_Input] = []
    for source in sources:
        text = os.fspath(source)
        if text == "-":
            out += _lines(stdin or (), Path.cwd(), "stdin")
            continue
        path = Path(text)
        if path.is_dir():
            out += [_Input(str(p.absolute())) for p in sorted(path.rglob("*")) if p.is_file() and not _hidden(p.relative_to(path))]
        elif path.is_file():
            out += [_Input(str(path.absolute()))] if _is_image_file(path) else _lines(_read_lines(path), path.absolute().parent, str(path))
        else:
            raise BadInput(f"{text}: no such file or folder to scan.")
    return out


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def _is_image_file(path: Path) -> bool:
    """An image (or PDF) rather than a list of paths: by its suffix, else by bytes that are not UTF-8 text."""
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return True
    with open(path, "rb") as f:
        head = f.read(4096)
    if b"\0" in head:
        return True
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start < len(head) - 4  # a multi-byte character cut at the end is still text
    return False


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise BadInput(f"{path}: a list of files to scan must be UTF-8 text.") from None


def _lines(lines: Iterable[str], base: Path, label: str) -> list[_Input]:
    out = []
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        out.append(_feed_line(line, base, f"{label} line {number}") if line.startswith("{") else _Input(str(base / line)))
    return out


def _feed_line(line: str, base: Path, where: str) -> _Input:
    """One JSON line of a crawler's feed: ``path`` (required), ``source_url`` and ``found_at`` (checked as ``trace`` checks them)."""
    try:
        entry = json.loads(line)
    except json.JSONDecodeError as exc:
        return _Input(where, reason=f"{where}: not a JSON object ({exc.msg}).")
    path = entry.get("path") if isinstance(entry, dict) else None
    if not isinstance(path, str) or not path.strip():
        return _Input(where, reason=f'{where}: a feed line needs "path", the file to scan.')
    path = str(base / path.strip())
    try:
        given = custody.parse(source_url=entry.get("source_url"), found_at=entry.get("found_at"))
    except BadInput as exc:
        return _Input(path, reason=f"{path}: {exc}")
    return _Input(path, None if given is None else given.source_url, None if given is None else given.found_at)


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# ---------------------------------------------------------------- the scan in the store


def start(ctx: Context, sources: Iterable[str | os.PathLike[str]], *, stdin: Iterable[str] | None = None, actor: str | None = None) -> int:
    """Store a new scan of ``sources`` (:func:`plan`) with one pending item per distinct file, and return its id.

    Each file is read once for its SHA-256 (a file named twice, or two files of the same bytes, is one
    item); a file that cannot be read, or a feed line that cannot be used, is a failed item with its
    reason; a file an earlier scan matched or found unmatched is stored done, as that scan left it."""
    sources = [os.fspath(s) for s in sources]
    inputs = plan(sources, stdin=stdin)
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for item in inputs:
        sha, reason = None, item.reason
        if reason is None:
            try:
                sha = _sha256(item.path)
            except OSError as exc:
                reason = f"{item.path}: {exc.strerror or exc}."
        if sha is not None:
            if sha in seen:
                continue
            seen.add(sha)
        found = None if item.found_at is None else datetime.fromisoformat(item.found_at)
        status = "pending" if reason is None else "failed"
        rows.append(dict(path=item.path, sha256=sha, status=status, reason=reason, source_url=item.source_url, found_at=found))
    with store_db.transaction(ctx.sessions) as session:
        earlier = _done_before(session, [r["sha256"] for r in rows if r["sha256"] is not None], scan_id=None)
        row = models.Scan(status="running", sources=json.dumps(sources), actor=actor or audit.default_actor())
        session.add(row)
        session.flush()
        for position, values in enumerate(rows):
            done = earlier.get(values["sha256"])
            if done is not None and values["status"] == "pending":
                values.update(status=done[0], finding_id=done[1], earlier=True)
            session.add(models.ScanItem(scan_id=row.id, position=position, **values))
        return row.id


def _done_before(session, shas: list[str], *, scan_id: int | None) -> dict[str, tuple[str, int | None]]:
    """sha256 → (status, finding id) of the files another scan than ``scan_id`` has done."""
    out: dict[str, tuple[str, int | None]] = {}
    for i in range(0, len(shas), 500):  # SQLite binds at most 999 parameters a statement
        query = select(models.ScanItem.sha256, models.ScanItem.status, models.ScanItem.finding_id).where(
            models.ScanItem.sha256.in_(shas[i : i + 500]), models.ScanItem.status.in_(_DONE)
        )
        if scan_id is not None:
            query = query.where(models.ScanItem.scan_id != scan_id)
        for sha, status, finding_id in session.execute(query.order_by(models.ScanItem.id)):
            out.setdefault(sha, (status, finding_id))
    return out


def _scan_row(session, scan_id: int | str) -> models.Scan:
    number = ids.number(scan_id, "scan")
    row = session.get(models.Scan, number)
    if row is None:
        raise NotFound(f"no scan numbered {number}.")
    return row


def _set_status(ctx: Context, scan_id: int, status: str) -> None:
    with store_db.transaction(ctx.sessions) as session:
        row = session.get(models.Scan, scan_id)
        row.status = status
        row.finished_at = models.utcnow() if status == "done" else None


def _settle(ctx: Context, item_id: int, **change: Any) -> None:
    with store_db.transaction(ctx.sessions) as session:
        item = session.get(models.ScanItem, item_id)
        for key, value in change.items():
            setattr(item, key, value)


# ---------------------------------------------------------------- the work function


_WORKER: dict[str, Any] = {}  # this process's screening state: settings, context, asset index (built once)


def screen_file(settings: Settings, item_id: int, path: str) -> Screened:
    """Screen the file at ``path`` (scan item ``item_id``) against every asset of the workspace of
    ``settings``: decoded with the limits of a leak, searched as ``trace`` searches. Plain values in
    and out (it runs in any process); the context and the index are made once per process.
    A file that cannot be read is a :class:`Screened` with its reason, never an exception."""
    state = _worker_state(settings)
    return _screen(state["ctx"], state["index"], item_id, path)


def _worker_state(settings: Settings) -> dict[str, Any]:
    if _WORKER.get("settings") != settings:
        engine = store_db.make_engine(settings.resolved_database_url, lock_timeout_s=settings.lock_timeout_s)
        ctx = Context(settings, engine, store_db.session_factory(engine, readonly=True), BlobStore(settings.home / "blobs"), b"")  # no key needed
        _WORKER.clear()
        _WORKER.update(settings=settings, ctx=ctx, index=_index(ctx))
    return _WORKER


def _index(ctx: Context) -> tuple | None:
    """(the asset search's index, the screen) of every asset, or None when there is none."""
    assets = assets_service.all_assets(ctx)
    return search.screen_for(ctx, assets) if assets else None


_DECODERS: dict[int, Any] = {}  # max_pixels → this process's kept decode worker (imagefiles.resident_worker)


def _read(ctx: Context, path: Path, **options: Any):
    """Decode a file to screen with the limits of a stranger's file, in this process's kept decode worker
    (no fork per file; a bomb, a crash or a slow codec is this file's refusal); in this process when
    ``decode_budget_s`` is 0."""
    limits = assets_service.read_limits(ctx)
    budget = limits.pop("budget_s")
    if not budget:
        return imagefiles.read_image(path, **limits, **options)
    worker = _DECODERS.get(limits["max_pixels"])
    if worker is None:
        worker = _DECODERS[limits["max_pixels"]] = imagefiles.resident_worker(limits["max_pixels"])
    return imagefiles.read_image_resident(worker, path, budget_s=budget, **limits, **options)


def _close_decoders() -> None:
    while _DECODERS:
        _DECODERS.popitem()[1].close()


def _screen(ctx: Context, indexes: tuple | None, item_id: int, path: str) -> Screened:
    """Screen one file: the cheap screen on a small decode, then, if it may show an asset, the search of ``trace`` on the whole image."""
    begin = time.perf_counter()
    file, stage = Path(path), "screen"
    try:
        if reading.is_pdf_file(file):
            return Screened(item_id, False, reason=f"{path}: a PDF document; a scan screens images only, trace it with 'leaktrace trace'.")
        small = _read(ctx, file, reduce_to_side=screening.SIDE)
        hits = []
        if indexes is not None and indexes[1].candidates(*screening.describe(small)):
            stage = "search"
            image = _read(ctx, file)
            hits = indexes[0].search_details(views.describe_leak(image), k=traces.PAGE_CANDIDATES)
    except LeaktraceError as exc:  # ImageRejected and its kin: one line naming the file
        return Screened(item_id, False, reason=str(exc), elapsed_s=time.perf_counter() - begin, stage=stage)
    except OSError as exc:
        return Screened(item_id, False, reason=f"{path}: {exc.strerror or exc}.", elapsed_s=time.perf_counter() - begin, stage=stage)
    return Screened(item_id, bool(hits), int(hits[0][0]) if hits else None, None, time.perf_counter() - begin, stage)


# ---------------------------------------------------------------- executors


class Executor(Protocol):
    """Runs the work function over many files: ``imap(fn, tasks)`` yields each result as it is done (any order)."""

    def imap(self, fn: Callable[..., Screened], tasks: Iterable[tuple]) -> Iterator[Screened]: ...

    def close(self) -> None: ...


class InProcess:
    """The work function in this process, one file after the other (``--workers 1``)."""

    def imap(self, fn, tasks):
        for task in tasks:
            yield fn(*task)

    def close(self) -> None:
        pass


class LocalExecutor:
    """A pool of ``workers`` processes on this machine (``concurrent.futures``; forkserver, so no
    thread of the driver is forked), each ignoring Ctrl-C: the driver stops the scan, not them."""

    def __init__(self, workers: int) -> None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        # The fork server starts with Ctrl-C ignored, as it and every worker it forks then stay (an ignored signal
        # survives exec; Python installs no KeyboardInterrupt over it): a Ctrl-C sent to the terminal's process
        # group while they import leaktrace would otherwise kill them mid-start. The driver's own handler is back
        # as soon as the server runs.
        handler = signal.signal(signal.SIGINT, signal.SIG_IGN) if threading.current_thread() is threading.main_thread() else None
        try:
            multiprocessing.forkserver.ensure_running()
        finally:
            if handler is not None:
                signal.signal(signal.SIGINT, handler)
        self.workers = workers
        self.pool = cf.ProcessPoolExecutor(workers, mp_context=context, initializer=_ignore_interrupt)

    def imap(self, fn, tasks):
        tasks = iter(tasks)
        running: set[cf.Future] = set()
        while True:
            for task in tasks:
                running.add(self.pool.submit(fn, *task))
                if len(running) >= IN_FLIGHT * self.workers:
                    break
            if not running:
                return
            done, running = cf.wait(running, return_when=cf.FIRST_COMPLETED)
            for future in done:
                yield future.result()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def _ignore_interrupt() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


#: ``--workers N`` → the executor: one process, or a local pool (``--ray``: :class:`leaktrace.services.scan_cluster.RayExecutor`).
EXECUTORS: dict[str, Callable[[int], Executor]] = {"in-process": lambda workers: InProcess(), "local": LocalExecutor}


# ---------------------------------------------------------------- the driver


def scan(
    ctx: Context,
    sources: Iterable[str | os.PathLike[str]],
    *,
    stdin: Iterable[str] | None = None,
    workers: int | None = None,
    ray: str | None = None,
    actor: str | None = None,
    progress: ScanProgress | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> ScanResult:
    """Start a scan of ``sources`` (:func:`start`) and run it (:func:`run`)."""
    scan_id = start(ctx, sources, stdin=stdin, actor=actor)
    return run(ctx, scan_id, workers=workers, ray=ray, actor=actor, progress=progress, should_stop=should_stop)


def run(
    ctx: Context,
    scan_id: int | str,
    *,
    workers: int | None = None,
    ray: str | None = None,
    actor: str | None = None,
    progress: ScanProgress | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> ScanResult:
    """Screen and trace the pending files of scan ``scan_id`` (a new scan, or one to resume) with
    ``workers`` processes (None: 1), or on the Ray cluster at ``ray`` ("auto": one started here for
    the scan; ``workers`` then caps the actors, None: one per CPU of the cluster;
    :mod:`leaktrace.services.scan_cluster`), storing each file's outcome as it comes; returns the
    scan's result. The same files give the same hits and findings on every executor.

    Ctrl-C (SIGINT, in the main thread) or ``should_stop()`` stops it between files: the file being
    traced is finished and stored, the scan is marked ``interrupted`` and a later :func:`run`
    finishes it. A second Ctrl-C stops at once (the file being traced is then traced again later)."""
    if workers is not None and workers < 1:
        raise BadInput(f"--workers must be at least 1, not {workers}.")
    with ctx.sessions() as session:
        row = _scan_row(session, scan_id)
        number, actor = row.id, actor or row.actor
        items = session.execute(
            select(models.ScanItem.id, models.ScanItem.path, models.ScanItem.sha256, models.ScanItem.status).where(models.ScanItem.scan_id == number)
        ).all()
    pending = {i.id: i for i in items if i.status == "pending"}
    _adopt_earlier(ctx, number, pending)
    done, total, hits = len(items) - len(pending), len(items), _count(ctx, number, "matched")
    _set_status(ctx, number, "running")
    if progress:
        progress(done, total, hits)
    stop = threading.Event()
    pooled = ray is not None or ((workers or 1) > 1 and len(pending) > 1)
    tasks = ((ctx.settings, i.id, i.path) if pooled else (i.id, i.path) for i in pending.values() if not _stopping(stop, should_stop))
    executor: Executor = InProcess()
    try:
        with _interruptible(stop):
            if ray is not None:
                from leaktrace.services.scan_cluster import RayExecutor

                fn, executor = screen_file, RayExecutor(ray, workers)
            elif pooled:
                fn, executor = screen_file, EXECUTORS["local"](workers or 1)
            else:
                index = _index(ctx)
                fn = lambda item_id, path: _screen(ctx, index, item_id, path)
            for screened in executor.imap(fn, tasks):
                hits += _store_outcome(ctx, screened, pending[screened.item_id], actor)
                done += 1
                if progress:
                    progress(done, total, hits)
                if _stopping(stop, should_stop):
                    break
    except (cf.BrokenExecutor, EOFError, ConnectionError):  # a worker, or the fork server, died
        raise ScanWorkerDied(
            f"scan {number}: a screening worker died (killed, or out of memory); its files stay pending: 'leaktrace scan resume {number}'."
        ) from None
    finally:
        executor.close()
        if not pooled:
            _close_decoders()  # this process's decode worker: no child left behind the driver
        left = _count(ctx, number, "pending")
        _set_status(ctx, number, "done" if left == 0 else "interrupted")
    return result(ctx, number)


def _stopping(stop: threading.Event, should_stop: Callable[[], bool] | None) -> bool:
    if should_stop is not None and should_stop():
        stop.set()
    return stop.is_set()


@contextlib.contextmanager
def _interruptible(stop: threading.Event) -> Iterator[None]:
    """The first SIGINT sets ``stop`` (the scan ends after the file at hand); the second interrupts at once."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    before = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


def _adopt_earlier(ctx: Context, scan_id: int, pending: dict) -> None:
    """Pending files another scan has done since this one was planned: stored done as that scan left them."""
    with store_db.transaction(ctx.sessions) as session:
        earlier = _done_before(session, [i.sha256 for i in pending.values()], scan_id=scan_id)
        for item_id in [k for k, i in pending.items() if i.sha256 in earlier]:
            status, finding_id = earlier[pending.pop(item_id).sha256]
            item = session.get(models.ScanItem, item_id)
            item.status, item.finding_id, item.earlier = status, finding_id, True


def _count(ctx: Context, scan_id: int, status: str) -> int:
    with ctx.sessions() as session:
        query = select(func.count()).select_from(models.ScanItem).where(models.ScanItem.scan_id == scan_id, models.ScanItem.status == status)
        return int(session.scalar(query))


def _store_outcome(ctx: Context, screened: Screened, item, actor: str) -> int:
    """Store what one file became (tracing it first when the screen matched it); 1 if it is a hit."""
    if screened.reason is not None:
        _settle(ctx, item.id, status="failed", reason=screened.reason)
        return 0
    if not screened.matched:
        _settle(ctx, item.id, status="unmatched")
        return 0
    with ctx.sessions() as session:
        row = session.get(models.ScanItem, item.id)
        source_url, found_at = row.source_url, row.found_at
    try:
        finding = traces.trace(ctx, Path(item.path), actor=actor, display_name=item.path, source_url=source_url, found_at=found_at)
    except LeaktraceError as exc:
        _settle(ctx, item.id, status="failed", reason=str(exc))
        return 0
    _settle(ctx, item.id, status="matched", finding_id=finding.id)
    return 1


# ---------------------------------------------------------------- reading scans


def result(ctx: Context, scan_id: int | str) -> ScanResult:
    """Scan ``scan_id`` as ``scan --json`` prints it: its counts, its hits (with their findings) and its failures."""
    with ctx.sessions() as session:
        number = _scan_row(session, scan_id).id
        items = session.scalars(select(models.ScanItem).where(models.ScanItem.scan_id == number).order_by(models.ScanItem.position)).all()
        found = {
            f.id: f
            for f in session.scalars(select(models.Finding).where(models.Finding.id.in_([i.finding_id for i in items if i.finding_id is not None])))
        }
        hits = tuple(_hit(i, found[i.finding_id]) for i in items if i.status == "matched" and i.finding_id in found)
        failed = tuple(ScanFailure(i.path, i.reason or "") for i in items if i.status == "failed")
    return ScanResult(number, len(items), len(hits), len(failed), hits, failed)


def _hit(item: models.ScanItem, f: models.Finding) -> ScanHit:
    asset = None if f.asset is None else AssetRef(f.asset.id, f.asset.title)
    return ScanHit(item.path, item.sha256, f.id, asset, tuple(json.loads(f.accused)))


def summary(ctx: Context, scan_id: int | str) -> ScanSummary:
    """Scan ``scan_id``'s state and counts."""
    with ctx.sessions() as session:
        return _summary(session, _scan_row(session, scan_id))


def list_all(ctx: Context, *, limit: int | None = None) -> list[ScanSummary]:
    """Every scan (the ``limit`` newest if given), newest first."""
    with ctx.sessions() as session:
        query = select(models.Scan).order_by(models.Scan.id.desc())
        if limit is not None:
            query = query.limit(limit)
        return [_summary(session, row) for row in session.scalars(query)]


def _summary(session, row: models.Scan) -> ScanSummary:
    counts = dict(
        session.execute(select(models.ScanItem.status, func.count()).where(models.ScanItem.scan_id == row.id).group_by(models.ScanItem.status)).all()
    )
    earlier = session.scalar(select(func.count()).select_from(models.ScanItem).where(models.ScanItem.scan_id == row.id, models.ScanItem.earlier))
    return ScanSummary(
        row.id,
        row.status,
        tuple(json.loads(row.sources)),
        sum(counts.values()),
        counts.get("matched", 0),
        counts.get("unmatched", 0),
        counts.get("failed", 0),
        counts.get("pending", 0),
        int(earlier or 0),
        row.actor,
        row.created_at.isoformat(),
        None if row.finished_at is None else row.finished_at.isoformat(),
    )
