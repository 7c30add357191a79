"""Everything the tests share, in one package (``conftest.py`` holds only fixtures).

=====================  ========================================================================
``constants``          paths (``ROOT``, ``TEST_DATA``, ``FIXTURES``), media types, seeded accounts
``live``               mock-server processes on free ports: ``start_mock``, ``stop_mock``,
                       ``LiveMock``, ``free_port``, ``mock_in_background``
``glue``               Glue over HTTP: logins, sessions, return documents, order discovery
``envelopes``          exact error-envelope assertions of each API
``contracts``          the contracts through ``api_contracts``: ``SPECS``, ``load_spec``,
                       schema look-ups and 2020-12 validators
``broken_impls``       the mock with exactly one defect each, for the harness self-tests
=====================  ========================================================================

The common names are re-exported here: ``from support import SONIA, start_mock``.
"""

from .constants import (
    FIXTURES,
    GLUE_HEADERS,
    JSONAPI,
    ROOT,
    SONIA,
    SOURCES,
    SPENCOR,
    TEST_DATA,
)
from .envelopes import assert_glue_error, assert_no_leak, assert_sendcloud_error
from .glue import (
    access_token_body,
    glue_login,
    glue_session,
    login,
    orders_with_items,
    return_body,
    returnable_items,
    two_merchant_order,
)
from .live import (
    LiveMock,
    free_port,
    mock_in_background,
    sendcloud_basic,
    start_mock,
    stop_mock,
)

__all__ = [
    "FIXTURES",
    "GLUE_HEADERS",
    "JSONAPI",
    "ROOT",
    "SONIA",
    "SOURCES",
    "SPENCOR",
    "TEST_DATA",
    "LiveMock",
    "access_token_body",
    "assert_glue_error",
    "assert_no_leak",
    "assert_sendcloud_error",
    "free_port",
    "glue_login",
    "glue_session",
    "login",
    "mock_in_background",
    "orders_with_items",
    "return_body",
    "returnable_items",
    "sendcloud_basic",
    "start_mock",
    "stop_mock",
    "two_merchant_order",
]
