"""Media types of the Glue API."""

JSONAPI = "application/vnd.api+json"
