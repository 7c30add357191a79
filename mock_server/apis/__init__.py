"""The mocked APIs. Register a new one by adding its definition here."""

from ..api import ApiDefinition
from .glue import DEFINITION as GLUE
from .sendcloud import DEFINITION as SENDCLOUD

ALL_APIS: tuple[ApiDefinition, ...] = (GLUE, SENDCLOUD)
