"""The REST API's lists take the web pages' search and paging as optional parameters (``q``, ``limit``,
``offset``) and keep their shape, ``{"data": [...], "count": N}``; without them they answer as before."""

from __future__ import annotations

import warnings

import pytest

from leaktrace.services.workspace import Workspace
from leaktrace.web.app import create_app
from tests.web.pages.test_lists import N_FINDINGS, N_RECIPIENTS, listed  # noqa: F401 (the many-row workspace)

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx.*starlette.testclient")
    from fastapi.testclient import TestClient


@pytest.fixture(scope="module")
def api(listed):  # noqa: F811
    with Workspace(listed.home) as ws:
        token = ws.create_token("auditor", name="lists", actor="setup")["token"]
    app = create_app(Workspace(listed.home).settings)
    return TestClient(app, headers={"Authorization": f"Bearer {token}"}, raise_server_exceptions=False)


def _get(api, url: str) -> dict:
    r = api.get(url)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"data", "count"} and body["count"] == len(body["data"])  # the shape is the contract
    return body


def test_without_the_parameters_nothing_changes(api):
    assert [r["name"] for r in _get(api, "/api/v1/recipients")["data"]] == [f"Supplier {i:03d}" for i in range(1, N_RECIPIENTS + 1)]
    assert _get(api, "/api/v1/findings?limit=3")["count"] == 3


def test_search_limit_offset(api):
    first = _get(api, "/api/v1/recipients?q=supplier&limit=10&offset=20")["data"]
    assert [r["name"] for r in first] == [f"Supplier {i:03d}" for i in range(21, 31)]
    assert [r["name"] for r in _get(api, "/api/v1/recipients?q=Tier1")["data"]] == [f"Supplier {i:03d}" for i in range(10, N_RECIPIENTS + 1, 10)]
    assert _get(api, "/api/v1/recipients?limit=5")["count"] == 5
    assert _get(api, f"/api/v1/recipients?offset={N_RECIPIENTS}")["data"] == []  # past the end: nothing (a page would show the last)
    ids = [f["id"] for f in _get(api, "/api/v1/findings?offset=0&limit=100")["data"]]
    assert len(ids) == N_FINDINGS and ids == sorted(ids, reverse=True)  # newest first, as without
    assert [f["id"] for f in _get(api, "/api/v1/findings?offset=4&limit=4")["data"]] == ids[4:8]
    assert all("Supplier 001" in f["accused"] for f in _get(api, "/api/v1/findings?q=Supplier+001")["data"])
    assert _get(api, "/api/v1/assets?q=door")["data"][0]["title"] == "Door panel"
    assert _get(api, "/api/v1/cases?q=NDA&status=notified")["count"] == 1
    robot = _get(api, "/api/v1/audit?q=robot&limit=7&offset=7")["data"]
    assert len(robot) == 7 and {e["actor"] for e in robot} == {"robot"}


@pytest.mark.parametrize("query", ["offset=-1", "offset=abc", "limit=0", "q=" + "x" * 201, "offset=99999999999"])
def test_bad_parameters_are_422(api, query):
    r = api.get(f"/api/v1/recipients?{query}")
    assert r.status_code == 422 and r.json()["status"] == 422
