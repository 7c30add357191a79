"""The third API in the harness: ``PROFILE`` (as ``conformance/apis/<api>/``)."""

from .profile import PROFILE

__all__ = ["PROFILE"]
