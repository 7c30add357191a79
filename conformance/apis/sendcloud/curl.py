# ruff: noqa: E501 - the shell templates below keep their lines whole
"""The Sendcloud part of the curl script: Basic credentials from CONFORMANCE_BASIC."""

SETUP = r"""
# Sendcloud credentials: CONFORMANCE_BASIC=KEY:SECRET (the mock's: GET /__admin/accounts).
[ -n "${CONFORMANCE_BASIC:-}" ] || { echo "set CONFORMANCE_BASIC=KEY:SECRET" >&2; exit 2; }
SENDCLOUD_BASIC="$(printf '%s' "$CONFORMANCE_BASIC" | base64 | tr -d '\n')"
SENDCLOUD_BASIC_WRONG_SECRET="$(printf '%s-wrong' "$CONFORMANCE_BASIC" | base64 | tr -d '\n')"
sc_get() { curl -sS "$BASE_URL$1" -H 'Accept: application/json' -H "Authorization: Basic $SENDCLOUD_BASIC"; }
SENDCLOUD_RETURN_ID="$(sc_get /returns | py 'print(d["returns"][0]["id"] if d.get("returns") else "")')"
SENDCLOUD_CURSOR="$(sc_get /returns | py 'n = d.get("next"); print(urllib.parse.parse_qs(urllib.parse.urlsplit(n).query)["cursor"][0] if n else "")')"
encode_vars SENDCLOUD_BASIC "$SENDCLOUD_BASIC" SENDCLOUD_BASIC_WRONG_SECRET "$SENDCLOUD_BASIC_WRONG_SECRET" \
  SENDCLOUD_RETURN_ID "$SENDCLOUD_RETURN_ID" SENDCLOUD_CURSOR "$SENDCLOUD_CURSOR"
"""
