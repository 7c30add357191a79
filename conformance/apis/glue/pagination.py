"""A lone ``page[offset]`` or ``page[limit]``: Spryker versions differ, and both are correct.

One Glue version ignores the parameter (200, as the contract's ``PageOffset``/``PageLimit``
say: "applied only together"); a later one refuses it with the contract's ``PaginationInvalid``
(400 "Pagination parameters are invalid.", no code). Schemathesis' ``positive_data_acceptance``,
the corpus oracle and the pagination checks all accept both through this module.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

PAGE_PARAMETERS = ("page[offset]", "page[limit]")
LONE_PAGE_PARAMETER_RULE = (
    "A lone `page[offset]` or `page[limit]` is answered as one of the Spryker versions does: "
    'ignored (200; contract `PageOffset`/`PageLimit`: "applied only together") or refused '
    'with 400 "Pagination parameters are invalid." without a code (contract '
    "`PaginationInvalid`; spryker/glue-application `PaginationParametersHttpRequestValidator`; "
    'issue 11: "Spryker versions differ on a lone page[offset]/page[limit] (ignored in one, '
    '400 in another — accept both)").'
)


def lone_page_parameter(names: Iterable[str]) -> str | None:
    """The one page parameter among the query's ``names`` when the other is absent."""
    given = set(names)
    present = [name for name in PAGE_PARAMETERS if name in given]
    return present[0] if len(present) == 1 else None


def is_pagination_refusal(status: int, body: bytes) -> bool:
    """A 400 whose JSON:API errors carry no ``code`` (Glue's framework pagination error)."""
    if status != 400:
        return False
    try:
        document = json.loads(body)
    except ValueError:
        return False
    errors = document.get("errors") if isinstance(document, dict) else None
    return (
        isinstance(errors, list)
        and bool(errors)
        and all(isinstance(e, dict) and "code" not in e for e in errors)
    )
