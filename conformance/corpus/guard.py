"""Where a corpus may send requests: only under ``--base-url``, checked before anything is sent.

A corpus is a file anyone may hand over, and replaying it sends the tester's credentials with
every case. So ``replay`` checks every case first and refuses the whole corpus, naming the first
bad case and why, when a request could leave the API root: a path that does not start with
``/``, a ``//host`` network path, an absolute URL, ``@`` userinfo, backslashes, control
characters, a ``.``/``..`` segment (also percent-encoded), a path that is no template of the
contract, a ``Host`` or framing header, or a method that is not an HTTP token. Right before each
request the final URL (placeholders resolved from the target) is checked again with
:func:`url_problem`, so a value read from a hostile target cannot lead elsewhere either.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from urllib.parse import unquote, urlsplit

import httpx

from .model import Corpus, CorpusError, Request, shown, substitute, wire_path

# RFC 9110 token: what a method and a header name may be
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}")
# a concrete path segment: unreserved, sub-delims, ":" and %XX escapes (RFC 3986 pchar minus "@")
_SEGMENT = re.compile(r"(?:[A-Za-z0-9._~!$&'()*+,;=:-]|%[0-9A-Fa-f]{2})+")
_PARAMETER = re.compile(r"\{([^/{}]+)\}")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
# headers that change where a request goes or how its body is framed: the client sets them
_FORBIDDEN_HEADERS = {"host", "content-length", "transfer-encoding", "connection"}
_PROBE_VALUE = "x"  # stands for every placeholder in the check before sending


def _control(text: str) -> bool:
    """C0/C1 controls, DEL and Unicode line/paragraph separators and bidi overrides."""
    return any(
        ord(c) < 32 or 0x7F <= ord(c) < 0xA0 or c in "\u2028\u2029\u202a\u202b\u202d\u202e"
        for c in text
    )


def _printable_ascii(value: str) -> bool:
    return all(32 <= ord(c) < 127 or c == "\t" for c in value)


def _dot_segment(segment: str) -> bool:
    """``.`` or ``..``, also percent-encoded (``%2e%2e``) as a server decodes it once; a
    parameter value ``%2e%2e`` is sent as ``%252e%252e``, a literal the server does not walk."""
    return segment in (".", "..") or unquote(segment) in (".", "..")


def path_problem(path: str) -> str | None:
    """Why the path of a request (a template, relative to the API root) is unsafe, or ``None``."""
    if not path:
        return "is empty"
    if _control(path):
        return "contains control characters"
    if _SCHEME.match(path):
        return "is an absolute URL (only paths under --base-url are sent)"
    if path.startswith("//"):
        return "is a network-path reference (//host)"
    if "@" in path or "%40" in path:
        return "contains '@' (userinfo)"
    if not path.startswith("/"):
        return "does not start with /"
    if "\\" in path or "%5c" in path.lower():
        return "contains a backslash"
    if "?" in path or "#" in path:
        return "contains '?' or '#' (the query belongs in `query`)"
    if any(_dot_segment(s) for s in path.split("/")):
        return "has a '.' or '..' segment"
    return None


def _segments_match(path: str, template: str, params: dict[str, str]) -> bool:
    """Whether ``path`` is ``template`` with parameter segments as ``{name}`` or concrete."""
    got, want = path.split("/"), template.split("/")
    if len(got) != len(want):
        return False
    for segment, expected in zip(got, want, strict=True):
        if segment == expected:
            if all(name in params for name in _PARAMETER.findall(expected)):
                continue
            return False
        if not _PARAMETER.fullmatch(expected):
            return False
        name = _PARAMETER.fullmatch(segment)
        if name is not None:
            if name.group(1) not in params:
                return False
        elif not _SEGMENT.fullmatch(segment) or "%2f" in segment.lower():
            return False
    return True


def url_problem(url: str, base_url: str) -> str | None:
    """Why ``url`` is not under ``base_url`` (same scheme, host, port, user and path prefix)."""
    try:
        target, base = httpx.URL(url), httpx.URL(base_url)
        written = urlsplit(url).path
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        return f"is not a valid URL ({exc})"
    if (target.scheme, target.host, target.port, target.userinfo) != (
        base.scheme,
        base.host,
        base.port,
        base.userinfo,
    ):
        return f"leaves {base.scheme}://{base.netloc.decode('ascii', 'replace')}"
    # httpx drops dot segments while parsing: look for them in the text as written
    if any(_dot_segment(s) for s in written.split("/")):
        return "has a '.' or '..' segment"
    raw = target.raw_path.split(b"?", 1)[0].decode("ascii", "replace")
    prefix = base.raw_path.split(b"?", 1)[0].decode("ascii", "replace").rstrip("/")
    if raw != prefix and not raw.startswith(prefix + "/"):
        return f"leaves the path {prefix or '/'}"
    return None


def base_url_problem(base_url: str) -> str | None:
    """Why ``base_url`` cannot be the root every request stays under, or ``None``."""
    try:
        url = httpx.URL(base_url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        return f"invalid base URL {shown(base_url)}: {exc}"
    if url.scheme not in ("http", "https") or not url.host:
        return f"invalid base URL {shown(base_url)}: use http:// or https:// and a host"
    if url.query or url.fragment or "?" in base_url or "#" in base_url:
        return f"invalid base URL {shown(base_url)}: no query or fragment"
    return None


def request_problem(request: Request, templates: Iterable[str], base_url: str) -> str | None:
    """Why ``request`` must not be sent under ``base_url``, or ``None`` (placeholders stand in
    as a plain value; the resolved URL is checked again right before sending)."""
    if not _TOKEN.fullmatch(request.method):
        return f"method {shown(request.method)} is not an HTTP method name"
    problem = path_problem(request.path)
    if problem is not None:
        return f"path {shown(request.path)} {problem}"
    missing = [n for n in _PARAMETER.findall(request.path) if n not in request.path_params]
    if missing:
        return f"path {shown(request.path)} has no value for {{{missing[0]}}} in pathParams"
    if not any(_segments_match(request.path, t, request.path_params) for t in templates):
        return f"path {shown(request.path)} matches no path of the contract"
    for name, value in request.path_params.items():
        if value in (".", ".."):
            return f"path parameter {shown(name)} is {shown(value)}"
    for name, value in request.headers.items():
        if not _TOKEN.fullmatch(name):
            return f"header name {shown(name)} is not an HTTP token"
        if name.lower() in _FORBIDDEN_HEADERS:
            return f"header {shown(name)} is set by the client, not by a corpus"
        if not _printable_ascii(value):
            return f"header {shown(name)} is not printable ASCII"
    url = base_url.rstrip("/") + wire_path(request, lambda name: _PROBE_VALUE)
    problem = url_problem(url, base_url)
    return None if problem is None else f"the URL {problem}"


def check_corpus(corpus: Corpus, templates: Iterable[str], base_url: str) -> None:
    """Refuse the corpus (:class:`CorpusError`, one line) at its first case that could send a
    request anywhere but under ``base_url``; every case is checked, also those not selected
    (one bad case makes the whole file untrustworthy)."""
    problem = base_url_problem(base_url)
    if problem is not None:
        raise CorpusError(problem)
    paths = list(templates)
    for case in corpus.cases:
        for what in ("id", "operation", "endpoint", "title", "source"):
            if _control(getattr(case, what)):
                raise CorpusError(
                    f"case {shown(case.id)} refused: its {what} contains control characters"
                )
        problem = request_problem(case.request, paths, base_url)
        if problem is not None:
            raise CorpusError(f"case {shown(case.id)} refused: {problem}; nothing was sent")


def final_url(base_url: str, request: Request, resolve: Callable[[str], str]) -> str:
    """The URL a case is sent to, placeholders resolved; :class:`CorpusError` if it would leave
    ``base_url`` (a value read from the target may be hostile too)."""
    url = base_url.rstrip("/") + wire_path(request, resolve)
    problem = url_problem(url, base_url)
    if problem is not None:
        raise CorpusError(f"not sent: the URL {problem}")
    return url


def final_headers(request: Request, resolve: Callable[[str], str]) -> dict[str, str]:
    """The headers a case is sent with, placeholders resolved; :class:`CorpusError` if a
    resolved value (a token read from the target) is not printable ASCII."""
    headers = {name: substitute(value, resolve) for name, value in request.headers.items()}
    for name, value in headers.items():
        if not _printable_ascii(value):
            raise CorpusError(f"not sent: header {shown(name)} is not printable ASCII")
    return headers
