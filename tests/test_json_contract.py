"""The --json documents and REST bodies only ever gain fields.

``tests/data/json_contract.json`` lists, for every CLI ``--json`` document and every REST
answer, each key path it had when the records were introduced (``[]`` marks list items;
audit ``details`` are free content and not listed). The same story is played here through
the CLI and the REST API, and every listed path must still be there.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import photo, save
from tests.web.conftest import leak_from, tiny_pdf

pytestmark = pytest.mark.slow

CONTRACT = json.loads((Path(__file__).parent / "data" / "json_contract.json").read_text(encoding="utf-8"))


def _paths(value, prefix: str = "") -> set[str]:
    out: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else key
            if path.endswith(".details") or path == "details":
                out.add(path)
                continue
            out |= {path} | _paths(item, path)
    elif isinstance(value, list):
        for item in value:
            out |= _paths(item, prefix + "[]")
    return out


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    from typer.testing import CliRunner

    from leaktrace import settings
    from leaktrace.cli.app import app as cli_app
    from leaktrace.documents import render

    root = tmp_path_factory.mktemp("contract")
    home, runner, docs = root / "ws", CliRunner(), {}

    def cli(name, *args, stdin=None):
        result = runner.invoke(cli_app, [str(a) for a in args] + ["--json", "--home", str(home)], input=stdin)
        assert result.exit_code == 0, (args, result.stdout, result.stderr)
        doc = json.loads(result.stdout)
        docs.setdefault("cli " + name, []).append(doc)
        return doc

    cli("init", "init")
    cli("recipient add", "recipient", "add", "Apex Plastics GmbH", "--email", "a@apex.example", "--org", "Apex")
    cli("recipient add", "recipient", "add", "Borealis AB")
    cli("recipient add", "recipient", "add", "Castellan SpA")
    cli("recipient list", "recipient", "list")
    image = save(root / "bumper.png", photo(3))
    cli("asset add", "asset", "add", image)
    cli("asset add", "asset", "add", image)  # a duplicate
    (root / "sketch.pdf").write_bytes(tiny_pdf(2))
    (document,) = cli("asset add", "asset", "add", root / "sketch.pdf")  # a document (its pages: assets 3 and 4)
    cli("asset list", "asset", "list")
    cli("asset show", "asset", "show", "1")
    cli("asset show", "asset", "show", document["id"])
    copies = cli("share", "share", "1", "--to", "Apex Plastics GmbH", "--to", "Borealis AB", "--to", "3", "--out", root / "out", "--note", "round 1")
    cli("shares", "shares")
    (root / "leak.jpg").write_bytes(leak_from(Path(copies[1]["path"]).read_bytes()))
    save(root / "noise.png", np.random.default_rng(0).integers(0, 255, (200, 300, 3), dtype=np.uint8))
    cli("trace", "trace", root / "leak.jpg")
    cli("trace", "trace", root / "noise.png")
    cli("finding list", "finding", "list")
    cli("finding show", "finding", "show", "1")
    cli("finding show", "finding", "show", "2")
    cli("report", "report", "1", "--format", "html", "--out", root / "report.html")
    cli("case open", "case", "open", "--finding", "1", "--nda", "NDA-1")
    cli(
        "case update",
        "case",
        "update",
        "1",
        "--penalty-amount",
        "1000",
        "--penalty-currency",
        "eur",
        "--add-action",
        "Audit",
        "--due",
        "2027-03-31",
        "--note",
        "letter sent",
    )
    cli("case update", "case", "update", "1", "--action-done", "1", "--status", "penalty_applied")
    cli("case show", "case", "show", "1")
    cli("case list", "case", "list")
    cli("user add", "user", "add", "admin", "--role", "admin", "--password-stdin", stdin="admin-password\n")
    cli("user add", "user", "add", "ann", "--role", "analyst", "--password-stdin", stdin="analyst-password\n")
    admin = cli("token create", "token", "create", "admin", "--name", "t")
    cli("token create", "token", "create", "ann", "--name", "t2")
    cli("token revoke", "token", "revoke", "2")
    cli("user disable", "user", "disable", "ann")
    cli("user enable", "user", "enable", "ann")
    cli("user list", "user", "list")
    cli("audit list", "audit", "list", "--limit", "5")
    cli("audit verify", "audit", "verify")
    cli("doctor", "doctor")
    cli("settings", "settings")
    (root / "pass.txt").write_text("correct horse battery staple\n")
    cli("key export", "key", "export", root / "key.backup", "--passphrase-file", root / "pass.txt")
    cli("key import", "key", "import", root / "key.backup", "--passphrase-file", root / "pass.txt")
    analyst = cli("token create", "token", "create", "ann")
    cli("key split", "key", "split", "--shares", "3", "--threshold", "2", "--out-dir", root / "shares")
    cli("copy regenerate", "copy", "regenerate", "--share", "1", "--recipient", "Apex Plastics GmbH", "--reason", "contract", "--out", root / "r.png")
    checkpoint = cli("audit checkpoint", "audit", "checkpoint", "--out", root / "checkpoint.json")
    cli("audit verify --against", "audit", "verify", "--against", root / "checkpoint.json")

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*httpx.*starlette.testclient")
        from fastapi.testclient import TestClient
    from leaktrace.web.app import create_app

    web = create_app(settings.load(home))
    as_admin = TestClient(web, headers={"Authorization": f"Bearer {admin['token']}"})
    as_analyst = TestClient(web, headers={"Authorization": f"Bearer {analyst['token']}"})

    def rest(name, client, method, url, **kw):
        r = client.request(method, url, **kw)
        assert r.status_code < 300, (name, r.status_code, r.text)
        docs.setdefault("rest " + name, []).append(r.json())

    rest("recipients", as_analyst, "GET", "/api/v1/recipients")
    rest("recipient add", as_analyst, "POST", "/api/v1/recipients", json={"name": "Delta", "email": "d@delta.example", "org": "D"})
    rest("assets", as_analyst, "GET", "/api/v1/assets")
    rest("asset add", as_analyst, "POST", "/api/v1/assets", files={"file": ("b2.png", image.read_bytes(), "image/png")})
    other = save(root / "other.png", photo(5))
    rest("asset add", as_analyst, "POST", "/api/v1/assets", files={"file": ("other.png", other.read_bytes(), "image/png")})
    rest("share", as_analyst, "POST", "/api/v1/shares", json={"asset_id": 1, "to": ["Delta", "1"], "note": "round 2"})
    rest("shares", as_analyst, "GET", "/api/v1/shares")
    rest("trace", as_analyst, "POST", "/api/v1/traces", files={"file": ("leak.jpg", (root / "leak.jpg").read_bytes(), "image/jpeg")})
    rest("trace", as_analyst, "POST", "/api/v1/traces", files={"file": ("noise.png", (root / "noise.png").read_bytes(), "image/png")})
    rest("findings", as_analyst, "GET", "/api/v1/findings")
    rest("finding", as_analyst, "GET", "/api/v1/findings/1")
    rest("finding", as_analyst, "GET", "/api/v1/findings/2")
    rest("case open", as_analyst, "POST", "/api/v1/cases", json={"finding_id": 3})
    rest("case patch", as_analyst, "PATCH", "/api/v1/cases/2", json={"note": "x", "add_action": "Fix", "due": "2027-01-01"})
    rest("case", as_analyst, "GET", "/api/v1/cases/1")
    rest("cases", as_analyst, "GET", "/api/v1/cases")
    rest("audit", as_analyst, "GET", "/api/v1/audit?limit=3")
    rest("audit verify", as_analyst, "GET", "/api/v1/audit/verify")
    rest("audit checkpoint", as_analyst, "POST", "/api/v1/audit/checkpoint")
    rest("audit checkpoint", as_analyst, "GET", "/api/v1/audit/checkpoint")  # the newest, as issued: the same document
    rest("audit verify against", as_analyst, "POST", "/api/v1/audit/verify", json=checkpoint)
    rest("users", as_admin, "GET", "/api/v1/users")
    rest("user add", as_admin, "POST", "/api/v1/users", json={"name": "aud", "role": "auditor", "password": "auditor-pass"})
    rest("token create", as_admin, "POST", "/api/v1/tokens", json={"user": "aud", "name": "x", "reason": "the auditor's export job"})
    rest("user patch", as_admin, "PATCH", "/api/v1/users/aud", json={"disabled": True})
    rest("token revoke", as_admin, "DELETE", "/api/v1/tokens/1")
    web.state.workspace.close()

    # a leak of a document's page: the trace names the page and its document
    (pdf,) = cli("share", "share", document["id"], "--to", "Borealis AB", "--out", root / "pdfs")
    page = docs["cli asset show"][-1]["page_assets"][1]
    save(root / "page-2.png", render.render_page(Path(pdf["path"]).read_bytes(), 1, page["dpi"]))
    cli("trace", "trace", root / "page-2.png")

    # a scan of a crawler's folder: the leak (a hit), noise (counted), a truncated file (failed with its reason)
    (root / "crawl").mkdir()
    for name in ("leak.jpg", "noise.png"):
        (root / "crawl" / name).write_bytes((root / name).read_bytes())
    (root / "crawl" / "truncated.png").write_bytes((Path(__file__).parent / "data" / "truncated.png").read_bytes())
    scan = cli("scan", "scan", root / "crawl")
    assert (scan["matched"], scan["errors"]) == (1, 1)
    cli("scan show", "scan", "show", scan["id"])
    cli("scan list", "scan", "list")
    return docs


def test_every_document_of_the_contract_was_made(documents):
    assert set(CONTRACT) <= set(documents)


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_no_document_lost_a_field(documents, name):
    found = set().union(*(_paths(doc) for doc in documents[name]))
    assert sorted(set(CONTRACT[name]) - found) == []
