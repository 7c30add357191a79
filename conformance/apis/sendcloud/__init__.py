"""The Sendcloud Returns API v2: its checks, scenarios and oracle."""
