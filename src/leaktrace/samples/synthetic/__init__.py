"""Synthetic pictures drawn from code: the one place the tests, the bench and ``tools/make_samples.py`` get them.

Pure numpy/OpenCV generators, deterministic for their arguments (``seed`` seeds a
:func:`numpy.random.default_rng` of their own; nothing global is drawn from). Each
returns a fresh (H, W, 3) uint8 RGB ndarray; drawings are grey (equal channels).
Every picture is kept pixel-for-pixel as its callers had it, because tests pin figures
on them: where two callers drew near-identical pictures, the difference is a parameter.

Photos
    :func:`photo` (the tests' everyday photo; the search distractors with labels),
    :func:`render_photo` (the bundled concept-car scene).
Drawings
    :func:`bumper_sketch` (the tests' everyday drawing), :func:`bumper_arcs` (engine tests),
    :func:`cad_bumper` (registration tests), :func:`bumper_views` (asset-search tests),
    :func:`line_sketch` (feature tests), :func:`random_drawing` (search-scale distractors),
    :func:`part_drawing` (the bench's car parts at any size), :func:`drawing_bumper` (bundled).
Renders
    :func:`spheres` (engine tests), :func:`soft_ellipses` (registration tests),
    :func:`soft_blobs` (asset-search tests and bench), :func:`soft_bump` (evaluation tests),
    :func:`studio_render` and :func:`gradient` (the bench), :func:`render_smooth` (bundled).
Documents
    :func:`tender_package` (the bundled tender package PDF: text, vector drawings, two renders).

The bundled samples (:mod:`leaktrace.samples`) are ``render_photo()``, ``drawing_bumper()``
and ``render_smooth()`` written as PNG by ``tools/make_samples.py``; the bundled document is
``tender_package()``, written as PDF by the same tool.
"""

from ._drawings import bumper_arcs, bumper_sketch, bumper_views, cad_bumper, line_sketch, random_drawing
from ._photos import SAMPLE_SEED, photo, render_photo
from ._renders import SEARCH_BLOBS, gradient, render_smooth, soft_blobs, soft_bump, soft_ellipses, spheres, studio_render
from ._sheets import drawing_bumper, part_drawing
from ._tender import tender_package

__all__ = [
    "SAMPLE_SEED",
    "photo",
    "render_photo",
    "bumper_sketch",
    "bumper_arcs",
    "cad_bumper",
    "bumper_views",
    "line_sketch",
    "random_drawing",
    "part_drawing",
    "drawing_bumper",
    "SEARCH_BLOBS",
    "spheres",
    "soft_ellipses",
    "soft_blobs",
    "soft_bump",
    "studio_render",
    "gradient",
    "render_smooth",
    "tender_package",
]
