"""Settings: one table, read from the workspace file and ``LEAKTRACE_*`` variables.

Each :class:`Setting` row generates the environment variable name, the README
table and ``leaktrace settings --json``. Precedence, lowest first: the default,
the workspace file ``leaktrace.toml``, the environment, explicit overrides.
Unsafe values are refused when settings are loaded; nothing is built at import.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from leaktrace.errors import SettingRejected

SETTINGS_FILE = "leaktrace.toml"
DEFAULT_HOME = ".leaktrace"


@dataclass(frozen=True)
class Setting:
    """One configurable value: its name, default, help text and environment variable.

    ``choices``, when given, are the only values accepted (anything else is refused at load).
    """

    name: str
    default: Any
    help: str
    choices: tuple[Any, ...] = ()

    @property
    def env(self) -> str:
        return "LEAKTRACE_" + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("database_url", "", "SQLAlchemy URL of the store; empty means SQLite at HOME/leaktrace.db."),
    Setting("epsilon", 1e-6, "Family-wise bound on the probability of accusing any innocent recipient in one trace (at most 1e-3)."),
    Setting("carrier_cells", 4096, "Target number K of carrier basis functions per asset (more survives smaller crops)."),
    Setting("min_cell_px", 16, "Smallest carrier cell, in pixels of the original, so small assets keep a mark JPEG cannot erase."),
    Setting("target_psnr", 48.0, "Quality target of every copy against its original, in dB; the fingerprint strength follows from it."),
    Setting(
        "min_psnr",
        45.0,
        "A copy whose luminance mark's PSNR falls below this, in dB, is refused (against the original displaced by the geometric carrier, when the asset has one).",
    ),
    Setting("min_ssim", 0.99, "A copy whose SSIM falls below this is refused."),
    Setting(
        "geometric_amplitude_px",
        0.05,
        "Largest RMS displacement of the geometric carrier, in pixels of the original per axis (0 turns it off for new assets); above 0.07 long straight lines look wavy at 1:1.",
    ),
    Setting("geometric_max_px", 0.5, "Bound on the geometric carrier's displacement anywhere in a copy, in pixels of the original."),
    Setting(
        "document_dpi",
        150.0,
        "Reference resolution of a document's pages, pixels per inch: each page is rendered at it for the asset search, registration and the tests.",
    ),
    Setting(
        "document_amplitude_pt",
        0.2,
        "RMS displacement per axis of a document copy's vector paths and text lines, in points (1/72 inch; 0 turns it off for new documents).",
    ),
    Setting("document_max_pt", 0.4, "Bound on any point's displacement in a document copy, in points (0.14 mm)."),
    Setting(
        "document_word_pt",
        0.2,
        "Move of each word along its line in a document copy, in points (0.07 mm): word-shift coding for text pages; 0 turns it off.",
    ),
    Setting("max_pages", 500, "Largest document accepted, in pages."),
    Setting("max_leak_pages", 50, "Largest leaked PDF file traced, in pages (each page is rendered, searched and tested: about 2 s a page)."),
    Setting("jpeg_quality", 95, "JPEG quality of copies of JPEG originals."),
    Setting(
        "png_compression",
        2,
        "PNG compression of copies, 0-9: 0 stores pixels uncompressed, 1-3 are fast run-length levels, 4-9 zlib deflate (smaller drawings, several times slower).",
    ),
    Setting(
        "max_pixels",
        100_000_000,
        "Largest image accepted, in pixels (decompression-bomb guard); an A0 sheet at 300 dpi is 140 MP: raise it to 200000000 for such originals (see Large originals).",
    ),
    Setting(
        "max_side_px",
        65_535,
        "Longest side of an image accepted, in pixels, checked from the header before decoding (JPEG and WebP cannot be wider); see Large originals.",
    ),
    Setting("max_file_mb", 200, "Largest image file accepted, in MB (a 150 MP photo is about 250 MB as PNG)."),
    Setting(
        "decode_budget_s",
        30.0,
        "Longest a stranger's image (an asset being added, a leak) may take to decode, in seconds, in a worker that is then stopped (0: decode in process, unbounded); a 100 MP PNG takes about 6 s.",
    ),
    Setting(
        "index_backend",
        "auto",
        "Asset search behind trace: brute (compare with every asset), ann (FAISS shortlist, index kept in HOME/cache/assets.ann) or auto (brute below 500 assets, ann from 500).",
        choices=("auto", "brute", "ann"),
    ),
    Setting(
        "retain_copies",
        False,
        "Keep each copy's file in the blob store after it is delivered (off: only its SHA-256 and size stay, and a copy is re-made from key and original by an audited, privileged act).",
    ),
    Setting(
        "key_custodians",
        "",
        "Who holds the master key and can re-make copies, comma-separated (named in every evidence report's limitations).",
    ),
    Setting(
        "checkpoint_dir",
        "",
        "A folder off this machine (a WORM share, a mounted legal mailbox) where every signed checkpoint of the audit log is also written; empty: none.",
    ),
    Setting("notify_email", "", "Who is e-mailed the due remediation actions by 'leaktrace case remind', comma-separated addresses; empty: nobody."),
    Setting(
        "smtp_host", "", "SMTP relay for reminders and invitation links (a company's internal relay, used without authentication); empty: no e-mail."
    ),
    Setting("smtp_port", 25, "Port of the SMTP relay."),
    Setting("smtp_starttls", False, "Switch the SMTP connection to TLS (STARTTLS) before sending."),
    Setting("smtp_from", "leaktrace@localhost", "Sender address of reminders and invitations."),
    Setting("lock_timeout_s", 60.0, "How long a write waits for another process holding the store, in seconds."),
    Setting("web_max_upload_mb", 50.0, "Largest upload the web app and REST API accept, in MB."),
    Setting("web_secure_cookies", False, "Send the web session cookie only over HTTPS (set true behind TLS)."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    """The resolved settings of one workspace (see ``SETTINGS`` for the meaning of each)."""

    home: Path
    database_url: str
    epsilon: float
    carrier_cells: int
    min_cell_px: int
    target_psnr: float
    min_psnr: float
    min_ssim: float
    geometric_amplitude_px: float
    geometric_max_px: float
    document_dpi: float
    document_amplitude_pt: float
    document_max_pt: float
    document_word_pt: float
    max_pages: int
    max_leak_pages: int
    jpeg_quality: int
    png_compression: int
    max_pixels: int
    max_side_px: int
    max_file_mb: float
    decode_budget_s: float
    index_backend: str
    retain_copies: bool
    key_custodians: str
    checkpoint_dir: str
    notify_email: str
    smtp_host: str
    smtp_port: int
    smtp_starttls: bool
    smtp_from: str
    lock_timeout_s: float
    web_max_upload_mb: float
    web_secure_cookies: bool

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'leaktrace.db'}"

    def to_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["home"] = str(self.home)
        return out


def resolve_home(home: str | os.PathLike[str] | None = None, environ: Mapping[str, str] | None = None) -> Path:
    """The workspace folder: the argument, else ``LEAKTRACE_HOME``, else ``./.leaktrace``."""
    environ = os.environ if environ is None else environ
    chosen = home if home not in (None, "") else environ.get("LEAKTRACE_HOME") or DEFAULT_HOME
    return Path(chosen).expanduser().absolute()


def read_file_values(home: Path) -> dict[str, Any]:
    """The values written in the workspace file, or nothing if there is none."""
    path = home / SETTINGS_FILE
    if not path.exists():
        return {}
    try:
        values = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SettingRejected(f"{path}: cannot read the settings file ({exc}).") from None
    unknown = sorted(set(values) - set(_BY_NAME))
    if unknown:
        raise SettingRejected(f"{path}: unknown setting {unknown[0]!r}.")
    return values


def load(
    home: str | os.PathLike[str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve every setting for the workspace at ``home`` and refuse unsafe values."""
    environ = os.environ if environ is None else environ
    root = resolve_home(home, environ)
    values: dict[str, Any] = {s.name: s.default for s in SETTINGS}
    values.update(read_file_values(root))
    for s in SETTINGS:
        if s.env in environ and environ[s.env] != "":
            values[s.name] = environ[s.env]
    for name, value in (overrides or {}).items():
        if name not in _BY_NAME:
            raise SettingRejected(f"unknown setting {name!r}.")
        if value is not None:
            values[name] = value
    typed = {s.name: _coerce(s, values[s.name]) for s in SETTINGS}
    _check(typed)
    return Settings(home=root, **typed)


def _coerce(setting: Setting, value: Any) -> Any:
    kind = type(setting.default)
    try:
        if kind is bool:
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off"}:
                return False
            raise ValueError
        if kind is int:
            number = float(value)
            if not number.is_integer():
                raise ValueError
            return int(number)
        return kind(value)
    except (TypeError, ValueError):
        raise SettingRejected(f"setting {setting.name} must be a {kind.__name__}, not {value!r}.") from None


def _check(values: dict[str, Any]) -> None:
    for s in SETTINGS:
        if s.choices and values[s.name] not in s.choices:
            allowed = ", ".join(map(str, s.choices))
            raise SettingRejected(f"setting {s.name} must be one of {allowed}, not {values[s.name]!r}.")
    eps = values["epsilon"]
    if not (math.isfinite(eps) and 0 < eps <= 1e-3):
        raise SettingRejected(f"setting epsilon must be in (0, 1e-3], not {eps!r}: a looser bound would accuse innocents.")
    if values["carrier_cells"] < 256 or values["carrier_cells"] > 65536:
        raise SettingRejected("setting carrier_cells must be between 256 and 65536.")
    if values["min_cell_px"] < 4:
        raise SettingRejected("setting min_cell_px must be at least 4 pixels.")
    if not 30 <= values["target_psnr"] <= 70:
        raise SettingRejected("setting target_psnr must be between 30 and 70 dB.")
    if not 0 <= values["geometric_amplitude_px"] <= 0.5:
        raise SettingRejected("setting geometric_amplitude_px must be between 0 and 0.5 pixels (0 turns the geometric carrier off).")
    if not 0.1 <= values["geometric_max_px"] <= 1.0:
        raise SettingRejected("setting geometric_max_px must be between 0.1 and 1 pixel: larger shifts show as wobbling lines.")
    if not 72 <= values["document_dpi"] <= 600:
        raise SettingRejected("setting document_dpi must be between 72 and 600 pixels per inch.")
    if not 0 <= values["document_amplitude_pt"] <= 0.5:
        raise SettingRejected("setting document_amplitude_pt must be between 0 and 0.5 points (0 turns the document carrier off).")
    if not 0.05 <= values["document_max_pt"] <= 1.0:
        raise SettingRejected("setting document_max_pt must be between 0.05 and 1 point: larger shifts can show.")
    if not 0 <= values["document_word_pt"] <= 0.5:
        raise SettingRejected("setting document_word_pt must be between 0 and 0.5 points (0 turns word shifts off): larger ones can show.")
    if not 1 <= values["max_pages"] <= 10_000:
        raise SettingRejected("setting max_pages must be between 1 and 10000.")
    if not 1 <= values["max_leak_pages"] <= 10_000:
        raise SettingRejected("setting max_leak_pages must be between 1 and 10000.")
    if not 50 <= values["jpeg_quality"] <= 100:
        raise SettingRejected("setting jpeg_quality must be between 50 and 100.")
    if not 0 <= values["png_compression"] <= 9:
        raise SettingRejected("setting png_compression must be between 0 and 9.")
    if values["max_pixels"] < 1_000_000:
        raise SettingRejected("setting max_pixels must be at least 1,000,000.")
    if values["max_side_px"] < 1000:
        raise SettingRejected("setting max_side_px must be at least 1000.")
    if values["decode_budget_s"] < 0:
        raise SettingRejected("setting decode_budget_s must be 0 (no worker) or positive.")
    if not 0 < values["smtp_port"] < 65536:
        raise SettingRejected("setting smtp_port must be a port number, 1 to 65535.")
    if values["lock_timeout_s"] <= 0:
        raise SettingRejected("setting lock_timeout_s must be positive.")
    if not 0 < values["web_max_upload_mb"] <= values["max_file_mb"]:
        raise SettingRejected("setting web_max_upload_mb must be positive and at most max_file_mb.")


def render_file(values: Mapping[str, Any]) -> str:
    """A workspace file holding ``values``, each with its help as a comment."""
    lines = ["# leaktrace workspace settings; environment variables LEAKTRACE_<NAME> override them."]
    for s in SETTINGS:
        if s.name in values:
            v = values[s.name]
            rendered = f'"{v}"' if isinstance(v, str) else str(v).lower() if isinstance(v, bool) else repr(v)
            lines += [f"# {s.help}", f"{s.name} = {rendered}"]
    return "\n".join(lines) + "\n"


def markdown_table() -> str:
    """The README's settings table, generated from ``SETTINGS`` (a test keeps the README in step)."""
    rows = ["| setting | environment | default | meaning |", "|---|---|---|---|"]
    rows += [f"| `{s.name}` | `{s.env}` | `{s.default}` | {s.help} |" for s in SETTINGS]
    return "\n".join(rows)
