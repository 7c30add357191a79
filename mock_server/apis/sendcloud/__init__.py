"""Sendcloud Returns API v2: contract, envelope and service."""

from api_contracts import spec_path

from ...api import ApiDefinition
from .envelope import BASE_PATH, SendcloudEnvelope
from .plausible import shape_body
from .service import SendcloudService


def describe_accounts(accounts: dict) -> list[str]:
    """The start-up banner's lines: the Basic key pair and the OAuth2 bearer token."""
    basic = accounts["basic"][0]
    return [
        f"Sendcloud Basic auth: {basic['publicKey']} : {basic['secretKey']}",
        f"Sendcloud OAuth2 bearer: {accounts['oauth2'][0]['accessToken']}",
    ]


DEFINITION = ApiDefinition(
    name="sendcloud",
    title="Sendcloud Returns API v2",
    spec_file=str(spec_path("sendcloud-returns-v2.openapi.yaml")),
    base_path=BASE_PATH,
    envelope=SendcloudEnvelope(),
    shape_body=shape_body,
    make_service=SendcloudService,
    describe_accounts=describe_accounts,
)
