"""What the web app needs beyond the workspace settings: upload limit, cookie flags, session secret.

Values come from the workspace settings when they define them (``web_max_upload_mb``,
``web_secure_cookies``), else from ``LEAKTRACE_WEB_MAX_UPLOAD_MB`` /
``LEAKTRACE_WEB_SECURE_COOKIES``, else the defaults below. The session secret is a random
32-byte file in the workspace (mode 0600), made on first start; it is never in the code.
"""

from __future__ import annotations

import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from leaktrace.errors import KeyProblem, SettingRejected
from leaktrace.services.context import write_secret
from leaktrace.settings import Settings

SESSION_SECRET_FILE = "web-session.key"
DEFAULT_MAX_UPLOAD_MB = 50.0
SESSION_MAX_AGE_S = 8 * 3600
# Image types an upload may declare; the services check the bytes themselves.
IMAGE_TYPES = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/webp": ".webp",
    "image/tiff": ".tif",
    "image/bmp": ".bmp",
    "image/gif": ".gif",
    "image/avif": ".avif",
    "image/heic": ".heic",
}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".tif", ".tiff", ".bmp", ".gif", ".avif", ".heic"}
# Document types an asset upload may be (never a leak: a leak is a picture of a page); accepted by their bytes.
DOCUMENT_TYPES = {"application/pdf": ".pdf"}
DOCUMENT_SUFFIXES = {".pdf"}


@dataclass(frozen=True)
class WebConfig:
    max_upload_bytes: int
    secure_cookies: bool
    session_secret: str

    @property
    def max_upload_mb(self) -> float:
        return float(f"{self.max_upload_bytes / 2**20:.3g}")


def _truthy(text: str) -> bool:
    value = text.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise SettingRejected(f"LEAKTRACE_WEB_SECURE_COOKIES must be true or false, not {text!r}.")


def load(settings: Settings, *, max_upload_mb: float | None = None, secure_cookies: bool | None = None) -> WebConfig:
    """The web configuration of the workspace ``settings.home`` (makes the session secret if needed)."""
    if max_upload_mb is None:
        max_upload_mb = getattr(settings, "web_max_upload_mb", None) or float(os.environ.get("LEAKTRACE_WEB_MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB))
    if secure_cookies is None:
        configured = getattr(settings, "web_secure_cookies", None)
        secure_cookies = configured if configured is not None else _truthy(os.environ.get("LEAKTRACE_WEB_SECURE_COOKIES", "false"))
    if not 0 < float(max_upload_mb) <= settings.max_file_mb:
        raise SettingRejected(f"the web upload limit must be in (0, {settings.max_file_mb}] MB, not {max_upload_mb!r}.")
    return WebConfig(int(float(max_upload_mb) * 2**20), bool(secure_cookies), session_secret(settings.home))


def session_secret(home: Path) -> str:
    """The workspace's session-signing secret (hex), created with mode 0600 on first use."""
    path = home / SESSION_SECRET_FILE
    if not path.exists():
        try:
            write_secret(path, secrets.token_hex(32).encode())
        except FileExistsError:
            pass  # another worker made it first
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise KeyProblem(f"{path}: the web session secret is readable by others (mode {mode:04o}); run 'chmod 600 {path}'.")
    secret = path.read_text(encoding="ascii").strip()
    if len(secret) < 32:
        raise KeyProblem(f"{path}: the web session secret is too short; delete it to make a new one.")
    return secret
