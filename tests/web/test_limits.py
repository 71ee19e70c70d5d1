"""Request bodies are limited before they are read (web/limits.py).

The app is driven as ASGI with a ``receive`` that counts what the server took, so "read none
of it" is a number: TestClient reads a request's whole body before the app sees it.
"""

from __future__ import annotations

import json

import anyio
import pytest

from leaktrace.web.app import create_app
from leaktrace.web.limits import UPLOADS_PER_CLIENT
from leaktrace.web.uploads import FORM_OVERHEAD
from tests.web.conftest import leak_from, login

MB = 2**20
BOUNDARY = "limits-test-boundary"
HEAD = (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.png"\r\nContent-Type: image/png\r\n\r\n').encode()
TAIL = f"\r\n--{BOUNDARY}--\r\n".encode()


class Body:
    """A multipart body (never shorter than its head and tail) of about ``size`` bytes in ``chunk``-byte messages, made as read; ``read`` counts what the server took."""

    def __init__(self, size: int, *, chunk: int = MB, release: anyio.Event | None = None) -> None:
        self.size, self.chunk, self.read, self.release, self.done = size, chunk, 0, release, False
        self.started = anyio.Event()

    async def receive(self) -> dict:
        if self.done:
            await anyio.sleep_forever()  # a well-behaved server never asks again
        if self.read and self.release is not None:
            self.started.set()
            await self.release.wait()  # an upload held open mid-body
        if self.read == 0:
            data, last = HEAD, False
        else:
            n = max(0, min(self.chunk, self.size - self.read))
            last = self.read + n >= self.size
            data = b"\0" * n + (TAIL if last else b"")
        self.read += len(data)
        self.done = last
        return {"type": "http.request", "body": data, "more_body": not last}


async def call(
    app, path: str, body: Body, *, headers: dict[str, str] | None = None, client: str = "127.0.0.1", method: str = "POST"
) -> tuple[int, dict, bytes]:
    """One request to ``app`` over ASGI: (status, headers, body of the answer)."""
    sent: list[dict] = []
    raw = [
        (k.lower().encode(), v.encode())
        for k, v in {"host": "testserver", "content-type": f"multipart/form-data; boundary={BOUNDARY}", **(headers or {})}.items()
    ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": raw,
        "client": (client, 50000),
        "server": ("testserver", 80),
        "state": {},
    }

    async def send(message: dict) -> None:
        sent.append(message)

    await app(scope, body.receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, b"".join(m.get("body", b"") for m in sent[1:])


def run(app, path: str, body: Body, **kw) -> tuple[int, dict, bytes]:
    return anyio.run(lambda: call(app, path, body, **kw))


@pytest.fixture(scope="module")
def small(seeded):
    """The app with a 0.05 MB upload limit (the body cap is that plus the form's room)."""
    return create_app(seeded.settings, max_upload_mb=0.05)


def _bearer(seeded, role: str = "analyst") -> dict[str, str]:
    return {"authorization": f"Bearer {seeded.tokens[role]}"}


# ---------------------------------------------------------------------------- credentials first


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_no_token_and_a_gigabyte_body_is_refused_without_reading_it(app, declared):
    body = Body(2**30)
    headers = {"content-length": str(2**30)} if declared else {}
    status, _, answer = run(app, "/api/v1/traces", body, headers=headers)
    assert status == 401 and body.read == 0
    assert json.loads(answer) == {"error": json.loads(answer)["error"], "status": 401} and "Bearer" in json.loads(answer)["error"]


@pytest.mark.parametrize(
    ("method", "path"), [("PATCH", "/api/v1/cases/1"), ("PATCH", "/api/v1/users/admin"), ("PUT", "/api/v1/assets"), ("POST", "/nowhere")]
)
def test_every_body_method_and_route_wants_credentials_first(app, method, path):
    body = Body(2**30)
    status, _, answer = run(app, path, body, method=method, headers={"content-type": "application/json"})
    assert body.read == 0
    if path.startswith("/api/"):
        assert (status, json.loads(answer)["status"]) == (401, 401)
    else:
        assert status == 303  # a page: to the login form


def test_a_wrong_token_is_refused_before_the_body(app):
    body = Body(2**30)
    status, headers, answer = run(app, "/api/v1/assets", body, headers={"authorization": "Bearer lt_not-a-token"})
    assert (status, body.read, json.loads(answer)["status"]) == (401, 0, 401)
    assert headers["www-authenticate"] == "Bearer"


def test_a_page_upload_without_a_session_goes_to_the_login_form_unread(app):
    body = Body(2**30)
    status, headers, _ = run(app, "/trace", body)
    assert (status, headers["location"], body.read) == (303, "/login", 0)


def test_the_login_form_needs_no_credentials_but_its_body_is_capped(small, seeded):
    body = Body(2**30, chunk=64 * 1024)
    status, _, answer = run(small, "/login", body)
    assert status == 413 and body.read <= small.state.web.max_upload_bytes + FORM_OVERHEAD + 64 * 1024
    assert b"larger than the limit of 0.05 MB" in answer
    login(small, "analyst")  # and logging in still works


# ---------------------------------------------------------------------------- size


def test_an_honest_content_length_over_the_limit_is_refused_unread(small, seeded):
    body = Body(10 * MB)
    status, _, answer = run(small, "/api/v1/traces", body, headers={**_bearer(seeded), "content-length": str(10 * MB)})
    assert (status, body.read) == (413, 0)
    doc = json.loads(answer)
    assert doc == {"error": "the upload is 10.0 MB; the limit is 0.05 MB.", "status": 413}


@pytest.mark.parametrize("declared", [None, 1000], ids=["chunked", "lying-content-length"])
@pytest.mark.parametrize("path", ["/api/v1/traces", "/api/v1/assets"])
def test_a_body_past_the_cap_stops_being_read_at_the_cap(small, seeded, declared, path):
    chunk = 64 * 1024
    body = Body(2**30, chunk=chunk)
    headers = _bearer(seeded) | ({"content-length": str(declared)} if declared else {})
    status, _, answer = run(small, path, body, headers=headers)
    cap = small.state.web.max_upload_bytes + FORM_OVERHEAD
    assert status == 413 and cap < body.read <= cap + chunk  # the chunk that crossed the cap, no more
    assert json.loads(answer) == {"error": "the upload is larger than the limit of 0.05 MB.", "status": 413}


def test_a_page_body_past_the_cap_is_a_413_page(small, seeded):
    client = login(small, "analyst")
    body = Body(2**30, chunk=64 * 1024)
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    status, _, answer = run(small, "/assets", body, headers={"cookie": cookie})
    assert status == 413 and body.read <= small.state.web.max_upload_bytes + FORM_OVERHEAD + 64 * 1024
    assert b"Upload too large" in answer


# ---------------------------------------------------------------------------- the forms still work


def test_the_page_forms_still_upload_under_the_limit(pages, seeded):
    client = pages["analyst"]
    r = client.post("/assets", data={"csrf_token": client.csrf}, files={"file": ("again.png", seeded.image.read_bytes(), "image/png")})
    assert r.status_code == 200 and f"was already registered as asset {seeded.asset_id}" in r.text
    copy = seeded.copy_files["Castellan Composites SpA"].read_bytes()
    r = client.post("/trace", data={"csrf_token": client.csrf}, files={"file": ("repost.jpg", leak_from(copy), "image/jpeg")}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/findings/")
    assert "Accused: <strong>Castellan Composites SpA</strong>" in client.get(r.headers["location"]).text


def test_small_posts_with_credentials_pass(api, pages):
    assert api["analyst"].post("/api/v1/cases", content=b"{not json", headers={"content-type": "application/json"}).status_code == 422
    client = pages["analyst"]
    assert client.post("/cases", data={"csrf_token": "stale", "finding_id": "1"}).status_code == 403  # CSRF is still the route's


# ---------------------------------------------------------------------------- uploads per client


def test_a_client_sends_at_most_two_uploads_at_a_time(app, seeded):
    assert UPLOADS_PER_CLIENT == 2
    release = anyio.Event()
    held = [Body(4 * MB, release=release) for _ in range(UPLOADS_PER_CLIENT)]
    results: dict[str, tuple] = {}

    async def scenario() -> None:
        async with anyio.create_task_group() as tg:
            for i, body in enumerate(held):
                tg.start_soon(_store, results, f"held{i}", call(app, "/api/v1/traces", body, headers=_bearer(seeded)))
            for body in held:
                await body.started.wait()  # both are mid-body
            third = Body(4 * MB)
            results["third"] = (*await call(app, "/api/v1/traces", third, headers=_bearer(seeded)), third.read)
            other = Body(100, release=None)
            results["other"] = await call(app, "/api/v1/traces", other, headers=_bearer(seeded), client="10.0.0.2")  # another address
            small = Body(100)
            results["json"] = await call(
                app, "/api/v1/cases", small, headers={**_bearer(seeded), "content-type": "application/json", "content-length": "100"}
            )
            release.set()
        after = Body(100)
        results["after"] = await call(app, "/api/v1/traces", after, headers=_bearer(seeded))

    anyio.run(scenario)
    status, headers, answer, read = results["third"]
    assert (status, headers["retry-after"], read) == (429, "2", 0)
    assert json.loads(answer) == {"error": "this client already sends 2 uploads; wait for one to finish.", "status": 429}
    assert results["other"][0] != 429 and results["json"][0] == 422 and results["after"][0] != 429
    assert all(results[f"held{i}"][0] not in (429, 500) for i in range(UPLOADS_PER_CLIENT))


async def _store(results: dict, key: str, call) -> None:
    results[key] = await call


# ---------------------------------------------------------------------------- over a real socket


def test_a_real_server_answers_401_before_a_gigabyte_arrives(app):
    """uvicorn on loopback: the 401 comes while the client is still pushing (its socket buffers), and the app read nothing."""
    import socket
    import threading
    import time

    import uvicorn

    read = 0

    async def counting(scope, receive, send):
        async def counted():
            nonlocal read
            message = await receive()
            read += len(message.get("body", b""))
            return message

        await app(scope, counted, send)

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(counting, log_level="warning", lifespan="off", ws="none"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if server.started:
                break
            time.sleep(0.025)
        client = socket.create_connection(sock.getsockname(), timeout=10)
        head = f"POST /api/v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {2**30}\r\n\r\n"
        client.sendall(head.encode() + HEAD)
        client.setblocking(False)
        sent, answer, chunk = 0, b"", b"\0" * MB
        while not answer and sent < 2**30:
            try:
                answer = client.recv(65536)
            except BlockingIOError:
                try:
                    sent += client.send(chunk)
                except BlockingIOError:
                    time.sleep(0.005)
        deadline = time.monotonic() + 10
        while b'"status":401' not in answer and time.monotonic() < deadline:  # the body may come in a packet of its own
            try:
                more = client.recv(65536)
            except BlockingIOError:
                time.sleep(0.005)
                continue
            if not more:
                break
            answer += more
        client.close()
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
    assert answer.startswith(b"HTTP/1.1 401 ") and b'"status":401' in answer
    assert read == 0 and sent < 64 * MB  # what the kernel buffers took, not the gigabyte
