# ruff: noqa: E501 - the shell templates below keep their lines whole
"""The Glue part of the curl script: log in with curl, look the placeholders up with python3."""

SETUP = r"""
# Glue credentials from the environment (this script holds no secret); CONFORMANCE_TOKEN skips
# the login. The mock's seeded customers and their passwords: GET /__admin/accounts.
GLUE_USERNAME="${CONFORMANCE_USERNAME:-sonia@spryker.com}"
GLUE_PASSWORD="${CONFORMANCE_PASSWORD:-}"
if [ -z "${CONFORMANCE_TOKEN:-}" ] && [ -z "$GLUE_PASSWORD" ]; then
  echo "set CONFORMANCE_PASSWORD (or CONFORMANCE_TOKEN): this script holds no credentials" >&2
  exit 2
fi
GLUE_STORE="${CONFORMANCE_STORE:-DE}"
VND='application/vnd.api+json'
encode_vars GLUE_USERNAME "$GLUE_USERNAME" GLUE_PASSWORD "$GLUE_PASSWORD"
glue_login() {
  curl -sS -X POST "$BASE_URL/access-tokens" -H "Accept: $VND" -H "Content-Type: $VND" \
    --data-binary "{\"data\":{\"type\":\"access-tokens\",\"attributes\":{\"username\":\"$GLUE_USERNAME_JSON\",\"password\":\"$GLUE_PASSWORD_JSON\"}}}"
}
glue_get() { curl -sS "$BASE_URL$1" -H "Accept: $VND" -H "Authorization: Bearer $GLUE_TOKEN"; }
glue_items() {  # "<uuid> <merchant> <1 if returnable>" for every item of every order
  local ref
  for ref in $(glue_get /orders | py 'print("\n".join(urllib.parse.quote(o["id"], safe="") for o in d["data"]))'); do
    glue_get "/orders/$ref"; echo
  done | py 'for i in d["data"]["attributes"]["items"]: print(i["uuid"], i.get("merchantReference") or "-", 1 if i.get("isReturnable") else 0)'
}
GLUE_TOKEN="${CONFORMANCE_TOKEN:-$(glue_login | py 'print(d["data"]["attributes"]["accessToken"])')}"
[ -n "$GLUE_TOKEN" ] || { echo "cannot log in as $GLUE_USERNAME at $BASE_URL" >&2; exit 2; }
GLUE_ORDER_REFERENCE="$(glue_get /orders | py 'print(d["data"][0]["id"] if d["data"] else "")')"
GLUE_RETURN_REFERENCE="$(glue_get /returns | py 'print(d["data"][0]["id"] if d["data"] else "")')"
GLUE_NON_RETURNABLE_ITEM_UUID="$(glue_items | awk '$3 == 0 {print $1; exit}')"
encode_vars GLUE_TOKEN "$GLUE_TOKEN" GLUE_STORE "$GLUE_STORE" \
  GLUE_ORDER_REFERENCE "$GLUE_ORDER_REFERENCE" GLUE_RETURN_REFERENCE "$GLUE_RETURN_REFERENCE" \
  GLUE_NON_RETURNABLE_ITEM_UUID "$GLUE_NON_RETURNABLE_ITEM_UUID"
"""

_RETURNABLE = (
    "read -r GLUE_RETURNABLE_ITEM_UUID GLUE_OTHER_MERCHANT_ITEM_UUID <<< "
    "\"$(glue_items | awk '$3 == 1 { if (!a) { a = $1; m = $2 } "
    "else if (!b && $2 != m) { b = $1 } } END { print a, b }')\"\n"
    'encode_vars GLUE_RETURNABLE_ITEM_UUID "$GLUE_RETURNABLE_ITEM_UUID" '
    'GLUE_OTHER_MERCHANT_ITEM_UUID "${GLUE_OTHER_MERCHANT_ITEM_UUID:-}"'
)
# Fresh values: looked up right before each case that uses them.
FRESH = {
    "glue.refreshToken": (
        'GLUE_REFRESH_TOKEN="$(glue_login | py \'print(d["data"]["attributes"]["refreshToken"])\')"\n'
        'encode_vars GLUE_REFRESH_TOKEN "$GLUE_REFRESH_TOKEN"'
    ),
    "glue.returnableItemUuid": _RETURNABLE,
    "glue.otherMerchantItemUuid": _RETURNABLE,
}
