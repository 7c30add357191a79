"""The Spryker Glue Return Management API: its checks, scenarios and oracle."""
