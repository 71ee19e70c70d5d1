"""The one error tree of leaktrace.

Every error a user can cause is a :class:`LeaktraceError`. Each class carries the
exit code the CLI returns and the HTTP status the web layer answers with, and its
message is one sentence naming the file or id involved. Interfaces translate these
once, at their boundary; nothing below them prints.
"""

from __future__ import annotations


class LeaktraceError(Exception):
    """Base of every error leaktrace reports to a user."""

    exit_code: int = 1
    http_status: int = 500

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(str(message).split()))

    @property
    def message(self) -> str:
        return str(self)


class BadInput(LeaktraceError):
    """The user gave something leaktrace cannot use."""

    exit_code = 2
    http_status = 400


class FileRejected(BadInput):
    """A file leaktrace does not accept, named with the reason; pickled by (path, reason), so an
    executor worker's error comes back whole."""

    def __init__(self, path: object, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")

    def __reduce__(self):
        return (type(self), (self.path, self.reason))


class ImageRejected(FileRejected):
    """A file is not an image leaktrace accepts (unreadable, truncated, bomb, wrong type)."""


class DocumentRejected(FileRejected):
    """A file is not a PDF document leaktrace accepts (unreadable, encrypted, too many pages or operators)."""


class NotFound(BadInput):
    """A recipient, asset, share or file that does not exist."""

    http_status = 404


class WorkspaceMissing(BadInput):
    """No workspace at the given home."""

    http_status = 500


class WorkspaceExists(BadInput):
    """``init`` on a folder that already holds a workspace."""

    http_status = 409


class Conflict(BadInput):
    """The request clashes with what is stored (a duplicate name, say)."""

    http_status = 409


class KeyProblem(BadInput):
    """The master key is missing, unsafe, malformed or does not belong to this workspace."""

    http_status = 500


class SettingRejected(BadInput):
    """A setting has an unsafe or malformed value."""

    http_status = 500


class Busy(LeaktraceError):
    """Another process holds the workspace for too long."""

    exit_code = 3
    http_status = 503


class StoreUnavailable(LeaktraceError):
    """The store's database server cannot be reached or the store cannot be read (nothing was changed)."""

    exit_code = 3
    http_status = 503


class Unauthorized(BadInput):
    """No valid credentials: a wrong name or password, an unknown or revoked token, a disabled user."""

    http_status = 401


class Forbidden(BadInput):
    """Valid credentials whose role does not allow the action."""

    http_status = 403


class TooManyAttempts(BadInput):
    """Too many failed logins from one client or for one account: wait ``retry_after`` seconds (HTTP 429)."""

    http_status = 429

    def __init__(self, message: str, *, retry_after: int = 60) -> None:
        self.retry_after = max(1, int(retry_after))
        super().__init__(message)


class AccountLocked(Forbidden):
    """An account locked after too many failed logins, until an admin unlocks it."""


class UploadTooLarge(BadInput):
    """An upload larger than the web upload limit."""

    http_status = 413


class UnsupportedUpload(BadInput):
    """An upload whose declared type or name is not an image type leaktrace reads."""

    http_status = 415


class LoginRequired(Unauthorized):
    """A page was asked for without a valid session: pages redirect to the login form, the API answers 401."""


class MissingDependency(LeaktraceError):
    """An optional part of leaktrace is not installed (the ``report`` extra for evidence reports)."""

    http_status = 501


class EvidenceTampered(LeaktraceError):
    """A record the evidence rests on no longer matches its seal in the audit log, or the log
    does not extend a checkpoint it once signed: nothing built on it is issued."""

    exit_code = 2
    http_status = 409
