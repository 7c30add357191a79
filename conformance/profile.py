"""The seam between the harness and one API: everything API-specific, behind one interface.

The runner, the corpus engine, replay, the exports, the reports, the CLI and the pytest plugin
know an API only through its :class:`ApiProfile` (found in :mod:`conformance.apis`); each API's
package under ``conformance/apis/<api>/`` implements it, as ``mock_server/apis/<api>/`` does
for the mock. This module imports nothing heavy, so profiles can be listed cheaply (CLI choices,
the placeholder pattern) and import their checks, edges and oracle only when asked.
"""

from __future__ import annotations

import shlex
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

if TYPE_CHECKING:
    import httpx

    from api_contracts import Contract, Operation

    from .client import ApiClient
    from .corpus.edges import Edge, EdgeBuilder
    from .corpus.model import Case, Request
    from .corpus.oracle import Analysis


class UsageError(Exception):
    """Bad options, an unusable contract, an unreachable target or refused credentials."""


class Unresolvable(Exception):
    """A placeholder has no value on this target (the case is skipped)."""


@dataclass
class Credentials:
    """How the harness authenticates; each profile says which fields it reads.

    Glue: ``username``/``password`` (logged in through ``POST /access-tokens``) or ``token``;
    ``other_username``/``other_password`` is a second customer for the isolation checks.
    Sendcloud: ``basic = (public key, secret key)``. Options of other APIs go to ``extra``.
    """

    username: str | None = None
    password: str | None = None
    token: str | None = None
    other_username: str | None = None
    other_password: str | None = None
    basic: tuple[str, str] | None = None
    store: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CredentialOption:
    """A credential option of the CLI (``--NAME``) and the pytest plugin (``--conformance-NAME``).

    Its value may come from ``CONFORMANCE_<NAME>`` instead, so secrets stay off command lines.
    """

    name: str  # "other-username" → --other-username, CONFORMANCE_OTHER_USERNAME
    help: str
    secret: bool = False
    metavar: str | None = None
    replay: bool = True  # also an option of `conformance replay`

    @property
    def dest(self) -> str:
        return self.name.replace("-", "_")

    @property
    def env(self) -> str:
        return "CONFORMANCE_" + self.dest.upper()


@dataclass(frozen=True)
class Placeholder:
    """A value resolved at replay time; ``fresh`` ones are looked up again for every case."""

    name: str
    description: str
    fresh: bool = False
    shell: str = ""  # the variable of the curl script
    secret: bool = False  # masked wherever the harness writes its value


@dataclass
class Authentication:
    """What a profile's login gives a run.

    ``header`` is the ``Authorization`` of the main identity, ``other`` a client acting as a
    second identity (isolation checks), ``install`` puts the API's auth on a Schemathesis schema.
    """

    header: str | None
    other: ApiClient | None = None
    install: Callable[[Any], None] | None = None


Verify = Callable[[str, str], None]  # (Authorization header, what) → UsageError if refused
EdgeFamily = Callable[["Operation", "Request"], "Iterator[Edge]"]


class PlaceholderResolver(ABC):
    """Reads the values of an API's placeholders from a target, through the API itself."""

    @abstractmethod
    def lookup(self, name: str) -> dict[str, str]:
        """Values for ``name`` (and any it comes with); :class:`Unresolvable` if none."""

    def related(self, names: list[str]) -> list[str]:
        """Placeholders to resolve together first, before ``names`` one by one."""
        return []


class ApiEdges(Protocol):
    """An API's edge-case families; the shared :class:`~conformance.corpus.edges.EdgeBuilder`
    adds the valid request, the query and path families and the undocumented method."""

    def families(self) -> list[EdgeFamily]:
        """The families, in order (the shared ``builder.query``/``builder.path`` among them)."""
        ...

    def harmless_body(self, op: Operation) -> Any:
        """A schema-valid body the implementation refuses without changing state (or None)."""
        ...

    def path_values(self, op: Operation, name: str, real: str) -> list[tuple[str, str]] | None:
        """Edge values of a path parameter (``None``: the shared reference catalogue)."""
        ...

    def query_edges(self, op: Operation, base: Request, declared: dict[str, Any]) -> Iterator[Edge]:
        """Edges of the API's own query parameters (``declared``: name → schema)."""
        ...


class ApiProfile(ABC):
    """One API as the harness sees it. Subclasses set the class attributes and the methods."""

    name: ClassVar[str]  # the --api value and the prefix of its placeholders (glue)
    title: ClassVar[str]  # "Spryker Glue Return Management API"
    spec_file: ClassVar[str]  # the bundled contract in api_contracts' specs
    media_type: ClassVar[str]  # of request bodies the harness sends
    accept: ClassVar[str]  # Accept of the harness's own requests
    request_accept: ClassVar[str | None] = None  # Accept of a valid corpus request (None: none)
    mock_url: ClassVar[str]  # default base URL of curl and HAR exports (the local mock)
    credential_options: ClassVar[tuple[CredentialOption, ...]] = ()
    placeholders: ClassVar[tuple[Placeholder, ...]] = ()
    # (operationId, path parameter) → placeholder standing for an existing resource
    path_placeholders: ClassVar[Mapping[tuple[str, str], str]] = {}
    # status → why no single request can make a correct implementation answer it
    not_provokable: ClassVar[Mapping[int, str]] = {}
    # header parameters every operation has although the contract does not declare them
    implicit_headers: ClassVar[tuple[str, ...]] = ()
    # the curl script: bash that sets every placeholder's variable, and per fresh placeholder
    # the bash that looks it up again right before a case
    curl_setup: ClassVar[str] = ""
    curl_fresh: ClassVar[Mapping[str, str]] = {}

    # ------------------------------------------------------------------ contract and checks

    def load_contract(self, path: Path | str | None = None) -> Contract:
        """The contract from ``path`` (default: the bundled :attr:`spec_file`)."""
        from api_contracts import Contract, spec_path

        return Contract.load(path if path is not None else spec_path(self.spec_file), self.name)

    @abstractmethod
    def load_checks(self) -> None:
        """Import (and so register) the API's response checks and scenarios."""

    # ------------------------------------------------------------------ credentials

    def credentials(self, values: Mapping[str, str | None]) -> Credentials:
        """Credentials from option values (``dest`` → value); :class:`UsageError` if malformed."""
        known = {f for f in Credentials.__dataclass_fields__ if f not in ("basic", "extra")}
        credentials = Credentials()
        for option in self.credential_options:
            value = values.get(option.dest)
            if value is None:
                continue
            if option.dest in known:
                setattr(credentials, option.dest, value)
            else:
                credentials.extra[option.dest] = value
        return credentials

    @abstractmethod
    def check_credentials(self, credentials: Credentials) -> None:
        """Usage errors about the credentials of a run, before any request."""

    @abstractmethod
    def replay_credentials_problem(self, credentials: Credentials, needed: list[str]) -> str | None:
        """Why ``credentials`` cannot resolve the placeholders ``needed`` (``None``: they can)."""

    @abstractmethod
    def secrets(self, credentials: Credentials) -> list[str]:
        """Every secret string the credentials hold or derive (masked wherever we write)."""

    def reproduce_options(self, credentials: Credentials) -> list[str]:
        """Command-line words reproducing the credentials, secrets as ``"$CONFORMANCE_…"``."""
        words = []
        for option in self.credential_options:
            if not self._has(credentials, option.dest):
                continue
            if option.secret:
                value = f'"${option.env}"'
            else:
                value = shlex.quote(self._value(credentials, option.dest))
            words += [f"--{option.name}", value]
        return words

    @staticmethod
    def _has(credentials: Credentials, dest: str) -> bool:
        return bool(getattr(credentials, dest, None) or credentials.extra.get(dest))

    @staticmethod
    def _value(credentials: Credentials, dest: str) -> str:
        value = getattr(credentials, dest, None)
        if isinstance(value, tuple):
            return ":".join(value)
        return str(value if value is not None else credentials.extra.get(dest, ""))

    # ------------------------------------------------------------------ a run

    @abstractmethod
    def authenticate(
        self, client: ApiClient, credentials: Credentials, contract: Contract, verify: Verify
    ) -> Authentication:
        """Log in (or check the given credentials with ``verify``) for a run."""

    def schemathesis_settings(self, credentials: Credentials) -> dict[str, Any]:
        """Schemathesis configuration of the API (headers, auth) merged into a run's."""
        return {}

    def tolerated_refusal(
        self, operation: Operation, query: Mapping[str, Any], status: int, body: bytes
    ) -> str | None:
        """The contract sentence that makes this refusal of a schema-valid request correct
        (a behaviour the real service shows), or ``None``: ``positive_data_acceptance`` keeps
        its failure."""
        return None

    def scenario_credentials(self, credentials: Credentials) -> dict[str, Any]:
        """What the scenarios may read of the credentials (a secret only where a check must log
        in itself)."""
        return {}

    # ------------------------------------------------------------------ the corpus

    def example_placeholders(self, op: Operation) -> dict[str, str]:
        """Documented example values of ``op``'s body that stand for real data (a customer's
        credentials): example value → ``{{placeholder}}``, replaced in generated bodies."""
        return {}

    def base_headers(self, op: Operation) -> dict[str, str]:
        """Headers of a valid request to ``op`` (placeholders for credentials)."""
        return {}

    def generated_authorization(
        self, value: str | None, op: Operation, positive: bool
    ) -> str | None:
        """The ``Authorization`` of a generated request: real credentials become placeholders."""
        return value

    @abstractmethod
    def edges(self, builder: EdgeBuilder) -> ApiEdges:
        """The API's edge-case families over the shared ``builder``."""

    @abstractmethod
    def analyse(self, contract: Contract, op: Operation, request: Request) -> Analysis:
        """The oracle: the answer a correct implementation gives to ``request``."""

    def consumes(self, case: Case) -> bool:
        """Whether a case uses up data on success (such cases are generated last)."""
        return False

    @abstractmethod
    def resolver(
        self,
        http: httpx.Client,
        base_url: str,
        credentials: Credentials,
        value: Callable[[str], str],
    ) -> PlaceholderResolver:
        """Resolves the API's placeholders on one target during a replay (``value`` resolves
        any placeholder, cached, for lookups that need another one first)."""

    def session_expired(self, case: Case, status: int, credentials: Credentials) -> list[str]:
        """Placeholders to look up again when ``case`` got ``status`` (an expired session)."""
        return []

    def error_codes(self, body: bytes) -> list[str]:
        """The API error codes of a response body (empty when it has none)."""
        return []
