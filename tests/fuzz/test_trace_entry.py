"""Fuzzing the trace entry of the Python API, :meth:`leaktrace.Workspace.trace`.

A tiny workspace (one 96 × 128 asset shared to three recipients) traces hostile leak files: random
bytes, mutated small images of every format (:mod:`tests.fuzz.test_decoder`'s mutations) and
mutations of a recipient's real copy (so that decoding succeeds and registration, the photometric
fit and the verdict see damaged pixels). Property: a :class:`~leaktrace.records.Finding`, or a
:class:`~leaktrace.errors.LeaktraceError` with a one-line message; never another exception. A trace
costs about half a second, so the suite runs a few examples (``make fuzz`` many more).
"""

from __future__ import annotations

import itertools

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leaktrace import Workspace
from leaktrace.errors import LeaktraceError
from leaktrace.records import Finding
from tests.conftest import photo, save
from tests.fuzz.conftest import budget
from tests.fuzz.test_decoder import mutated

RECIPIENTS = ("Apex", "Borealis", "Castellan")
_names = itertools.count()


@pytest.fixture(scope="module")
def traced(tmp_path_factory):
    """(workspace, the bytes of Borealis's copy, a folder for leak files)."""
    root = tmp_path_factory.mktemp("trace-fuzz")
    ws = Workspace.init(root / "ws")
    asset = ws.add_assets([save(root / "asset.png", photo(4, (96, 128)))])[0]
    for name in RECIPIENTS:
        ws.add_recipient(name)
    ws.share(asset["id"], list(RECIPIENTS), root / "out")
    copy = next((root / "out").glob("*borealis*")).read_bytes()
    leaks = root / "leaks"
    leaks.mkdir()
    yield ws, copy, leaks
    ws.close()


@st.composite
def damaged_copy(draw, copy: bytes) -> bytes:
    """Borealis's copy with its pixels damaged (re-encoded as PNG, so it still decodes) or its bytes."""
    if draw(st.booleans()):
        image = cv2.imdecode(np.frombuffer(copy, np.uint8), cv2.IMREAD_COLOR)
        h, w = image.shape[:2]
        ch, cw = round(h * draw(st.floats(0.3, 1.0))), round(w * draw(st.floats(0.3, 1.0)))  # crops keeping 9-100%
        y0, x0 = draw(st.integers(0, h - ch)), draw(st.integers(0, w - cw))
        image = image[y0 : y0 + ch, x0 : x0 + cw]
        kind = draw(st.sampled_from(("none", "constant", "noise", "flip", "tiny")))
        if kind == "constant":
            image = np.full_like(image, draw(st.sampled_from((0, 255))))
        elif kind == "noise":
            image = np.random.default_rng(draw(st.integers(0, 2**32 - 1))).integers(0, 256, image.shape, np.uint8)
        elif kind == "flip":
            image = image[::-1, ::-1]
        elif kind == "tiny":
            image = cv2.resize(image, (draw(st.integers(1, 8)), draw(st.integers(1, 8))), interpolation=cv2.INTER_AREA)
        ok, encoded = cv2.imencode(".png", np.ascontiguousarray(image))
        assert ok
        return encoded.tobytes()
    data = bytearray(copy)
    for _ in range(draw(st.integers(1, 8))):
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data)


def _trace(ws: Workspace, leaks, data: bytes, suffix: str) -> None:
    path = leaks / f"leak-{next(_names)}{suffix}"
    path.write_bytes(data)
    try:
        finding = ws.trace(path)
    except LeaktraceError as exc:
        message = str(exc)
        assert message and "\n" not in message and len(message) < 500, message
        return
    assert isinstance(finding, Finding)
    assert finding.id is not None
    assert {c.recipient for c in finding.candidates} <= set(RECIPIENTS)
    assert set(finding.accused) <= set(RECIPIENTS)


SUFFIXES = st.sampled_from((".png", ".jpg", "", ".txt"))


def test_the_undamaged_copy_accuses_its_recipient(traced):
    # the fuzzed workspace can accuse: a finding with nobody accused is not the only outcome
    ws, copy, leaks = traced
    path = leaks / "copy.png"
    path.write_bytes(copy)
    assert ws.trace(path).accused == ("Borealis",)


@settings(max_examples=budget(0.1))
@given(data=st.data())
def test_hostile_leaks_give_a_finding_or_one_line_error(traced, data):
    ws, copy, leaks = traced
    leak = data.draw(st.one_of(st.binary(max_size=2048), mutated(), damaged_copy(copy)), label="leak")
    _trace(ws, leaks, leak, data.draw(SUFFIXES, label="suffix"))


@settings(max_examples=budget(0.1))
@given(data=st.data())
def test_damaged_copies_give_a_finding_or_one_line_error(traced, data):
    ws, copy, leaks = traced
    _trace(ws, leaks, data.draw(damaged_copy(copy), label="leak"), ".png")
