"""Conformance harness: verify an implementation of the Glue or Sendcloud returns API.

``conformance.runner.run(api, target, auth, options)`` is the Python API; ``conformance run``
the CLI; ``conformance.pytest_plugin`` the pytest entry. Importing this package is cheap (no
Schemathesis): the pytest plugin is loaded in every pytest run.
"""

from __future__ import annotations

__all__ = ["__version__"]
__version__ = "0.1.0"
