"""The workspace: settings, master key, store and blobs in one folder; the Python API facade.

A workspace is a folder (``./.leaktrace`` by default) holding ``leaktrace.toml``,
``master.key`` (32 random bytes, mode 0600), ``leaktrace.db`` (SQLite, unless a
database URL is set) and ``blobs/`` (content-addressed files). :class:`Workspace`
opens one and offers every verb of the CLI; the CLI is a thin layer over it.

Every verb returns the typed records of :mod:`leaktrace.records` (``to_dict()`` is the
CLI's ``--json``); a record also reads by key, as ``asset["id"]``.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import sqlalchemy.exc

from leaktrace import records
from leaktrace import settings as settings_mod
from leaktrace.atomic import FILE_MODE, private_dir, restrict_dir, write_atomic
from leaktrace.core.keys import key_fingerprint
from leaktrace.errors import StoreUnavailable, WorkspaceExists, WorkspaceMissing
from leaktrace.services.context import KEY_BYTES, Context, Progress, key_path, read_master_key, write_secret
from leaktrace.store import db as store_db
from leaktrace.store.blobs import BlobStore


class Workspace:
    """A leaktrace workspace and the Python API: the same verbs as the CLI.

    Parameters
    ----------
    home : path, optional
        The workspace folder; default ``LEAKTRACE_HOME`` or ``./.leaktrace``.
    **overrides
        Settings that take precedence over the workspace file and the environment.
    """

    def __init__(self, home: str | os.PathLike[str] | None = None, **overrides: Any) -> None:
        root = settings_mod.resolve_home(home)
        if not (root / settings_mod.SETTINGS_FILE).exists():
            raise WorkspaceMissing(f"no leaktrace workspace at {root}; create one with 'leaktrace init --home {root}'.")
        restrict_dir(root)  # a workspace made before folders were private: its files become the owner's alone
        self.settings = settings_mod.load(root, overrides)
        self._overrides = overrides

    @classmethod
    def init(cls, home: str | os.PathLike[str] | None = None, **overrides: Any) -> Workspace:
        """Create a workspace: settings file, a fresh master key (0600), the store and the blob folder."""
        root = settings_mod.resolve_home(home)
        if (root / settings_mod.SETTINGS_FILE).exists():
            raise WorkspaceExists(f"a leaktrace workspace already exists at {root}.")
        checked = settings_mod.load(root, overrides)  # refuse unsafe values before writing anything
        private_dir(root)
        restrict_dir(root)  # 0700: nothing in the workspace is anyone else's business
        key = secrets.token_bytes(KEY_BYTES)
        if not key_path(root).exists():
            write_secret(key_path(root), key)
        else:
            key = read_master_key(root)
        private_dir(root / "blobs")
        _create_private_sqlite(checked.resolved_database_url)  # SQLite gives its -wal and -shm files the database's mode
        from leaktrace.services import keys

        keys.initialise_store(checked, key)  # migrations, the key's fingerprint and workspace.init: one transaction
        engine = store_db.make_engine(checked.resolved_database_url, lock_timeout_s=checked.lock_timeout_s)
        try:
            from leaktrace.services import checkpoints

            checkpoints.ensure_key(root, store_db.session_factory(engine))  # the audit log's signing key (0600)
        finally:
            engine.dispose()
        file_values = {k: v for k, v in overrides.items() if v is not None}
        write_atomic(root / settings_mod.SETTINGS_FILE, settings_mod.render_file(file_values).encode("utf-8"))  # 0600
        return cls(root, **overrides)

    @cached_property
    def context(self) -> Context:
        key = read_master_key(self.settings.home)
        url = self.settings.resolved_database_url
        engine = store_db.make_engine(url, lock_timeout_s=self.settings.lock_timeout_s)
        try:
            store_db.upgrade_if_behind(engine, lock_timeout_s=self.settings.lock_timeout_s)  # an older workspace is migrated on open
            sessions = store_db.session_factory(engine, readonly=True)  # reads never wait for a writer; writes use transaction()
            from leaktrace.services import meta

            meta.check_key(sessions, key_fingerprint(key), key_path(self.settings.home))
        except sqlalchemy.exc.DBAPIError as exc:  # a server that does not answer, a file that is no database
            engine.dispose()
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise StoreUnavailable(f"the store {mask_url(url)} cannot be opened: {reason}") from None
        return Context(self.settings, engine, sessions, BlobStore(self.settings.home / "blobs"), key)

    def close(self) -> None:
        if "context" in self.__dict__:
            self.context.engine.dispose()
            del self.__dict__["context"]

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def home(self) -> Path:
        return self.settings.home

    # keys -----------------------------------------------------------------
    def key_fingerprint(self) -> str:
        return key_fingerprint(self.context.master_key)

    def export_key(self, dest: str | os.PathLike[str], *, passphrase: Any, actor: str | None = None) -> Any:
        """Back the master key up to a new file (0600), encrypted under ``passphrase`` (12 characters or more; a string, or a function asking for it)."""
        from leaktrace.services import keys

        return keys.export_key(self.context, Path(dest), passphrase, actor=actor)

    def import_key(self, source: str | os.PathLike[str], *, passphrase: Any = None, actor: str | None = None) -> Any:
        """Restore the master key from a backup; ``passphrase`` (a string, or a function asking for it) for an encrypted one."""
        from leaktrace.services import keys

        return keys.import_key(self.settings, Path(source), passphrase, actor=actor)

    def split_key(
        self, out_dir: str | os.PathLike[str], *, shares: int, threshold: int, custodians: Sequence[str] | None = None, actor: str | None = None
    ) -> Any:
        """Split the master key into ``shares`` files (0600) in ``out_dir``, any ``threshold`` of which restore it."""
        from leaktrace.services import keys

        return keys.split_key(self.context, Path(out_dir), shares=shares, threshold=threshold, custodians=custodians, actor=actor)

    def combine_key_shares(
        self,
        sources: Sequence[str | os.PathLike[str]],
        *,
        out: str | os.PathLike[str] | None = None,
        passphrase: Any = None,
        actor: str | None = None,
    ) -> Any:
        """Recover the master key from share files: restore it here, or write it to ``out`` as an encrypted backup."""
        from leaktrace.services import keys

        target = None if out is None else Path(out)
        return keys.combine_shares(self.settings, [Path(p) for p in sources], out=target, passphrase=passphrase, actor=actor)

    # recipients -------------------------------------------------------------
    def add_recipient(self, name: str, *, email: str | None = None, org: str | None = None, actor: str | None = None) -> records.Recipient:
        from leaktrace.services import recipients

        return recipients.add(self.context, name, email=email, org=org, actor=actor)

    def list_recipients(self, *, archived: bool | None = None) -> list[records.Recipient]:
        """Every recipient (``archived=False``: those in use; ``True``: the archived ones)."""
        from leaktrace.services import recipients

        return recipients.list_all(self.context, archived=archived)

    def edit_recipient(
        self, recipient: int | str, *, name: str | None = None, email: str | None = None, org: str | None = None, actor: str | None = None
    ) -> records.Recipient:
        """Change a recipient's name, e-mail or organisation (audited, before and after; its fingerprints never change)."""
        from leaktrace.services import recipients

        return recipients.edit(self.context, recipient, name=name, email=email, org=org, actor=actor)

    def archive_recipient(self, recipient: int | str, *, reason: str, actor: str | None = None) -> records.Recipient:
        """Archive a recipient: kept and tested by every trace, offered to no new share."""
        from leaktrace.services import recipients

        return recipients.archive(self.context, recipient, reason=reason, actor=actor)

    def restore_recipient(self, recipient: int | str, *, actor: str | None = None) -> records.Recipient:
        from leaktrace.services import recipients

        return recipients.restore(self.context, recipient, actor=actor)

    # recipient groups ---------------------------------------------------------
    def create_group(
        self, name: str, *, description: str | None = None, members: Sequence[int | str] = (), actor: str | None = None
    ) -> records.Group:
        """A named set of recipients in use; ``share(..., groups=[name])`` reaches its members in use then."""
        from leaktrace.services import groups

        return groups.create(self.context, name, description=description, members=list(members), actor=actor)

    def add_to_group(self, group: int | str, members: Sequence[int | str], *, actor: str | None = None) -> records.Group:
        from leaktrace.services import groups

        return groups.add(self.context, group, list(members), actor=actor)

    def remove_from_group(self, group: int | str, members: Sequence[int | str], *, actor: str | None = None) -> records.Group:
        from leaktrace.services import groups

        return groups.remove(self.context, group, list(members), actor=actor)

    def archive_group(self, group: int | str, *, actor: str | None = None) -> records.Group:
        from leaktrace.services import groups

        return groups.archive(self.context, group, actor=actor)

    def show_group(self, group: int | str) -> records.Group:
        from leaktrace.services import groups

        return groups.get(self.context, group)

    def list_groups(self, *, archived: bool = False) -> list[records.Group]:
        from leaktrace.services import groups

        return groups.list_all(self.context, archived=archived)

    # assets -----------------------------------------------------------------
    def add_assets(
        self, paths: Sequence[str | os.PathLike[str]], *, title: str | None = None, actor: str | None = None, progress: Progress | None = None
    ) -> list[records.AssetAdded]:
        from leaktrace.services import assets

        return assets.add(self.context, [Path(p) for p in paths], title=title, actor=actor, progress=progress)

    def list_assets(self, *, archived: bool | None = False) -> list[records.Asset]:
        """The images and documents in use (what the forms offer); with ``archived``, the archived ones; ``None``: both."""
        from leaktrace.services import assets

        return assets.list_all(self.context, archived=archived)

    def show_asset(self, asset_id: int | str) -> records.Asset:
        from leaktrace.services import assets

        return assets.show(self.context, asset_id)

    def edit_asset(self, asset_id: int | str, *, title: str, actor: str | None = None) -> records.Asset:
        """Give an asset a new title (audited with the title before and after; its file and fingerprints never change)."""
        from leaktrace.services import asset_edits

        return asset_edits.edit(self.context, asset_id, title=title, actor=actor)

    def archive_asset(self, asset_id: int | str, *, actor: str | None = None) -> records.Asset:
        """Archive an asset (a document with its pages): kept and still traced, hidden from the forms, not shared."""
        from leaktrace.services import asset_edits

        return asset_edits.archive(self.context, asset_id, actor=actor)

    def restore_asset(self, asset_id: int | str, *, actor: str | None = None) -> records.Asset:
        """Bring an archived asset back to the forms and to ``share``."""
        from leaktrace.services import asset_edits

        return asset_edits.restore(self.context, asset_id, actor=actor)

    def asset_file(self, asset_id: int | str) -> records.StoredFile:
        """The original of an asset (bytes, file name, media type)."""
        from leaktrace.services import files

        return files.asset_file(self.context, asset_id)

    # shares -----------------------------------------------------------------
    def share(
        self,
        asset_id: int | str,
        to: Sequence[str],
        out: str | os.PathLike[str] | None,
        *,
        note: str | None = None,
        actor: str | None = None,
        progress: Progress | None = None,
        via: str = "folder",
        portal: bool = False,
        terms: str | None = None,
        expires_days: float | None = None,
        groups: Sequence[str] = (),
    ) -> list[records.Copy]:
        """Make and record one copy per recipient (those of ``to``, then the members in use of each of
        ``groups``, each once); deliver them into the folder ``out`` (``None``:
        they wait for their sender to take each one once). With ``portal`` (and ``out=None``), no
        file is kept: each recipient's user accepts ``terms`` and downloads a copy made then."""
        from leaktrace.services import shares

        folder = None if out is None else Path(out)
        return shares.share(
            self.context,
            asset_id,
            list(to),
            folder,
            note=note,
            actor=actor,
            progress=progress,
            via=via,
            portal=portal,
            terms=terms,
            expires_days=expires_days,
            groups=list(groups),
        )

    def invite(self, recipient: str, email: str, *, expires_days: float = 7, base_url: str = "", actor: str | None = None) -> records.Invitation:
        """A one-time link that makes a user of ``recipient`` for the recipient portal (its token in this answer only)."""
        from leaktrace.services import portal

        return portal.invite(self.context, recipient, email, expires_days=expires_days, base_url=base_url, actor=actor)

    def revoke_share(self, share_id: int | str, recipients: Sequence[str] = (), *, actor: str | None = None) -> records.Share:
        """The portal stops serving a share's copies (every one, or only ``recipients``')."""
        from leaktrace.services import shares

        return shares.revoke(self.context, share_id, list(recipients), actor=actor)

    def receipts(self, share_id: int | str) -> list[records.Receipt]:
        """The receipts of a portal share's downloads, oldest first."""
        from leaktrace.services import portal

        return portal.receipts(self.context, share_id)

    def deliver_copies(
        self, share_id: int | str, out: str | os.PathLike[str], *, actor: str | None = None, via: str = "folder"
    ) -> list[records.Copy]:
        """Write the copies of a share that wait for delivery into ``out``, once, for its sender."""
        from leaktrace.services import shares

        return shares.deliver(self.context, share_id, Path(out), actor=actor, via=via)

    def list_shares(self) -> list[records.Share]:
        from leaktrace.services import shares

        return shares.list_all(self.context)

    def asset_thumbnail(self, asset_id: int | str) -> records.StoredFile:
        """A small PNG of the asset's original (a document's first page), for lists."""
        from leaktrace.services import files

        return files.asset_thumbnail(self.context, asset_id)

    def deliver_copy(self, sha256: str, *, actor: str) -> records.StoredFile:
        """A copy waiting for delivery, by the SHA-256 of its file, handed once to its share's sender."""
        from leaktrace.services import files

        return files.deliver_copy(self.context, sha256, actor=actor)

    def download_copy(self, share_id: int | str, recipient: str, *, reason: str | None, actor: str | None = None) -> records.StoredFile:
        """A retained copy (a privileged act, recorded with its reason)."""
        from leaktrace.services import files

        return files.download_copy(self.context, share_id, recipient, reason=reason, actor=actor)

    def regenerate_copy(
        self, share_id: int | str, recipient: str, *, reason: str | None, actor: str | None = None
    ) -> tuple[records.RegeneratedCopy, records.StoredFile]:
        """A copy made again from the key and the original (a privileged act, recorded with its reason)."""
        from leaktrace.services import copies

        return copies.regenerate(self.context, share_id, recipient, reason=reason, actor=actor)

    def save_file(self, stored: records.StoredFile, out: str | os.PathLike[str]) -> Path:
        """Write a handed-over file (a copy) to ``out``, mode 0600; into it under its name if ``out`` is a folder."""
        from leaktrace.services import files

        return files.save(stored, Path(out))

    # traces -----------------------------------------------------------------
    def trace(
        self,
        leak: str | os.PathLike[str],
        *,
        asset_id: int | str | None = None,
        actor: str | None = None,
        progress: Progress | None = None,
        display_name: str | None = None,
        source_url: str | None = None,
        found_at: str | date | datetime | None = None,
        captured_by: str | None = None,
        note: str | None = None,
    ) -> records.Finding:
        """Trace a leak; the finding is stored and comes back with its ``id``.

        ``source_url``, ``found_at`` (ISO 8601: a date, or a time with its zone), ``captured_by``
        and ``note`` record the leak's chain of custody with the finding (``finding.custody``)."""
        from leaktrace.services import traces

        return traces.trace(
            self.context,
            Path(leak),
            asset_id=asset_id,
            actor=actor,
            progress=progress,
            display_name=display_name,
            source_url=source_url,
            found_at=found_at,
            captured_by=captured_by,
            note=note,
        )

    # findings ---------------------------------------------------------------
    def list_findings(self, *, limit: int | None = None) -> list[records.Finding]:
        from leaktrace.services import findings

        return findings.list_all(self.context, limit=limit)

    def show_finding(self, finding_id: int | str) -> records.Finding:
        from leaktrace.services import findings

        return findings.get(self.context, finding_id)

    def tested_statistics(self, finding_id: int | str) -> tuple[str, ...]:
        """The statistics finding ``finding_id``'s trace tested per recipient (``core.verdict``'s names, in order)."""
        from leaktrace.services import findings, traces

        return traces.statistics_tested(self.context, findings.get(self.context, finding_id))

    def leak_file(self, finding_id: int | str, *, role: str | None = None, reason: str | None = None, actor: str | None = None) -> records.StoredFile:
        """The leak a finding was traced from, as found (bytes, file name, media type). A leak that is
        byte for byte a recorded copy is that copy: only for a ``role`` that may ``copies`` (None: the
        local operator), with a ``reason``, recorded as ``copy.download``."""
        from leaktrace.services import files

        return files.leak_file(self.context, finding_id, role=role, reason=reason, actor=actor)

    def leak_copies(self, finding_id: int | str) -> list[records.Copy]:
        """The recorded copies a finding's leak file is byte for byte (empty when it is none of them)."""
        from leaktrace.services import files

        return files.leak_copies(self.context, finding_id)

    def report(self, finding_id: int | str, fmt: str = "pdf", *, actor: str | None = None) -> bytes:
        """The evidence report of a finding: self-contained HTML or PDF bytes (recorded in the audit log)."""
        from leaktrace.services import reports

        return reports.report(self.context, finding_id, fmt, actor=actor)

    # cases ------------------------------------------------------------------
    def open_case(
        self,
        finding_id: int | str,
        *,
        nda: str | None = None,
        responsible: str | Sequence[str] | None = None,
        override_reason: str | None = None,
        actor: str | None = None,
    ) -> records.Case:
        """Open a case on a finding; ``responsible`` (one name or id, or several) defaults to everyone it accuses."""
        from leaktrace.services import cases

        return cases.open_case(self.context, finding_id, nda=nda, responsible=responsible, override_reason=override_reason, actor=actor)

    def list_cases(self, *, status: str | None = None) -> list[records.Case]:
        from leaktrace.services import cases

        return cases.list_all(self.context, status=status)

    def show_case(self, case_id: int | str) -> records.Case:
        from leaktrace.services import cases

        return cases.show(self.context, case_id)

    def update_case(self, case_id: int | str, *, actor: str | None = None, **change: Any) -> records.Case:
        """Change a case: ``status``, ``responsible``, ``add_responsible``, ``remove_responsible``, ``nda``,
        ``penalty_amount``, ``penalty_currency``, ``add_action`` (+ ``due``), ``action_done``, ``note``,
        ``override_reason`` (see :class:`leaktrace.services.cases.CaseUpdate`)."""
        from leaktrace.services import cases

        return cases.update(self.context, case_id, cases.CaseUpdate(**change), actor=actor)

    def due_actions(self, *, within_days: int | None = None) -> list[Any]:
        """The remediation actions of open cases that are overdue or due soon (:mod:`leaktrace.services.reminders`)."""
        from leaktrace.services import reminders

        return reminders.due(self.context, within_days=reminders.DUE_SOON_DAYS if within_days is None else within_days)

    def send_reminders(self, *, within_days: int | None = None, dry_run: bool = False, actor: str | None = None) -> Any:
        """E-mail the due remediation actions to ``notify_email`` (``leaktrace case remind``)."""
        from leaktrace.services import reminders

        days = reminders.DUE_SOON_DAYS if within_days is None else within_days
        return reminders.send(self.context, within_days=days, dry_run=dry_run, actor=actor)

    # audit ------------------------------------------------------------------
    def list_audit(self, *, limit: int | None = None) -> list[records.AuditEntry]:
        from leaktrace.services import audit

        return audit.list_entries(self.context, limit=limit)

    def verify_audit(self) -> records.AuditCheck:
        from leaktrace.services import audit

        return audit.verify(self.context)

    def checkpoint(self, *, out: str | os.PathLike[str] | None = None, actor: str | None = None) -> records.Checkpoint:
        """Sign the audit log's current head (a checkpoint, recorded in the log); also written to ``out``, a new file."""
        from leaktrace.services import checkpoints

        return checkpoints.issue(self.context, actor=actor, out=None if out is None else Path(out))

    def latest_checkpoint(self) -> records.Checkpoint:
        """The newest checkpoint issued (nothing written); NotFound when none was."""
        from leaktrace.services import checkpoints

        return checkpoints.latest(self.context)

    def verify_audit_against(self, checkpoint: records.Checkpoint | Mapping[str, Any] | str | os.PathLike[str]) -> records.ConsistencyCheck:
        """Whether today's audit log extends an older checkpoint (a record, its JSON document, or its file)."""
        from leaktrace.services import checkpoints

        if isinstance(checkpoint, (str, os.PathLike)):
            checkpoint = checkpoints.load(Path(checkpoint))
        elif not isinstance(checkpoint, records.Checkpoint):
            checkpoint = checkpoints.from_dict(dict(checkpoint))
        return checkpoints.verify_against(self.context, checkpoint)

    def doctor(self, *, repair: bool = False, grace_s: float | None = None, actor: str | None = None) -> records.DoctorReport:
        """Look the workspace over: orphan blobs (removed with ``repair``, after the grace period), missing files, the audit log, file modes."""
        from leaktrace.services import doctor

        return doctor.check(self.context, repair=repair, grace_s=doctor.GRACE_S if grace_s is None else grace_s, actor=actor)

    def record_audit(
        self, action: str, *, actor: str | None = None, subject_type: str | None = None, subject_id: object = None, details: dict | None = None
    ) -> records.AuditEntry:
        from leaktrace.services import audit

        return audit.record(self.context, actor=actor, action=action, subject_type=subject_type, subject_id=subject_id, details=details)

    # users and tokens -------------------------------------------------------
    def add_user(self, name: str, role: str, password: str, *, actor: str | None = None) -> records.User:
        from leaktrace.services import users

        return users.add(self.context, name, role, password, actor=actor)

    def ready_for_password(self, name: str, *, role: str | None = None) -> None:
        """Refuse before a password is typed what would refuse it after (a bad new user, an unknown one, a busy store)."""
        from leaktrace.services import users

        users.ready_for_password(self.context, name, role=role)

    def set_user_disabled(self, name: str, disabled: bool, *, actor: str | None = None) -> records.User:
        """Disable a user (their logins and tokens stop working) or enable them again."""
        from leaktrace.services import users

        return users.set_disabled(self.context, name, disabled, actor=actor)

    def list_users(self) -> list[records.User]:
        from leaktrace.services import users

        return users.list_all(self.context)

    def get_user(self, name: str) -> records.User:
        """The user called ``name`` (:class:`~leaktrace.errors.NotFound` if none)."""
        from leaktrace.services import users

        return users.get(self.context, name)

    def create_token(self, user: str, *, name: str | None = None, actor: str | None = None, reason: str | None = None) -> records.Token:
        from leaktrace.services import users

        return users.create_token(self.context, user, name=name, actor=actor, reason=reason)

    def revoke_token(self, token_id: int | str, *, actor: str | None = None) -> records.Token:
        from leaktrace.services import users

        return users.revoke_token(self.context, token_id, actor=actor)

    def authenticate(self, name: str, password: str, *, client: str | None = None) -> records.User:
        """The user if the password is theirs (throttled per ``client`` and per account; audited)."""
        return self.log_in(name, password, client=client).user

    def log_in(self, name: str, password: str, *, client: str | None = None) -> Any:
        """A :class:`leaktrace.services.users.Login`: the user and the audit entry naming the new web session."""
        from leaktrace.services import throttle, users

        if getattr(self, "login_throttle", None) is None:  # per address, in this process's memory
            self.login_throttle = throttle.ClientThrottle()
        if getattr(self, "unknown_names", None) is None:  # per name no user has, likewise, never forgotten
            self.unknown_names = throttle.ClientThrottle(forget_after=float("inf"))
        return users.authenticate(self.context, name, password, client=client, throttle=self.login_throttle, unknown=self.unknown_names)

    def session_user(self, name: object, login: object, since: object, seen: object) -> records.User:
        """The user of a live web session (:class:`~leaktrace.errors.LoginRequired` once it has ended)."""
        from leaktrace.services import users

        return users.session_user(self.context, name, login, since, seen)

    def log_out(self, name: str, login: int) -> None:
        """End the web session that began with audit entry ``login``."""
        from leaktrace.services import users

        users.logout(self.context, name, login)

    def unlock_user(self, name: str, *, actor: str | None = None) -> records.User:
        """Lift the lockout after failed logins of ``name``."""
        from leaktrace.services import users

        return users.unlock(self.context, name, actor=actor)

    def set_user_password(self, name: str, password: str, *, actor: str | None = None) -> records.User:
        """A new password for ``name``; their web sessions end."""
        from leaktrace.services import users

        return users.set_password(self.context, name, password, actor=actor)

    def set_user_role(self, name: str, role: str, *, actor: str | None = None) -> records.User:
        """Another role for ``name``; their web sessions end."""
        from leaktrace.services import users

        return users.set_role(self.context, name, role, actor=actor)

    def user_for_token(self, token: str, *, touch: bool = True) -> records.User:
        """The user of an API token (``touch=False``: without writing its last use, for a request that must not write)."""
        from leaktrace.services import users

        return users.user_for_token(self.context, token, touch=touch)

    def settings_table(self) -> list[dict]:
        return describe_settings(self.settings)


def _create_private_sqlite(url: str) -> None:
    """Create an empty SQLite database file with mode 0600 (a valid empty database), so that the
    store and its -wal and -shm files are the owner's alone; other URLs are left to their server."""
    from sqlalchemy import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return
    path = Path(parsed.database)
    private_dir(path.parent)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        pass


def describe_settings(resolved: settings_mod.Settings | None = None) -> list[dict]:
    """Every setting with its default, env variable, help and (if given) resolved value; a database
    URL's password shows as ``***`` (:func:`mask_url`)."""
    rows = []
    for s in settings_mod.SETTINGS:
        row: dict[str, Any] = {"name": s.name, "default": s.default, "env": s.env, "help": s.help}
        if resolved is not None:
            value = getattr(resolved, s.name)
            row["value"] = mask_url(value) if s.name.endswith("_url") and isinstance(value, str) else value
        rows.append(row)
    return rows


def mask_url(url: str) -> str:
    """``url`` with its password (and any ``password=`` parameter) shown as ``***``, for display.

    >>> mask_url("postgresql://u:s3cret@db.corp:5432/leaks"), mask_url("sqlite:////srv/ws/leaktrace.db")
    ('postgresql://u:***@db.corp:5432/leaks', 'sqlite:////srv/ws/leaktrace.db')
    >>> mask_url("postgresql://db/leaks?user=u&password=s3cret")
    'postgresql://db/leaks?user=u&password=***'
    """
    scheme, sep, rest = url.partition("://")
    if sep and "@" in rest:
        credentials, _, host = rest.rpartition("@")  # the last '@': a password may hold one
        if ":" in credentials:
            url = f"{scheme}://{credentials.split(':', 1)[0]}:***@{host}"
    return re.sub(r"(?i)\b(password|passwd|pwd)=[^&;]*", r"\1=***", url)


def settings_for(home: str | None, overrides: Mapping[str, Any] | None = None) -> settings_mod.Settings:
    return settings_mod.load(home, overrides)
