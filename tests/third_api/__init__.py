"""A third API that exists only in the tests: the proof that adding an API is one folder a side.

Everything the third API needs is in this folder; nothing shared in ``mock_server/`` or
``conformance/`` knows it exists:

=============================  ==============================================================
``contract.openapi.yaml``      its OpenAPI 3.1 contract (list, read, create; bearer token)
``mock/``                      the mock side: ``DEFINITION`` (an ``ApiDefinition``) with its
                               ``envelope``, ``service`` (handlers) and ``world`` (seeded data)
``harness/``                   the harness side: ``PROFILE`` (an ``ApiProfile``) with its
                               ``checks``, ``edges``, ``oracle`` and ``replay`` resolver
=============================  ==============================================================

The mock serves it with ``create_app(settings, apis=[*ALL_APIS, DEFINITION])``; the harness
knows it after ``conformance.apis.register(PROFILE)`` (or within ``registered(PROFILE)``), and
the ``conformance`` command from an installed distribution's ``conformance.apis`` entry point
(``third = "third_api.harness:PROFILE"``).
"""

from pathlib import Path

CONTRACT = Path(__file__).with_name("contract.openapi.yaml")
NAME = "third"
BASE_PATH = "/third/v1"
