"""Secrets stay secret: a full story's every output — CLI runs with and without ``--json`` (stdout and
stderr, errors too), REST answers, web pages, the audit log's details, every Python log record at DEBUG
(root logger: leaktrace's own, SQLAlchemy's statements, the web stack's), the evidence reports (HTML as
written, and the text pypdfium2 reads from the PDF ones) — holds no master key (raw, hex, base64), no
log signing key, no session secret and no database password."""

from __future__ import annotations

import base64
import json
import logging
import sqlite3
import warnings
from pathlib import Path

import pytest

from tests.conftest import photo, save
from tests.web.conftest import CSRF, leak_from

pytestmark = pytest.mark.slow

DB_PASSWORD = "Db-pa55word-never-shown"
PG_URL = f"postgresql://leaktrace:{DB_PASSWORD}@127.0.0.1:1/leaks"


def _forms(secret: bytes) -> set[bytes]:
    """Every way a secret of bytes could be printed."""
    forms = {secret, secret.hex().encode(), secret.hex().upper().encode(), base64.b64encode(secret), base64.urlsafe_b64encode(secret).rstrip(b"=")}
    return {f for f in forms if len(f) >= 16}


class _Collect(logging.Handler):
    """Every log record, formatted as a handler would write it (message, arguments, traceback, stack)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(pathname)s:%(lineno)d %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture(scope="module")
def logged():
    """A handler at DEBUG on the root logger (the root at DEBUG too) while the module's story runs."""
    handler, root = _Collect(), logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def _pdf_text(data: bytes) -> bytes:
    """The text a reader gets out of a PDF (every page), as pypdfium2 extracts it."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(data)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in pdf).encode()
    finally:
        pdf.close()


@pytest.fixture(scope="module")
def story(tmp_path_factory, logged):
    from typer.testing import CliRunner

    from leaktrace import settings
    from leaktrace.cli.app import app as cli_app

    root = tmp_path_factory.mktemp("secrets")
    home, runner, outputs = root / "ws", CliRunner(), []

    def cli(*args, mode="json", stdin=None, env=None, ok=True):
        """Run with ``--json`` (its document is returned), without (``mode="plain"``), or both ways (reads)."""
        doc = None
        for as_json in {"json": (True,), "plain": (False,), "both": (True, False)}[mode]:
            argv = [str(a) for a in args] + (["--json"] if as_json else []) + ["--home", str(home)]
            result = runner.invoke(cli_app, argv, input=stdin, env=env)
            outputs.append((" ".join(argv[:2]) + (" --json" if as_json else ""), result.stdout.encode() + result.stderr.encode()))
            assert (result.exit_code == 0) == ok, (argv, result.stdout, result.stderr)
            if as_json and ok:
                doc = json.loads(result.stdout)
        return doc

    cli("init", mode="plain")
    cli("recipient", "add", "Apex Plastics GmbH")
    cli("recipient", "add", "Borealis AB", mode="plain")
    cli("recipient", "list", mode="both")
    image = save(root / "bumper.png", photo(3))
    cli("asset", "add", image)
    copies = cli("share", "1", "--to", "Apex Plastics GmbH", "--to", "Borealis AB", "--out", root / "out")
    (root / "leak.jpg").write_bytes(leak_from(Path(copies[0]["path"]).read_bytes()))
    cli("trace", root / "leak.jpg", mode="plain")
    cli("trace", root / "leak.jpg")
    cli("finding", "show", "1", mode="both")
    cli("report", "1", "--format", "html", "--out", root / "report.html", mode="plain")
    outputs.append(("report.html", (root / "report.html").read_bytes()))
    cli("report", "1", "--out", root / "report.pdf", mode="plain")
    outputs.append(("report.pdf", (root / "report.pdf").read_bytes()))
    outputs.append(("report.pdf (text)", _pdf_text((root / "report.pdf").read_bytes())))
    cli("case", "open", "--finding", "1")
    cli("user", "add", "admin", "--role", "admin", "--password-stdin", stdin="admin-password\n", mode="plain")
    cli("user", "add", "ann", "--role", "analyst", "--password-stdin", stdin="analyst-password\n")
    cli("user", "list", mode="both")
    admin = cli("token", "create", "admin")
    analyst = cli("token", "create", "ann", "--reason", "her scripts")
    (root / "pass.txt").write_text("correct horse battery staple\n")
    cli("key", "export", root / "key.backup", "--passphrase-file", root / "pass.txt", mode="plain")
    cli("key", "import", root / "key.backup", "--passphrase-file", root / "pass.txt", mode="both")
    cli("key", "split", "--shares", "3", "--threshold", "2", "--out-dir", root / "shares", mode="plain")
    (root / "huge.key").write_bytes(b"0" * 70_000)
    cli("key", "import", root / "huge.key", mode="both", ok=False)
    cli("audit", "checkpoint", "--out", root / "checkpoint.json", mode="plain")
    cli("audit", "verify", mode="both")
    cli("audit", "list", mode="both")
    cli("settings", mode="both")
    cli("settings", mode="both", env={"LEAKTRACE_DATABASE_URL": PG_URL})
    cli("recipient", "list", mode="both", env={"LEAKTRACE_DATABASE_URL": PG_URL, "LEAKTRACE_LOCK_TIMEOUT_S": "1"}, ok=False)  # no server there

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*httpx.*starlette.testclient")
        from fastapi.testclient import TestClient
    from leaktrace.web.app import create_app

    web = create_app(settings.load(home))
    as_admin = TestClient(web, headers={"Authorization": f"Bearer {admin['token']}"}, raise_server_exceptions=False)
    as_analyst = TestClient(web, headers={"Authorization": f"Bearer {analyst['token']}"}, raise_server_exceptions=False)

    def rest(client, method, url, **kw):
        r = client.request(method, url, **kw)
        outputs.append((f"{method} {url}", r.content + json.dumps(dict(r.headers)).encode()))
        return r

    for url in ("/api/v1/recipients", "/api/v1/assets", "/api/v1/shares", "/api/v1/findings", "/api/v1/findings/1", "/api/v1/cases"):
        assert rest(as_analyst, "GET", url).status_code == 200
    for url in ("/api/v1/audit", "/api/v1/audit/verify", "/api/v1/users"):
        rest(as_admin, "GET", url)
    rest(as_analyst, "POST", "/api/v1/traces", files={"file": ("leak.jpg", (root / "leak.jpg").read_bytes(), "image/jpeg")})
    rest(as_analyst, "POST", "/api/v1/traces", files={"file": ("broken.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "image/png")})
    rest(as_analyst, "POST", "/api/v1/assets", files={"file": ("text.png", b"not an image at all", "image/png")})
    rest(as_admin, "POST", "/api/v1/tokens", json={"user": "ann"})
    rest(as_admin, "POST", "/api/v1/tokens", json={"user": "ann", "reason": "her nightly job"})
    for fmt in ("html", "pdf"):
        r = rest(as_analyst, "POST", f"/api/v1/findings/1/report.{fmt}")
        assert r.status_code == 200, r.text
        if fmt == "pdf":
            outputs.append(("POST /api/v1/findings/1/report.pdf (text)", _pdf_text(r.content)))
    browser = TestClient(web, raise_server_exceptions=False)
    token = CSRF.search(browser.get("/login").text).group(1)
    rest(browser, "POST", "/login", data={"name": "admin", "password": "wrong-password", "csrf_token": token})
    rest(browser, "POST", "/login", data={"name": "admin", "password": "admin-password", "csrf_token": token})
    for url in (
        "/",
        "/recipients",
        "/assets",
        "/share",
        "/trace",
        "/findings",
        "/findings/1",
        "/cases",
        "/cases/1",
        "/audit",
        "/users",
        "/docs",
        "/openapi.json",
    ):
        rest(browser, "GET", url)
    web.state.workspace.close()
    with sqlite3.connect(home / "leaktrace.db") as db:
        details = [row[0] for row in db.execute("SELECT actor || ' ' || action || ' ' || details FROM audit_entries")]
        custody = [row[0] for row in db.execute("SELECT details FROM audit_entries WHERE action LIKE 'key.%'")]
    outputs.append(("audit_entries (database)", "\n".join(details).encode()))
    outputs.append(("audit_entries key.* (database)", "\n".join(custody).encode()))
    outputs.append(("logging (root, DEBUG)", "\n".join(logged.lines).encode()))
    return {"home": home, "outputs": outputs, "root": root}


def test_the_story_ran(story):
    assert len(story["outputs"]) > 60
    assert any(b"key.export" in out for _, out in story["outputs"])
    got = dict(story["outputs"])
    logs = got["logging (root, DEBUG)"]
    assert logs.count(b"\n") > 100 and b" DEBUG " in logs  # the grep below reads a real log, not an empty one
    for text in (got["report.pdf (text)"], got["POST /api/v1/findings/1/report.pdf (text)"], got["report.html"]):
        assert b"Apex Plastics GmbH" in text and len(text) > 2000  # the reports' words, not an empty extraction


@pytest.mark.parametrize("secret", ["master key", "log key", "session secret", "database password"])
def test_no_output_holds_a_secret(story, secret):
    home = story["home"]
    forms = {
        "master key": lambda: _forms((home / "master.key").read_bytes()),
        "log key": lambda: _forms((home / "audit.key").read_bytes()),
        "session secret": lambda: _forms((home / "web-session.key").read_bytes().strip()) | {(home / "web-session.key").read_bytes().strip()},
        "database password": lambda: {DB_PASSWORD.encode()},
    }[secret]()
    leaks = [what for what, out in story["outputs"] for form in forms if form in out]
    assert not leaks, f"the {secret} shows in: {sorted(set(leaks))}"


def test_no_server_path_in_an_answer_or_the_key_custody_log(story):
    root = str(story["root"]).encode()
    custody = next(out for what, out in story["outputs"] if what == "audit_entries key.* (database)")
    assert custody.count(b"key.backup") + custody.count(b'"file"') >= 2 and root not in custody  # file names, never the folder
    answers = [(what, out) for what, out in story["outputs"] if what.startswith(("GET", "POST"))]
    assert not [what for what, out in answers if b"leaktrace-upload-" in out or b"leaktrace-web-" in out]
    errors = {what: out for what, out in answers if b'"status":4' in out}
    assert any(b"broken.png" in out for out in errors.values()), errors  # an upload's error names its own file


def test_settings_masks_the_database_password(story):
    (_, as_json), (_, plain) = [(w, o) for w, o in story["outputs"] if w.startswith("settings")][-2:]
    assert b"postgresql://leaktrace:***@127.0.0.1:1/leaks" in plain and b"postgresql://leaktrace:***@127.0.0.1:1/leaks" in as_json
