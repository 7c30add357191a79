"""The only doors to private or undocumented names of the mock's dependencies.

One module per package; ``tests/test_compat_mock.py`` asserts every assumption made here, so
an upgrade that breaks one fails there, by name (``tests/test_compat_uvicorn.py`` for uvicorn's).
"""
