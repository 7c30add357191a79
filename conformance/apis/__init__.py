"""Per-API packages of the harness: one package per API, like ``mock_server/apis/``."""
