"""Our checks: response checks (registered with Schemathesis) and scenarios, per API."""
