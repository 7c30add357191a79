"""OAuth2-style tokens as Spryker's league/oauth2-server issues them: a signed JWT access token
(``aud``, ``jti``, ``iat``, ``nbf``, ``exp``, ``sub``, ``scopes``) and an opaque ``def50…``
refresh token that rotates on every use and can be revoked.

The JWT is signed with HS256 (Spryker uses RS256; the claims and the shape are the same).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

ACCESS_TTL = 28800  # 8 h, Spryker's default
REFRESH_TTL = 2628000  # 1 month
AUDIENCE = "frontend"
SCOPES = ["customer"]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Refresh:
    customer: str
    expires: float


class TokenService:
    """Issues, verifies, rotates and revokes the tokens of one backend instance."""

    def __init__(self, access_ttl: int = ACCESS_TTL) -> None:
        self.secret = secrets.token_bytes(32)
        self.access_ttl = access_ttl
        self.refresh_tokens: dict[str, Refresh] = {}

    def issue(self, customer: str) -> tuple[str, str]:
        """A new (access token, refresh token) pair for ``customer``."""
        now = int(time.time())
        header = {"typ": "JWT", "alg": "HS256"}
        # Spryker's `sub` is a JSON string describing the customer.
        subject = json.dumps(
            {
                "id_company_user": None,
                "id_agent": None,
                "customer_reference": customer,
                "id_customer": int(customer.rpartition("--")[2]),
            }
        )
        claims = {
            "aud": AUDIENCE,
            "jti": secrets.token_hex(40),
            "iat": now,
            "nbf": now,
            "exp": now + self.access_ttl,
            "sub": subject,
            "scopes": SCOPES,
        }
        signing_input = ".".join(
            _b64(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
        )
        access = f"{signing_input}.{_b64(self._sign(signing_input))}"
        refresh = "def50200" + secrets.token_hex(96)
        self.refresh_tokens[refresh] = Refresh(customer, time.time() + REFRESH_TTL)
        return access, refresh

    def _sign(self, signing_input: str) -> bytes:
        return hmac.new(self.secret, signing_input.encode("ascii"), hashlib.sha256).digest()

    def customer_of(self, access_token: str) -> str | None:
        """The customer reference of a valid, unexpired access token, else None."""
        parts = access_token.split(".")
        if len(parts) != 3:
            return None
        try:
            signature = _unb64(parts[2])
            claims = json.loads(_unb64(parts[1]))
            subject = json.loads(claims["sub"])
            customer = subject["customer_reference"]
            now = time.time()
            valid = claims["nbf"] <= now < claims["exp"] and claims["aud"] == AUDIENCE
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            return None
        expected = self._sign(f"{parts[0]}.{parts[1]}")
        if not hmac.compare_digest(signature, expected) or not valid:
            return None
        return customer if isinstance(customer, str) else None

    def rotate(self, refresh_token: str) -> tuple[str, str] | None:
        """A new pair for a live refresh token, which is revoked by its use; None if unknown."""
        entry = self.refresh_tokens.pop(refresh_token, None)
        if entry is None or entry.expires < time.time():
            return None
        return self.issue(entry.customer)

    def revoke(self, customer: str, refresh_token: str) -> None:
        """Revoke one refresh token of ``customer``, or all of them for ``mine``."""
        for token, entry in list(self.refresh_tokens.items()):
            if entry.customer == customer and refresh_token in ("mine", token):
                del self.refresh_tokens[token]
