"""Sendcloud Returns API v2: contract, envelope and service."""

from ...api import SPEC_DIR, ApiDefinition
from .envelope import BASE_PATH, SendcloudEnvelope
from .plausible import shape_body
from .service import SendcloudService

DEFINITION = ApiDefinition(
    name="sendcloud",
    title="Sendcloud Returns API v2",
    spec_file=SPEC_DIR / "sendcloud-returns-v2.openapi.yaml",
    base_path=BASE_PATH,
    envelope=SendcloudEnvelope(),
    shape_body=shape_body,
    make_service=SendcloudService,
)
