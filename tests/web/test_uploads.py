"""Uploads: a size limit (a setting), image types only, clear messages, nothing stored on refusal."""

from __future__ import annotations

from pathlib import Path

import pytest

from leaktrace.errors import UploadTooLarge
from leaktrace.web.app import create_app
from tests.conftest import CI_ONLY
from tests.web.conftest import TestClient

DATA = Path(__file__).parents[1] / "data"


@pytest.fixture(scope="module")
def small(seeded):
    """The app with a 0.05 MB upload limit, and an analyst token."""
    app = create_app(seeded.settings, max_upload_mb=0.05)
    return TestClient(app, headers={"Authorization": f"Bearer {seeded.tokens['analyst']}"}, raise_server_exceptions=False)


def test_an_upload_over_the_limit_is_refused_with_413(small, seeded):
    before = small.get("/api/v1/assets").json()["count"]
    big = seeded.image.read_bytes()
    assert len(big) > 0.05 * 2**20
    r = small.post("/api/v1/assets", files={"file": ("big.png", big, "image/png")})
    assert r.status_code == 413
    assert r.json() == {"error": r.json()["error"], "status": 413}
    assert "limit is 0.05 MB" in r.json()["error"]
    assert small.get("/api/v1/assets").json()["count"] == before
    r = small.post("/api/v1/traces", files={"file": ("leak.png", big, "image/png")})
    assert r.status_code == 413


def test_the_limit_is_checked_while_reading_too(small, seeded):
    """A body that lies about its length is still stopped at the limit."""
    from leaktrace.web import uploads

    class Fake:
        filename, content_type = "x.png", "image/png"
        file = __import__("io").BytesIO(b"\x89PNG" + b"0" * 200_000)

    with pytest.raises(UploadTooLarge), uploads.saved(Fake(), 100_000):
        pass


@pytest.mark.parametrize(
    "name,ctype,expected",
    [
        ("notes.txt", "text/plain", 415),
        ("script.html", "text/html", 415),
        ("photo.png", "application/pdf", 415),
        ("empty.png", "image/png", 400),
        ("truncated.jpg", "image/jpeg", 400),
        ("text.png", "image/png", 400),
    ],
)
def test_types_are_checked(api, name, ctype, expected):
    data = (DATA / name).read_bytes() if (DATA / name).exists() else b"hello, not an image"
    r = api["analyst"].post("/api/v1/assets", files={"file": (name, data, ctype)})
    assert r.status_code == expected, r.text
    assert set(r.json()) == {"error", "status"}
    assert name in r.json()["error"] or "empty" in r.json()["error"]


def test_a_missing_file_is_a_clear_422(api):
    r = api["analyst"].post("/api/v1/traces", data={"asset_id": "1"})
    assert r.status_code == 422 and "file" in r.json()["error"]


def test_pages_show_the_limit_and_refuse_too(seeded):
    from tests.web.conftest import login

    app = create_app(seeded.settings, max_upload_mb=0.05)
    client = login(app, "analyst")
    assert "up to 0.05 MB" in client.get("/assets").text
    r = client.post("/trace", data={"csrf_token": client.csrf}, files={"file": ("big.png", seeded.image.read_bytes(), "image/png")})
    assert r.status_code == 413 and "Upload too large" in r.text


def test_the_upload_limit_must_be_sane(seeded):
    from leaktrace.errors import SettingRejected

    with pytest.raises(SettingRejected):
        create_app(seeded.settings, max_upload_mb=0)
    with pytest.raises(SettingRejected):
        create_app(seeded.settings, max_upload_mb=10_000)


@pytest.mark.parametrize(("name", "ctype"), [("scan", "application/octet-stream"), ("scan", ""), ("notes.txt", "text/plain")])
def test_the_content_decides_not_the_name(api, name, ctype):
    """A valid PNG without an extension (or under a wrong name and type) is an image, at the API as at the CLI."""
    import cv2

    from tests.conftest import photo

    ok, png = cv2.imencode(".png", photo(31, (96, 128)))
    r = api["analyst"].post("/api/v1/assets", files={"file": (name, png.tobytes(), ctype)})
    assert r.status_code == 201, r.text
    [row] = r.json()
    assert (row["path"], row["width"], row["height"]) == (f"{name}.png", 128, 96)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("strip.png", "image too elongated: 1 x 50000 pixels"),
        ("row.png", "image too long: 100000000 x 1 pixels, longest side allowed 65535"),
        ("scans.jpg", "too many JPEG scans: more than 100"),
    ],
)
@pytest.mark.parametrize("route", ["/api/v1/assets", "/api/v1/traces"])
def test_bounded_decoding_at_the_api(api, route, name, reason):
    """The shape and work bounds of imagefiles answer 400 with their one line on every upload route, never a 500."""
    from tests.test_imagefiles import make_hostile

    data = {
        "strip.png": lambda: make_hostile.zero_png(1, 50_000),
        "row.png": lambda: make_hostile.zero_png(100_000_000, 1),
        "scans.jpg": lambda: make_hostile.many_scans_jpeg(1024, 3000),
    }[name]()
    r = api["analyst"].post(route, files={"file": (name, data, "application/octet-stream")})
    assert r.status_code == 400, r.text
    assert set(r.json()) == {"error", "status"} and reason in r.json()["error"] and "\n" not in r.json()["error"]


#: Odd upload names, for every upload route: NUL, folders and ``..``, separators, control and reordering
#: characters, an empty or all-invisible name, names longer than 255 bytes of UTF-8 in 200 characters.
ODD_NAMES = [
    "leak\x00.png",
    "\x00",
    "../../etc/passwd.png",
    "..",
    ".",
    "a/b\\c.png",
    "a\x1b[2J.png",
    "\u202egnp.exe",
    "\u200b\u202e",
    "x" * 5000 + ".png",
    "é" * 300 + ".png",
    "\U0001f600" * 120,
    "   ",
    "",
]


#: the names every local run tries (each is a whole upload); CI tries them all
EVERY_RUN = {"leak\x00.png", "../../etc/passwd.png", "\u202egnp.exe", ""}
NAMES = [pytest.param(n, marks=() if n in EVERY_RUN else CI_ONLY) for n in ODD_NAMES]


def _check_odd_answer(text: str) -> None:
    assert "\x00" not in text and "\x1b" not in text and "\u202e" not in text and "/etc/passwd" not in text
    assert "leaktrace-upload-" not in text and "Traceback" not in text  # no server path, no trace


@pytest.mark.parametrize("name", NAMES, ids=[repr(n[:12]) for n in ODD_NAMES])
def test_an_odd_file_name_is_tidied_never_a_500(small, seeded, name):
    small_png = (DATA / "palette.png").read_bytes()
    r = small.post("/api/v1/traces", files={"file": (name, small_png, "image/png")})
    assert r.status_code < 500 and r.json().get("status", r.status_code) < 500, r.text
    body = r.text
    assert "\x00" not in body and "\x1b" not in body and "\u202e" not in body and "/etc/passwd" not in body
    if r.status_code == 201:
        leak = r.json()["leak"]["path"]
        assert leak == leak.strip() and all(ch.isprintable() for ch in leak) and "/" not in leak and len(leak.encode()) <= 255


def test_an_asset_may_be_a_pdf_judged_by_its_bytes(api):
    """A PDF is an asset upload whatever its name or declared type; a file that only claims to be one is a 415."""
    from tests.web.conftest import tiny_pdf

    for i, (name, ctype, saved_as) in enumerate((("plan.pdf", "application/pdf", "plan.pdf"), ("scan", "application/octet-stream", "scan.pdf"))):
        r = api["analyst"].post("/api/v1/assets", files={"file": (name, tiny_pdf(1, seed=40 + i), ctype)})
        assert r.status_code == 201, r.text
        [row] = r.json()
        assert (row["path"], row["kind"], row["pages"], row["format"]) == (saved_as, "document", 1, "PDF")
    for name, ctype in (("fake.pdf", "application/pdf"), ("fake.pdf", "application/octet-stream"), ("fake", "application/pdf")):
        r = api["analyst"].post("/api/v1/assets", files={"file": (name, b"hello, not a PDF", ctype)})
        assert r.status_code == 415 and "does not start like one" in r.json()["error"] and name in r.json()["error"]


def test_a_leaked_pdf_is_traced_and_a_fake_one_refused(api):
    from tests.web.conftest import tiny_pdf

    r = api["analyst"].post("/api/v1/traces", files={"file": ("page.pdf", tiny_pdf(1, seed=42), "application/pdf")})
    assert r.status_code < 300, r.text
    assert r.json()["leak"]["page"] == 1  # an unregistered PDF: traced page by page, nothing matches
    r = api["analyst"].post("/api/v1/traces", files={"file": ("fake.pdf", b"hello, not a PDF", "application/pdf")})
    assert r.status_code == 415 and set(r.json()) == {"error", "status"}


def test_a_pdf_over_the_limit_is_refused_with_413(small):
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(300, 200))
    pdf.pages[0].obj.Contents = pdf.make_stream(b"%" + bytes(range(256)) * 400 + b"\n0 0 m 10 10 l S")  # ~100 kB
    data = __import__("io").BytesIO()
    pdf.save(data, compress_streams=False)
    before = small.get("/api/v1/assets").json()["count"]
    r = small.post("/api/v1/assets", files={"file": ("big.pdf", data.getvalue(), "application/pdf")})
    assert r.status_code == 413 and "limit of 0.05 MB" in r.json()["error"]
    assert small.get("/api/v1/assets").json()["count"] == before


@pytest.mark.parametrize("kind", ["image", "document"])
@pytest.mark.parametrize("name", NAMES, ids=[repr(n[:12]) for n in ODD_NAMES])
def test_an_odd_asset_file_name_is_tidied_never_a_500_at_the_api(api, name, kind):
    from tests.web.conftest import tiny_pdf

    data = (DATA / "palette.png").read_bytes() if kind == "image" else tiny_pdf(1, seed=77)
    r = api["analyst"].post("/api/v1/assets", files={"file": (name, data, "application/octet-stream")})
    assert r.status_code in (201, 400, 422), r.text
    assert r.status_code == 201 or set(r.json()) == {"error", "status"}
    _check_odd_answer(r.text)
    if r.status_code == 201:
        for row in r.json():
            saved = row["path"]
            assert saved == saved.strip() and saved and all(ch.isprintable() for ch in saved) and "/" not in saved and "\\" not in saved
            assert saved not in (".", "..") and len(saved.encode()) <= 255
    else:  # only an empty name (no file was uploaded) or a part header past the multipart parser's limit is refused
        assert name.strip("\x00 ") == "" or (len(name) > 1000 and r.json()["error"] == "Invalid multipart data."), r.text


@pytest.mark.parametrize("kind", ["image", "document"])
@pytest.mark.parametrize("name", NAMES, ids=[repr(n[:12]) for n in ODD_NAMES])
def test_an_odd_asset_file_name_is_tidied_never_a_500_in_the_form(pages, name, kind):
    from tests.web.conftest import tiny_pdf

    client = pages["analyst"]
    data = (DATA / "palette.png").read_bytes() if kind == "image" else tiny_pdf(1, seed=77)
    r = client.post("/assets", data={"csrf_token": client.csrf}, files={"file": (name, data, "application/octet-stream")}, follow_redirects=False)
    assert r.status_code in (303, 400, 422), r.text[:2000]
    _check_odd_answer(r.text)
    if r.status_code == 303:
        shown = client.get("/assets")
        assert shown.status_code == 200
        _check_odd_answer(shown.text)
