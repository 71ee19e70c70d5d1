"""/api/v1/copies/{sha256}: the recorded copy's bytes, as an attachment; nothing else by hash."""

from __future__ import annotations

import hashlib

import cv2
import numpy as np


def test_a_recorded_copy_downloads_whole(api, seeded):
    sha = seeded.copies["Apex Plastics GmbH"]
    for role in ("admin", "analyst", "auditor"):
        r = api[role].get(f"/api/v1/copies/{sha}")
        assert r.status_code == 200 and r.headers["content-type"] == "image/png"
        assert hashlib.sha256(r.content).hexdigest() == sha
    disposition = r.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="') and disposition.endswith('.png"')
    assert disposition == 'attachment; filename="bumper--apex-plastics-gmbh.png"'  # asset file name + recipient
    image = cv2.imdecode(np.frombuffer(r.content, np.uint8), cv2.IMREAD_COLOR)
    original = cv2.imread(str(seeded.image))
    assert image.shape == original.shape and 0 < np.abs(image.astype(int) - original).max() <= 16


def test_upper_case_hashes_name_the_same_copy(api, seeded):
    sha = seeded.copies["Borealis Moulding AB"]
    r = api["auditor"].get(f"/api/v1/copies/{sha.upper()}")
    assert r.status_code == 200 and hashlib.sha256(r.content).hexdigest() == sha


def test_each_recipients_copy_differs(api, seeded):
    bodies = {name: api["auditor"].get(f"/api/v1/copies/{sha}").content for name, sha in seeded.copies.items()}
    assert len(set(bodies.values())) == len(seeded.copies) == 3


def test_unknown_or_malformed_hashes(api, seeded):
    r = api["auditor"].get(f"/api/v1/copies/{'0' * 64}")
    assert r.status_code == 404 and r.json() == {"error": f"no copy with SHA-256 {'0' * 64}.", "status": 404}
    leak_sha = hashlib.sha256(seeded.leak).hexdigest()  # stored as a blob, but not a copy: never served here
    assert api["auditor"].get(f"/api/v1/copies/{leak_sha}").status_code == 404
    for bad in ("abc", "g" * 64, "0" * 63, "0" * 65):
        r = api["auditor"].get(f"/api/v1/copies/{bad}")
        assert r.status_code == 422 and set(r.json()) == {"error", "status"}
    assert api[None].get(f"/api/v1/copies/{seeded.copies['Apex Plastics GmbH']}").status_code == 401
