"""Contract-first mock of the Spryker Glue Return Management and Sendcloud Returns v2 APIs.

Where things are: the app factory in :mod:`mock_server.app`; which response is chosen in
:mod:`mock_server.negotiation`; auth in :mod:`mock_server.gate`; data in
``mock_server/apis/*/world.py``; state in :mod:`mock_server.store`; errors in
:mod:`mock_server.errors` and each API's ``envelope.py``; handlers are called by
:mod:`mock_server.dispatch` with a :class:`~mock_server.request_context.RequestContext`.
"""
