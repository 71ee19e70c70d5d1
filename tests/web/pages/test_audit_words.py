"""The audit log's words: every action the log records has its phrase, and no details (old, odd, empty) break a summary."""

from __future__ import annotations

import pytest

from leaktrace.services.audit import ACTIONS
from leaktrace.web.pages._audit_words import ACTION_WORDS, link, phrase, summary


def test_every_action_has_words():
    assert set(ACTIONS) <= set(ACTION_WORDS), sorted(set(ACTIONS) - set(ACTION_WORDS))


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("details", [{}, {"copies": "not a list", "accused": 3, "bytes": "x", "changes": [None, 1]}, "not JSON {", {"via_token": 2}])
def test_odd_details_never_break_a_summary(action, details):
    assert isinstance(summary(action, details, {}), str)


def test_summaries_in_words():
    names = {1: "Apex", 2: "Borealis"}
    share = {"asset_id": 4, "note": "round 1", "copies": [{"recipient_id": 1, "sha256": "a" * 64}, {"recipient_id": 2}, {"recipient_id": 9}]}
    assert summary("share", share, names) == "asset #4 · to Apex, Borealis, #9 · “round 1”"
    assert summary("copy.discard", {"copies": [{}], "reason": "delivered"}, names) == "1 copy removed from the store · delivered"
    change = {
        "changes": [{"kind": "change", "field": "status", "old": "open", "new": "notified"}, {"kind": "note", "field": "note", "new": "called them"}]
    }
    assert summary("case.update", change, names) == "status open → notified; note “called them”"
    assert summary("trace", {"accused": [], "asset_id": None}, names) == "accused nobody · no asset matched"
    assert summary("report", {"format": "pdf", "bytes": 123456, "sha256": "f" * 64}, names) == "PDF · 123,456 bytes"
    assert summary("login", {"via": "password", "via_token": 3, "token_minted_by": "root"}, names) == "with a password · with a token minted by root"
    assert summary("something.new", {"k": "v", "sha256": "0" * 64}, names) == "k v"  # an unknown action: its values, hashes left out
    assert phrase("share") == "shared an asset" and phrase("some_new.thing") == "some new thing"


def test_links():
    assert link("finding", "3") == "/findings/3" and link("share", "7") == "/share?q=%237" and link("recipient", "2") == "/recipients?q=%232"
    assert link("user", "1") is None and link("user", "1", users=True) == "/users"
    assert link("key", "ab12") is None and link(None, None) is None
