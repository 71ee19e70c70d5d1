"""leaktrace's command line (Typer): one module per command group, over the services.

The CLI runs numpy's BLAS single-threaded unless ``OPENBLAS_NUM_THREADS`` is set: a trace
makes many small matrix products between OpenCV's own threaded calls, and on a small
machine OpenBLAS's spinning thread pool made them 3× slower than one thread (measured on
2 cores: a 2 MP trace 1.0–1.7 s with two BLAS threads, 0.7–1.3 s with one). Set before
numpy is first imported, which is why it lives here.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
