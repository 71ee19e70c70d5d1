"""The REST API against its own OpenAPI schema, fuzzed (schemathesis): whatever a client sends that the
schema allows, or nearly allows, the answer is never a server error, and a route that needs credentials
refuses a request without them (``ignored_auth``).

A workspace of its own (the fuzzer creates, changes and revokes things), with an admin and an analyst:
each operation is fuzzed as both, so both sides of the role matrix are reached. ``LEAKTRACE_FUZZ=long``
(``make fuzz``) runs many more examples per operation."""

from __future__ import annotations

import os

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import ignored_auth  # noqa: E402

from leaktrace.services.workspace import Workspace  # noqa: E402
from leaktrace.web.app import create_app  # noqa: E402
from tests.conftest import photo, save  # noqa: E402

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("CI") != "true" and not os.environ.get("LEAKTRACE_SLOW") and not os.environ.get("LEAKTRACE_FUZZ"),
        reason="a slow suite: runs in CI, in make fuzz, or with LEAKTRACE_SLOW=1",
    ),
]

EXAMPLES = 300 if os.environ.get("LEAKTRACE_FUZZ") == "long" else 12
TOKENS: dict[str, str] = {}
STATUSES: dict[int, int] = {}  # answers seen, by status (the summary shows that the fuzzer reached past validation)


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory):
    root = tmp_path_factory.mktemp("openapi")
    with Workspace.init(root / "ws") as ws:
        for role in ("admin", "analyst"):
            ws.add_user(role, role, f"{role}-password-1", actor="setup")
            TOKENS[role] = ws.create_token(role, name="fuzz", actor="setup")["token"]
        ws.add_recipient("Apex Plastics GmbH")
        ws.add_recipient("Borealis Moulding AB")
        asset = ws.add_assets([save(root / "part.png", photo(5, (160, 224)))])[0]
        rows = ws.share(asset["id"], ["Apex Plastics GmbH", "Borealis Moulding AB"], root / "out", actor="analyst")
        ws.trace(rows[0]["path"], actor="analyst")
        settings_ = ws.settings
    app = create_app(settings_)
    return schemathesis.openapi.from_asgi("/openapi.json", app, headers={"Authorization": f"Bearer {TOKENS['admin']}"})


def _fuzz(api_schema, role: str) -> int:
    """Every operation, ``EXAMPLES`` generated requests each, as ``role``; returns the operations fuzzed."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
        def run(case):
            response = case.call_and_validate(headers={"Authorization": f"Bearer {TOKENS[role]}"}, checks=[not_a_server_error, ignored_auth])
            STATUSES[response.status_code] = STATUSES.get(response.status_code, 0) + 1

        run()
    return len(operations)


def test_no_request_as_an_analyst_gets_a_server_error(api_schema):
    assert _fuzz(api_schema, "analyst") >= 29  # every operation of the API


def test_no_request_as_an_admin_gets_a_server_error(api_schema, capsys):
    assert _fuzz(api_schema, "admin") >= 29
    calls = sum(STATUSES.values())
    assert calls >= 29 * 2 and any(200 <= code < 300 for code in STATUSES)  # requests were made, and some succeeded
    with capsys.disabled():
        print(f"\nOpenAPI fuzz: {calls} requests as analyst and admin, answers by status {dict(sorted(STATUSES.items()))}")


def test_every_api_operation_declares_the_bearer_token(api_schema):
    raw = api_schema.raw_schema
    assert raw["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "An API token: `leaktrace token create USER`.",
    }
    operations = [(path, method, op) for path, item in raw["paths"].items() for method, op in item.items()]
    assert operations and all(op["security"] == [{"bearer": []}] for path, _, op in operations if path.startswith("/api/"))
