"""Glue identities: a customer logs in through ``POST /access-tokens`` (again on demand)."""

from __future__ import annotations

from typing import Any

from ...client import ApiClient
from ...profile import Authentication, Credentials, UsageError, Verify


class GlueIdentity:
    """A Glue customer: logs in through ``POST /access-tokens`` (again on demand) or a token."""

    def __init__(
        self,
        client: ApiClient,
        username: str | None,
        password: str | None,
        token: str | None = None,
    ) -> None:
        self.client = client
        self.username = username
        self.password = password
        self.static_token = token

    def token(self) -> str:
        if self.static_token is not None:
            return self.static_token
        body = {
            "data": {
                "type": "access-tokens",
                "attributes": {"username": self.username, "password": self.password},
            }
        }
        exchange = self.client.post("/access-tokens", json=body, auth=False)
        response = exchange.response
        if response.status != 201:
            raise UsageError(
                f"login as {self.username} through POST /access-tokens failed: "
                f"{response.status} {response.text(160)}"
            )
        try:
            return str(exchange.json()["data"]["attributes"]["accessToken"])
        except (ValueError, KeyError, TypeError):
            raise UsageError(
                f"login as {self.username} answered 201 without data.attributes.accessToken"
            ) from None


def authenticate(
    client: ApiClient, credentials: Credentials, secured: list[str], verify: Verify
) -> Authentication:
    """Log the customer in (or check the token); a second customer for the isolation checks."""
    c = credentials
    identity = GlueIdentity(client, c.username, c.password, c.token)
    header = f"Bearer {identity.token()}"
    if c.token is not None:
        verify(header, "the access token")
    else:
        client.reauth = lambda: f"Bearer {identity.token()}"
    other = None
    if c.other_username and c.other_password:
        second = GlueIdentity(client, c.other_username, c.other_password)
        other = client.with_auth(
            f"Bearer {second.token()}", reauth=lambda: f"Bearer {second.token()}"
        )

    def install(schema: Any) -> None:
        _install_bearer_auth(schema, identity, secured)

    return Authentication(header, other, install)


def _install_bearer_auth(schema: Any, identity: GlueIdentity, secured: list[str]) -> None:
    """Bearer token on protected operations; a 401 makes Schemathesis log in again."""

    class GlueBearerAuth:
        def get(self, case: Any, context: Any) -> str:
            return identity.token()

        def set(self, case: Any, data: str, context: Any) -> None:
            case.headers["Authorization"] = f"Bearer {data}"

    if secured:
        from ..._compat.schemathesis import install_auth

        retry = [] if identity.static_token is not None else [401]
        install_auth(schema, GlueBearerAuth, secured, refresh_interval=600, retry_on=retry)
