"""Custody of the master key: its birth, encrypted backups, a k-of-n split among custodians.

Losing the master key loses the ability to trace every copy ever shared; whoever holds it
(with the originals) can re-make any recipient's copy. So the key leaves the workspace only
sealed: as a backup encrypted under a passphrase (:mod:`~leaktrace.services.key_backup`) or as
shares of which any k restore it (:mod:`~leaktrace.services.key_shares`). Every act is an
audit entry about ("key", fingerprint), never holding a secret: ``workspace.init``,
``key.export`` (a backup written, also one made from shares), ``key.import`` (a key put in
place, from a backup or from shares) and ``key.split``. A restored key must be the one the
workspace was created with, and never replaces a different key in place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from leaktrace.atomic import private_dir
from leaktrace.core.keys import key_fingerprint
from leaktrace.errors import BadInput, KeyProblem
from leaktrace.records import Record
from leaktrace.services import audit, key_backup, key_shares
from leaktrace.services.context import KEY_BYTES, Context, key_path, write_secret
from leaktrace.settings import Settings
from leaktrace.store import db as store_db
from leaktrace.store.models import Meta

LOSS_WARNING = "Keep this file offline and safe: whoever holds it can strip or forge fingerprints, and without it no copy can ever be traced."
PLAIN_WARNING = (
    "{path}: a plain key backup, not encrypted: whoever reads it holds the key. "
    "Make an encrypted one with 'leaktrace key export FILE' and destroy this file."
)
#: Where ``leaktrace key`` commands take the passphrase from when no ``--passphrase-file`` is given (for automation).
PASSPHRASE_ENV = "LEAKTRACE_KEY_PASSPHRASE"
_MAX_FILE = 64 * 1024  # bytes: a backup or a share is under 1 KB

#: A passphrase, or a function that asks for it (called only when one is needed).
Passphrase = str | Callable[[], str]


@dataclass(frozen=True)
class KeyBackup(Record):
    """A backup of the master key written to ``path``."""

    path: str
    key_fingerprint: str
    encrypted: bool = True
    format: str = f"{key_backup.MAGIC.decode()} {key_backup.VERSION}"
    kdf: str = "scrypt"
    aead: str = key_backup.AEAD


@dataclass(frozen=True)
class KeyImported(Record):
    """A master key restored from a backup; ``restored`` is False when it was already in place."""

    key_fingerprint: str
    path: str
    encrypted: bool
    restored: bool
    warning: str | None  # set for a plain (unencrypted) backup


@dataclass(frozen=True)
class KeyShareFile(Record):
    index: int
    path: str
    custodian: str | None


@dataclass(frozen=True)
class KeySplit(Record):
    """The master key split into ``shares`` files, any ``threshold`` of which restore it."""

    key_fingerprint: str
    split_id: str
    shares: int
    threshold: int
    files: tuple[KeyShareFile, ...]


@dataclass(frozen=True)
class KeyCombined(Record):
    """The master key recovered from shares: restored into the workspace, or written to ``path`` as an encrypted backup."""

    key_fingerprint: str
    split_id: str
    shares_used: tuple[int, ...]
    restored: bool
    path: str | None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _passphrase(passphrase: Passphrase | None, what: str) -> str:
    if passphrase is None:
        raise BadInput(f"{what} needs a passphrase: give --passphrase-file FILE or set {PASSPHRASE_ENV}.")
    return passphrase() if callable(passphrase) else passphrase


def _read(path: Path, what: str) -> bytes:
    """The file's bytes, refused past :data:`_MAX_FILE` by its size first and, whatever that said
    (a FIFO, a file that grows), by reading at most one byte more: never a whole large file."""
    if not path.is_file():
        raise BadInput(f"{path}: no such file.")
    size = path.stat().st_size
    if size > _MAX_FILE:
        raise KeyProblem(f"{path}: not a leaktrace {what} ({size} bytes; one is under 1 KB).")
    with path.open("rb") as f:
        raw = f.read(_MAX_FILE + 1)
    if len(raw) > _MAX_FILE:
        raise KeyProblem(f"{path}: not a leaktrace {what} (more than {_MAX_FILE} bytes; one is under 1 KB).")
    return raw


def _new_file(dest: Path) -> None:
    if dest.exists():
        raise BadInput(f"{dest}: already exists; choose a new file for the key backup.")
    if not dest.parent.is_dir():
        raise BadInput(f"{dest.parent}: no such folder.")


# --------------------------------------------------------------------------- the store, without an open workspace


def initialise_store(settings: Settings, key: bytes, *, actor: str | None = None) -> None:
    """Migrate a new workspace's store, remember its key's fingerprint and record ``workspace.init``,
    in one transaction: the store exists with its first entry, or not at all. A store that already
    knows a key (``init`` run again after a crash) gets no second entry."""
    from alembic import command

    from leaktrace.services.meta import KEY_FINGERPRINT

    url = settings.resolved_database_url
    fingerprint = key_fingerprint(key)
    engine = store_db.make_engine(url, lock_timeout_s=settings.lock_timeout_s)
    try:
        with store_db.transaction(store_db.session_factory(engine)) as session:
            config = store_db.migrations_config(url)
            config.attributes["connection"] = session.connection()
            command.upgrade(config, "head")
            if session.get(Meta, KEY_FINGERPRINT) is None:
                session.add(Meta(key=KEY_FINGERPRINT, value=fingerprint))
                details = {"home": str(settings.home), "database": engine.dialect.name}
                audit.append(session, actor, "workspace.init", "key", fingerprint, details)
    finally:
        engine.dispose()


def _engine(settings: Settings):
    """An engine on the workspace's store brought to head, or None when there is no store yet."""
    url = settings.resolved_database_url
    engine = store_db.make_engine(url, lock_timeout_s=settings.lock_timeout_s)
    if (engine.dialect.name == "sqlite" and not Path(engine.url.database or "").is_file()) or store_db.engine_revision(engine) is None:
        engine.dispose()
        return None
    store_db.upgrade_if_behind(engine, lock_timeout_s=settings.lock_timeout_s)
    return engine


def _expected_fingerprint(settings: Settings) -> str | None:
    from leaktrace.services import meta

    engine = _engine(settings)
    if engine is None:
        return None
    try:
        return meta.stored_fingerprint(store_db.session_factory(engine, readonly=True))
    finally:
        engine.dispose()


def _check_belongs(fingerprint: str, expected: str | None, source: object) -> None:
    if expected is not None and expected != fingerprint:
        raise KeyProblem(f"{source}: this key (fingerprint {fingerprint}) does not belong to this workspace (expected {expected}).")


def _check_slot(home: Path, fingerprint: str) -> bool:
    """True when the key with ``fingerprint`` is already in place; refuses a different key in place."""
    path = key_path(home)
    if not path.exists():
        return False
    if len(path.read_bytes()) == KEY_BYTES and key_fingerprint(path.read_bytes()) == fingerprint:
        return True
    raise KeyProblem(f"{path}: a different master key is already in place; move it away before importing.")


def _restore(settings: Settings, key: bytes, details: dict, actor: str | None) -> bool:
    """Put ``key`` in place (0600) and record ``key.import`` after it, in one transaction (if the
    store exists); False when it was there already."""
    fingerprint = key_fingerprint(key)
    if _check_slot(settings.home, fingerprint):
        return False
    path = key_path(settings.home)
    engine = _engine(settings)
    if engine is None:
        write_secret(path, key)
        return True
    wrote = False
    try:
        with store_db.transaction(store_db.session_factory(engine)) as session:
            write_secret(path, key)
            wrote = True
            audit.append(session, actor, "key.import", "key", fingerprint, details)
    except BaseException:
        if wrote:
            path.unlink()  # no key in place without its entry
        raise
    finally:
        engine.dispose()
    return True


def _record(settings: Settings, action: str, fingerprint: str, details: dict, actor: str | None, write: Callable[[], None]) -> None:
    """Run ``write`` inside a transaction that records ``action`` (just ``write`` when there is no store)."""
    engine = _engine(settings)
    if engine is None:
        write()
        return
    try:
        with store_db.transaction(store_db.session_factory(engine)) as session:
            audit.append(session, actor, action, "key", fingerprint, details)
            write()  # a failed write rolls the entry back
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- backups


def export_key(ctx: Context, dest: Path, passphrase: Passphrase, *, actor: str | None = None) -> KeyBackup:
    """Write the master key to ``dest`` (a new file, mode 0600) encrypted under ``passphrase`` (asked for
    once ``dest`` is known to be free), and record ``key.export``."""
    _new_file(dest)
    fingerprint = key_fingerprint(ctx.master_key)
    secret = _passphrase(passphrase, f"{dest}: the key backup")
    content = key_backup.seal(ctx.master_key, secret, fingerprint=fingerprint, created_at=_now())  # before the store's lock
    backup = KeyBackup(str(dest), fingerprint)
    with store_db.transaction(ctx.sessions) as session:
        audit.append(session, actor, "key.export", "key", fingerprint, {"file": dest.name, "format": backup.format, "kdf": backup.kdf})
        write_secret(dest, content)  # a failed write rolls the entry back
    return backup


def _plain_key(raw: bytes, source: Path) -> bytes:
    try:
        key = bytes.fromhex(raw.decode("ascii").strip()) if len(raw) != KEY_BYTES else raw
    except (UnicodeDecodeError, ValueError):
        raise KeyProblem(f"{source}: not a leaktrace key backup.") from None
    if len(key) != KEY_BYTES:
        raise KeyProblem(f"{source}: not a leaktrace key backup (a key is {KEY_BYTES} bytes).")
    return key


def import_key(settings: Settings, source: Path, passphrase: Passphrase | None = None, *, actor: str | None = None) -> KeyImported:
    """Restore the master key from a backup made by :func:`export_key` (or an old plain-hex one, with
    a warning); the passphrase is asked for only when the backup is encrypted."""
    raw = _read(source, "key backup")
    expected = _expected_fingerprint(settings)
    if key_backup.is_sealed(raw):
        header = key_backup.read_header(raw, name=str(source))
        _check_belongs(header.key_fingerprint, expected, source)  # before anyone types a passphrase
        _check_slot(settings.home, header.key_fingerprint)
        key = key_backup.unseal(raw, _passphrase(passphrase, f"{source}: an encrypted key backup"), name=str(source))
        if key_fingerprint(key) != header.key_fingerprint:
            raise KeyProblem(f"{source}: the key inside is not the one its header names (fingerprint {header.key_fingerprint}).")
        warning, form = None, "encrypted"
    else:
        key = _plain_key(raw, source)
        warning, form = PLAIN_WARNING.format(path=source), "plain"
    fingerprint = key_fingerprint(key)
    _check_belongs(fingerprint, expected, source)
    restored = _restore(settings, key, {"file": Path(source).name, "from": form}, actor)
    return KeyImported(fingerprint, str(source), warning is None, restored, warning)


# --------------------------------------------------------------------------- splits


def split_key(
    ctx: Context, out_dir: Path, *, shares: int, threshold: int, custodians: Sequence[str] | None = None, actor: str | None = None
) -> KeySplit:
    """Split the master key into ``shares`` files in ``out_dir`` (made 0700 if missing; each file new,
    mode 0600), any ``threshold`` of which restore it; record ``key.split``."""
    fingerprint = key_fingerprint(ctx.master_key)
    names = [c.strip() for c in custodians] if custodians else None
    if names is not None and not all(names):
        raise BadInput("a custodian's name is empty.")
    made = key_shares.split(ctx.master_key, shares=shares, threshold=threshold, fingerprint=fingerprint, created_at=_now(), custodians=names)
    if out_dir.exists() and not out_dir.is_dir():
        raise BadInput(f"{out_dir}: not a folder.")
    paths = [out_dir / f"leaktrace-key-{fingerprint}-share-{s.index}-of-{s.shares}.json" for s in made]
    for path in paths:
        if path.exists():
            raise BadInput(f"{path}: already exists; choose a new folder for the shares.")
    private_dir(out_dir)
    written: list[Path] = []
    details = {"split_id": made[0].split_id, "shares": shares, "threshold": threshold, "out_dir": Path(out_dir).name, "custodians": names}
    try:
        with store_db.transaction(ctx.sessions) as session:
            audit.append(session, actor, "key.split", "key", fingerprint, details)
            for share, path in zip(made, paths):
                write_secret(path, share.to_bytes())
                written.append(path)
    except BaseException:
        for path in written:  # no share without the entry that records it
            path.unlink(missing_ok=True)
        raise
    files = tuple(KeyShareFile(s.index, str(p), s.custodian) for s, p in zip(made, paths))
    return KeySplit(fingerprint, made[0].split_id, shares, threshold, files)


def combine_shares(
    settings: Settings, sources: Sequence[Path], *, out: Path | None = None, passphrase: Passphrase | None = None, actor: str | None = None
) -> KeyCombined:
    """Recover the master key from share files of one split, and restore it into the workspace
    (``key.import``; nothing to do when it is in place, which checks the shares) or, with ``out``,
    write it as a new encrypted backup (``key.export``)."""
    given = [(str(p), key_shares.parse(_read(p, "key share"), name=str(p))) for p in sources]
    if out is not None:
        _new_file(out)
    key, used = key_shares.combine(given)
    fingerprint = key_fingerprint(key)
    _check_belongs(fingerprint, _expected_fingerprint(settings), "the shares")
    split_id = given[0][1].split_id
    details = {"split_id": split_id, "shares_used": list(used), "files": [name for name, _ in given]}
    if out is None:
        restored = _restore(settings, key, {"from": "shares", **details}, actor)
        return KeyCombined(fingerprint, split_id, used, restored, None)
    content = key_backup.seal(key, _passphrase(passphrase, f"{out}: the new key backup"), fingerprint=fingerprint, created_at=_now())
    details = {"file": Path(out).name, "format": KeyBackup(str(out), fingerprint).format, "kdf": "scrypt", "from": "shares", **details}
    _record(settings, "key.export", fingerprint, details, actor, lambda: write_secret(out, content))
    return KeyCombined(fingerprint, split_id, used, False, str(out))
