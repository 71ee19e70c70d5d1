"""errors: one tree; every class carries an exit code and an HTTP status, every message is one line."""

from __future__ import annotations

import inspect
import pickle

import pytest

from leaktrace import errors
from leaktrace.errors import BadInput, ImageRejected, LeaktraceError

CLASSES = [c for _, c in inspect.getmembers(errors, inspect.isclass) if issubclass(c, LeaktraceError) and c.__module__ == errors.__name__]

#                     class                exit  http
EXPECTED = {
    "LeaktraceError": (1, 500),
    "BadInput": (2, 400),
    "ImageRejected": (2, 400),
    "DocumentRejected": (2, 400),
    "FileRejected": (2, 400),
    "NotFound": (2, 404),
    "WorkspaceMissing": (2, 500),
    "WorkspaceExists": (2, 409),
    "Conflict": (2, 409),
    "KeyProblem": (2, 500),
    "SettingRejected": (2, 500),
    "Busy": (3, 503),
    "Unauthorized": (2, 401),
    "Forbidden": (2, 403),
}


def _make(cls, message):
    return cls("/tmp/leak.png", message) if issubclass(cls, errors.FileRejected) else cls(message)


def test_the_tree_is_what_the_interfaces_translate():
    found = {c.__name__: (c.exit_code, c.http_status) for c in CLASSES}
    assert EXPECTED.items() <= found.items()
    for cls in CLASSES:
        assert cls.__doc__ and cls.__doc__.strip(), f"{cls.__name__} lacks a docstring"


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_every_class_has_an_exit_code_and_an_http_status(cls):
    assert isinstance(cls.exit_code, int) and cls.exit_code in {1, 2, 3}
    assert isinstance(cls.http_status, int) and 400 <= cls.http_status <= 599
    # a user's mistake (BadInput) exits 2; a server-side status only for the workspace's own state
    if issubclass(cls, BadInput):
        assert cls.exit_code == 2


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_every_message_is_one_line(cls):
    exc = _make(cls, "  the file\n  plan.png\tis\r\nbroken.  ")
    assert "\n" not in str(exc) and "\t" not in str(exc) and "  " not in str(exc)
    assert str(exc).endswith("the file plan.png is broken.") and exc.message == str(exc)
    assert isinstance(exc, Exception) and isinstance(exc, LeaktraceError)


def test_image_rejected_names_the_file_and_keeps_the_reason():
    exc = ImageRejected("/data/leak.png", "truncated PNG\n(missing IEND)")
    assert str(exc) == "/data/leak.png: truncated PNG (missing IEND)"
    assert (exc.path, exc.reason) == ("/data/leak.png", "truncated PNG\n(missing IEND)")
    assert isinstance(exc, BadInput) and exc.exit_code == 2 and exc.http_status == 400


def test_subclasses_are_caught_by_what_they_refine():
    with pytest.raises(BadInput):
        raise errors.NotFound("no asset numbered 9.")
    with pytest.raises(errors.Unauthorized):
        raise errors.Unauthorized("wrong name or password.")
    assert not issubclass(errors.Busy, BadInput)  # busy is not the user's fault: its own exit code


@pytest.mark.parametrize("cls", [c for c in CLASSES if c is not ImageRejected], ids=lambda c: c.__name__)
def test_errors_pickle_across_processes(cls):
    """Work functions run in other processes: their errors come back whole."""
    back = pickle.loads(pickle.dumps(_make(cls, "no share numbered 4.")))
    assert type(back) is cls and str(back) == str(_make(cls, "no share numbered 4."))


def test_image_rejected_pickles_across_processes():
    back = pickle.loads(pickle.dumps(ImageRejected("/data/leak.png", "truncated PNG")))
    assert (back.path, back.reason, str(back)) == ("/data/leak.png", "truncated PNG", "/data/leak.png: truncated PNG")
