"""Benchmark of the mock against Prism and a bare-Starlette ceiling: ``python -m bench``.

Not part of the test run: it installs ``wrk`` and Prism itself, starts every server on its own
loopback port, loads each in turn and prints (and saves) a table. See ``bench/README.md``.
"""


class BenchError(Exception):
    """A failure the CLI reports as one line (no traceback) before exiting non-zero."""
