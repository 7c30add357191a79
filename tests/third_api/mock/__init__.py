"""The third API on the mock: contract, envelope and service (as ``mock_server/apis/<api>/``)."""

from mock_server.api import ApiDefinition

from .. import BASE_PATH, CONTRACT, NAME
from .envelope import ThirdEnvelope
from .service import ThirdService

DEFINITION = ApiDefinition(
    name=NAME,
    title="Parcel Returns API (test-only third API)",
    spec_file=str(CONTRACT),
    base_path=BASE_PATH,
    envelope=ThirdEnvelope(),
    make_service=ThirdService,
)
