"""Sendcloud Returns API v2: contract, envelope and service."""

from api_contracts import spec_path

from ...api import ApiDefinition
from .envelope import BASE_PATH, SendcloudEnvelope
from .service import SendcloudService

DEFINITION = ApiDefinition(
    name="sendcloud",
    title="Sendcloud Returns API v2",
    spec_file=str(spec_path("sendcloud-returns-v2.openapi.yaml")),
    base_path=BASE_PATH,
    envelope=SendcloudEnvelope(),
    make_service=SendcloudService,
)
