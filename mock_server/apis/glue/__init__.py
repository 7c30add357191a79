"""Spryker Glue Return Management API: contract, envelope and service."""

from ...api import SPEC_DIR, ApiDefinition
from .envelope import GlueEnvelope
from .plausible import shape_body
from .service import BASE_PATH, GlueService

DEFINITION = ApiDefinition(
    name="glue",
    title="Spryker Glue Return Management API",
    spec_file=SPEC_DIR / "glue-returns.openapi.yaml",
    base_path=BASE_PATH,
    envelope=GlueEnvelope(),
    shape_body=shape_body,
    make_service=GlueService,
)
