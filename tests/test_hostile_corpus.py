"""Every hostile (or odd but good) file through every route that reads a file, under one pass rule.

The corpus is ``tests/data/make_hostile.py``'s :func:`corpus` (made in memory, written to a
temporary folder) plus the committed files of ``tests/data``. Routes: CLI ``asset add`` and
``trace`` (in-process, CliRunner), REST ``POST /api/v1/assets`` and ``/api/v1/traces``, and the
``/assets`` and ``/trace`` page forms, all on one small workspace of their own whose asset was
shared to two recipients. Pass rule for each (file, route): a correct result (exit 0, 2xx or a
redirect), or a refusal in one line (exit 2 with one line on stderr; a 4xx JSON
``{"error", "status"}``; a 4xx page) — never a traceback, an escaped exception, a 5xx, a server
path in an answer, 60 s, or a peak RSS of the test process over 2 GB. Each file is expected to be
refused by every route, or accepted by every route (GOOD); a leaker's disguised copy is traced to her.
"""

from __future__ import annotations

import json
import resource
import tempfile
import time
import warnings
from pathlib import Path

import pytest

from tests.conftest import DATA, photo, save
from tests.data.make_hostile import corpus

with warnings.catch_warnings():  # starlette's TestClient warns about httpx at import
    warnings.filterwarnings("ignore", message=".*httpx.*starlette.testclient")
    from fastapi.testclient import TestClient

pytestmark = pytest.mark.slow

COMMITTED = sorted(p.name for p in DATA.iterdir() if p.is_file() and p.suffix not in {".py", ".json"})
GENERATED = sorted(corpus())  # the names only; the bytes are made once, in the `files` fixture
# Borealis's copy of the shared asset, disguised: every trace route must accuse Borealis and nobody else.
COPIES = ("copy as delivered.png", "copy as jpeg.jpg", "copy no extension", "copy exif6 rotated.jpg", "copy + pdf polyglot.png", "copy 16-bit.png")
NAMES = [f"data/{n}" for n in COMMITTED] + GENERATED + [f"leak/{n}" for n in COPIES]
LEAKER = "Borealis Moulding AB"
# What every route must answer for each file: refused (in one line) or accepted; copies are also traced to LEAKER.
GOOD = {f"data/{n}" for n in ("animated.gif", "cmyk.jpg", "exif6.jpg", "gray16.png", "palette.png", "rgb16.png")}
GOOD |= {f"exif{o}.jpg" for o in range(1, 9)} | {
    "exif 9 invalid.jpg",
    "cmyk photo.jpg",
    "gray16 big.png",
    "frames 1000 of 16x16.gif",
    "one strip.tif",
}
GOOD |= {
    "garbage after IEND.png",
    "jpeg named.gif",
    "png named.jpg",
    "no extension",
    "jpeg+zip.jpg",
    "polyglot png+pdf.png",
    "leak ünïcødé 漏洩 \u202etxt.png",
}
GOOD |= {f"leak/{n}" for n in COPIES}  # data/rgba.png (4 x 3) and one pixel.png are refused: too small to mark
#: Read by every route, but refused as assets in one line because their reference copy already misses
#: the share's quality gate (asset add checks it: tests/services/test_assets.py). None at the default
#: settings since the geometric carrier moves strokes by 0.05 px (at 0.15 px: the 32 x 32 px noise JPEGs).
UNMARKABLE: set[str] = set()
ASSET_ROUTES = ("cli asset add", "api assets", "page assets", "cli asset add + share")
ROUTES = (
    "cli trace",
    "api traces",
    "page trace",
    "cli asset add",
    "api assets",
    "page assets",
    "cli asset add + share",
)  # traces first: the asset routes then add the disguised copies as assets
TIME_LIMIT = 60.0
RSS_LIMIT = 2 * 2**30  # bytes: the test process's peak never passes it (the 1 x 50000 PNG once took 5 GB to add)
UNSHAREABLE: set[str] = set()  # accepted as assets, then refused by share (in one line): reported by the summary
OUTCOMES: dict[tuple[str, str], str] = {}  # (file, route) → "ok" | "refused" (filled by the tests; read by the summary)


def _disguised(copy: Path) -> dict[str, bytes]:
    """A recipient's copy in the shapes a leak may take: re-encoded, renamed, EXIF-rotated, with a PDF behind it, 16-bit."""
    import io

    import numpy as np
    from PIL import Image

    im = Image.open(copy).convert("RGB")

    def encoded(image: Image.Image, fmt: str, **options) -> bytes:
        out = io.BytesIO()
        image.save(out, fmt, **options)
        return out.getvalue()

    exif = im.getexif()
    exif[0x0112] = 6  # stored turned a quarter counter-clockwise: displayed upright
    wide = np.asarray(im).astype(np.uint16) * 257
    import cv2

    ok, png16 = cv2.imencode(".png", wide[:, :, ::-1])
    assert ok
    return {
        "copy as delivered.png": copy.read_bytes(),
        "copy as jpeg.jpg": encoded(im, "JPEG", quality=85),
        "copy no extension": copy.read_bytes(),
        "copy exif6 rotated.jpg": encoded(im.transpose(Image.Transpose.ROTATE_90), "JPEG", quality=90, exif=exif.tobytes()),
        "copy + pdf polyglot.png": copy.read_bytes() + b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
        "copy 16-bit.png": png16.tobytes(),
    }


@pytest.fixture(scope="module")
def files(tmp_path_factory, world) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    out = {f"data/{n}": DATA / n for n in COMMITTED}
    for name, data in corpus().items():
        (folder / name).write_bytes(data)
        out[name] = folder / name
    (folder / "leak").mkdir()
    for name, data in _disguised(world["copy"]).items():
        (folder / "leak" / name).write_bytes(data)
        out[f"leak/{name}"] = folder / "leak" / name
    return out


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A workspace with one asset shared to two recipients, an analyst with a token, and the app over it."""
    from leaktrace.services.throttle import ClientThrottle
    from leaktrace.services.workspace import Workspace
    from leaktrace.web.app import create_app
    from tests.web.conftest import PASSWORDS, login

    root = tmp_path_factory.mktemp("hostile-ws")
    ws = Workspace.init(root / "ws")
    ws.add_user("analyst", "analyst", PASSWORDS["analyst"], actor="setup")
    token = ws.create_token("analyst", name="hostile", actor="setup")["token"]
    ws.add_recipient("Apex Plastics GmbH")
    ws.add_recipient("Borealis Moulding AB")
    asset = ws.add_assets([save(root / "part.png", photo(3))], title="Part")[0]["id"]
    rows = ws.share(asset, ["Apex Plastics GmbH", LEAKER], root / "out", note="hostile corpus", actor="setup")
    settings = ws.settings
    ws.close()
    app = create_app(settings)
    app.state.workspace.login_throttle = ClientThrottle(free=10**6)
    api = TestClient(app, headers={"Authorization": f"Bearer {token}"}, raise_server_exceptions=False)
    page = login(app, "analyst")
    copy = next(Path(r["path"]) for r in rows if r["recipient"] == LEAKER)
    return {"home": root / "ws", "api": api, "page": page, "copy": copy}


def _cli(world, path: Path, *args: str, leaker: str | None = None) -> str:
    from typer.testing import CliRunner

    from leaktrace.cli.app import app

    result = CliRunner().invoke(app, [*args, str(path), "--home", str(world["home"])])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"an exception escaped: {result.exception!r}") from result.exception
    assert "Traceback" not in result.stdout + result.stderr
    if result.exit_code == 0:
        if leaker is not None:
            assert json.loads(result.stdout)["accused"] == [leaker]
        return "ok"
    assert leaker is None, (result.exit_code, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 2 and len(lines) == 1, (result.exit_code, result.stderr)
    return "refused"


def _add_and_share(world, path: Path) -> str:
    """``asset add --json`` then, when it was accepted, ``share`` it to one recipient: what was accepted can be marked."""
    from typer.testing import CliRunner

    from leaktrace.cli.app import app

    home = ["--home", str(world["home"])]
    added = CliRunner().invoke(app, ["asset", "add", str(path), "--json", *home])
    if added.exit_code != 0:
        return _cli(world, path, "asset", "add")  # the refusal, judged as ever
    (asset,) = json.loads(added.stdout)
    out = world["home"].parent / f"shared-{asset['id']}"
    result = CliRunner().invoke(app, ["share", str(asset["id"]), "--to", "Apex Plastics GmbH", "--out", str(out), *home])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    if result.exit_code == 0:
        assert len(list(out.iterdir())) == 1
        return "ok"
    # refused in one line, e.g. a small noisy picture whose marked copy misses the quality gate
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1, (result.exit_code, result.stderr)
    assert not out.exists() or not any(out.iterdir()), "a refused share left a file"
    UNSHAREABLE.add(path.name)
    return "ok"  # the add was accepted, as on the other asset routes


def _api(world, path: Path, url: str, leaker: str | None = None) -> str:
    r = world["api"].post(url, files={"file": (path.name, path.read_bytes(), "application/octet-stream")})
    assert r.status_code < 500, (r.status_code, r.text[:500])
    assert "Traceback" not in r.text
    assert tempfile.gettempdir() not in r.text, "a server path in the answer"
    if r.status_code < 300:
        if leaker is not None:
            assert r.json()["accused"] == [leaker]
        return "ok"
    assert leaker is None, (r.status_code, r.text[:500])
    body = r.json()
    assert 400 <= r.status_code < 500 and {"error", "status"} <= set(body) and body["status"] == r.status_code, (r.status_code, body)
    assert "\n" not in body["error"]
    return "refused"


def _page(world, path: Path, url: str, leaker: str | None = None) -> str:
    client = world["page"]
    r = client.post(
        url, data={"csrf_token": client.csrf}, files={"file": (path.name, path.read_bytes(), "application/octet-stream")}, follow_redirects=False
    )
    assert r.status_code < 500, (r.status_code, r.text[:500])
    assert "Traceback" not in r.text
    assert tempfile.gettempdir() not in r.text, "a server path in the page"
    if r.status_code >= 400:
        assert leaker is None, (r.status_code, r.text[:500])
        return "refused"
    if leaker is not None:
        assert r.status_code == 303, r.status_code
        assert LEAKER in client.get(r.headers["location"]).text
    return "ok"


CALLS = {
    "cli asset add": lambda w, p, leaker: _cli(w, p, "asset", "add"),
    "cli trace": lambda w, p, leaker: _cli(w, p, "trace", "--json", leaker=leaker),
    "api assets": lambda w, p, leaker: _api(w, p, "/api/v1/assets"),
    "api traces": lambda w, p, leaker: _api(w, p, "/api/v1/traces", leaker=leaker),
    "page assets": lambda w, p, leaker: _page(w, p, "/assets"),
    "page trace": lambda w, p, leaker: _page(w, p, "/trace", leaker=leaker),
    "cli asset add + share": lambda w, p, leaker: _add_and_share(w, p),
}


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("route", ROUTES)
def test_file_through_route(files, world, name, route):
    start = time.perf_counter()
    outcome = CALLS[route](world, files[name], LEAKER if name.startswith("leak/") else None)
    elapsed = time.perf_counter() - start
    assert elapsed < TIME_LIMIT, f"{elapsed:.1f} s"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: kilobytes
    assert peak < RSS_LIMIT, f"peak RSS {peak / 2**20:.0f} MB"
    assert outcome == ("ok" if name in GOOD and not (name in UNMARKABLE and route in ASSET_ROUTES) else "refused")
    OUTCOMES[(name, route)] = outcome


def test_summary(capsys):
    """The figure for the issue note: files × routes, all passed (run with the whole module)."""
    if len(OUTCOMES) < len(NAMES) * len(ROUTES):
        pytest.skip("run with the whole module")  # a selection of the module: nothing to sum up
    refused = sum(o == "refused" for o in OUTCOMES.values())
    # one file, one verdict: the routes that read a file alike (add it, or trace it) accept or refuse it alike
    verdicts = {}
    for name in NAMES:
        for group in (("cli trace", "api traces", "page trace"), ("cli asset add", "api assets", "page assets", "cli asset add + share")):
            seen = {route: OUTCOMES[name, route] for route in group}
            if len(set(seen.values())) > 1:
                verdicts[name] = seen
    assert not verdicts, verdicts
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    with capsys.disabled():
        print(
            f"\nhostile corpus: {len(NAMES)} files × {len(ROUTES)} routes = {len(OUTCOMES)} calls, all passed"
            f" ({refused} refused in one line, {len(OUTCOMES) - refused} accepted; peak RSS {peak / 2**20:.0f} MB)"
        )
        print(f"accepted as assets but refused by share: {len(UNSHAREABLE)}: {', '.join(sorted(UNSHAREABLE))}")
