"""The pixel limit at the web upload: an image over max_pixels is refused with 400, the one error
shape and the CLI's one-line message (the file, its pixel count, the limit, how to raise it)."""

from __future__ import annotations

import html

from tests.test_pixel_limit import OVER_DEFAULT, OVER_PILLOW, _refusal


def test_web_upload_over_the_limit_is_refused_with_the_one_error_shape(api, pages):
    r = api["analyst"].post("/api/v1/assets", files={"file": ("a0-drawing.png", OVER_DEFAULT, "image/png")})
    assert r.status_code == 400
    body = r.json()
    assert set(body) == {"error", "status"} and body["status"] == 400
    assert body["error"].endswith(_refusal("a0-drawing.png", 120_000_000, 100_000_000)[len("a0-drawing.png") :])
    assert "\n" not in body["error"], body
    r = api["analyst"].post("/api/v1/traces", files={"file": ("found.png", OVER_PILLOW, "image/png")})
    assert r.status_code == 400 and "200000000 pixels" in r.json()["error"] and "LEAKTRACE_MAX_PIXELS" in r.json()["error"]
    client = pages["analyst"]
    r = client.post("/assets", data={"csrf_token": client.csrf}, files={"file": ("a0-drawing.png", OVER_DEFAULT, "image/png")})
    assert r.status_code == 400
    assert "image too large: 120000000 pixels" in html.unescape(r.text) and "LEAKTRACE_MAX_PIXELS=120000000" in html.unescape(r.text)
