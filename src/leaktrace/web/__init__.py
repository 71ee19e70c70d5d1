"""leaktrace.web: the browser pages and the REST API, a thin layer over :mod:`leaktrace.services`.

Public surface: :func:`create_app` (``from leaktrace.web.app import create_app``).
"""
