"""Spryker Glue Return Management API: contract, envelope and service."""

from api_contracts import spec_path

from ...api import ApiDefinition
from .envelope import GlueEnvelope
from .plausible import shape_body
from .service import BASE_PATH, GlueService


def describe_accounts(accounts: dict) -> list[str]:
    """The start-up banner's lines: each seeded customer's login."""
    return [
        f"Glue customer {c['customerReference']}: {c['username']} / {c['password']}"
        for c in accounts["customers"]
    ]


DEFINITION = ApiDefinition(
    name="glue",
    title="Spryker Glue Return Management API",
    spec_file=str(spec_path("glue-returns.openapi.yaml")),
    base_path=BASE_PATH,
    envelope=GlueEnvelope(),
    shape_body=shape_body,
    make_service=GlueService,
    describe_accounts=describe_accounts,
)
