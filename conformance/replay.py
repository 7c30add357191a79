"""Replay a corpus against an implementation and compare every answer with its expectation.

``replay(corpus, target, credentials)`` sends the cases in order. Placeholders are resolved by
reading the target (log in, ``GET /orders``, ``GET /returns`` …): values that cases use up
(returnable items, refresh tokens) are looked up again for every case, the others once. A case
whose placeholder cannot be resolved (no returnable item left, no password given) is skipped,
not failed. Nothing is reset unless ``reset_url`` is given. Every case is checked before the
first request (:mod:`conformance.corpus.guard`): a corpus that could send a request, and so the
credentials, anywhere but under the base URL is refused whole.
"""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from api_contracts import ContractError

from .apis import profile_for
from .client import AsgiTarget, SyncASGITransport, Target, as_target, probe
from .corpus.guard import check_corpus, final_headers, final_url
from .corpus.model import (
    PLACEHOLDERS,
    Case,
    Corpus,
    CorpusError,
    wire_body,
)
from .profile import ApiProfile, Credentials, PlaceholderResolver, Unresolvable, UsageError
from .redaction import Redactor

AS_EXPECTED, MISMATCH, SKIPPED, ERROR = "as expected", "MISMATCH", "skipped", "error"


@dataclass
class CaseResult:
    """The outcome of one case."""

    case: Case
    verdict: str
    status: int | None = None
    codes: list[str] = field(default_factory=list)
    detail: str = ""
    request_line: str = ""
    response_excerpt: str = ""
    elapsed: float = 0.0

    @property
    def actual(self) -> str:
        if self.status is None:
            return "-"
        return f"{self.status}/{'|'.join(self.codes)}" if self.codes else str(self.status)


@dataclass
class ReplayResult:
    """Every case's outcome; ``exit_code`` 0 when all answered as expected, else 1."""

    api: str
    base_url: str
    results: list[CaseResult] = field(default_factory=list)
    duration: float = 0.0

    def count(self, verdict: str) -> int:
        return sum(1 for r in self.results if r.verdict == verdict)

    @property
    def mismatches(self) -> list[CaseResult]:
        return [r for r in self.results if r.verdict in (MISMATCH, ERROR)]

    @property
    def ok(self) -> bool:
        return not self.mismatches

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1


# --------------------------------------------------------------------------- placeholders


class Resolver:
    """Values of the placeholders on one target: the API's profile knows how to read them."""

    def __init__(
        self,
        profile: ApiProfile,
        http: httpx.Client,
        base_url: str,
        credentials: Credentials,
        redactor: Redactor | None = None,
    ) -> None:
        self.profile = profile
        self.redactor = redactor or Redactor()
        self.lookups: PlaceholderResolver = profile.resolver(
            http, base_url, credentials, self.value
        )
        self.cache: dict[str, str] = {}
        self.case_values: dict[str, str] = {}

    def start_case(self) -> None:
        """Forget the per-case values (fresh placeholders are looked up again)."""
        self.case_values = {}

    def value(self, name: str) -> str:
        placeholder = PLACEHOLDERS.get(name)
        if placeholder is None or not name.startswith(self.profile.name + "."):
            raise Unresolvable(f"unknown placeholder {{{{{name}}}}}")
        table = self.case_values if placeholder.fresh else self.cache
        if name not in table:
            found = self.lookups.lookup(name)
            for key, value in found.items():
                known = PLACEHOLDERS.get(key)
                if known is not None and known.secret:
                    self.redactor.add(value)
            table.update(found)
        return table[name]

    def prepare(self, case: Case) -> None:
        """Resolve every placeholder of ``case`` now (pairs such as two merchants together)."""
        self.start_case()
        names = case.request.placeholders()
        for name in self.lookups.related(names):
            self.case_values.update(self.lookups.lookup(name))
        for name in names:
            self.value(name)


# --------------------------------------------------------------------------- sending


def _excerpt(body: bytes, limit: int = 300) -> str:
    text = body.decode("utf-8", "replace")
    return text if len(text) <= limit else text[:limit] + "…"


def _client(target: Target, timeout: float) -> httpx.Client:
    transport = SyncASGITransport(target.app) if isinstance(target, AsgiTarget) else None
    client = httpx.Client(
        transport=transport, timeout=timeout, follow_redirects=False, trust_env=False
    )
    # Cases decide every header themselves: no default Accept (a missing Accept is a case).
    del client.headers["Accept"]
    client.headers["User-Agent"] = "returns-harness-replay"
    return client


def _send(
    http: httpx.Client,
    base_url: str,
    case: Case,
    resolve: Callable[[str], str],
    profile: ApiProfile,
    redactor: Redactor,
) -> CaseResult:
    request = case.request
    url = final_url(base_url, request, resolve)  # CorpusError: not sent
    headers = final_headers(request, resolve)  # CorpusError: not sent
    body = wire_body(request, resolve)
    line = f"{request.method} {url[:200]}"
    started = time.perf_counter()
    response = http.request(request.method, url, headers=headers, content=body)
    elapsed = time.perf_counter() - started
    redactor.learn(response.content)  # tokens a login answered with
    codes = profile.error_codes(response.content)
    ok = case.expect.matches(response.status_code, codes)
    return CaseResult(
        case=case,
        verdict=AS_EXPECTED if ok else MISMATCH,
        status=response.status_code,
        codes=codes,
        detail=""
        if ok
        else f"expected {case.expect.label()}, got {response.status_code}"
        + (f"/{'|'.join(codes)}" if codes else ""),
        request_line=line,
        response_excerpt=_excerpt(response.content),
        elapsed=elapsed,
    )


def replay(
    corpus: Corpus,
    target: Target | str,
    credentials: Credentials | None = None,
    *,
    timeout: float = 10.0,
    reset_url: str | None = None,
    cases: Callable[[Case], bool] | None = None,
    progress: Callable[[CaseResult], None] | None = None,
    spec: Path | str | None = None,
) -> ReplayResult:
    """Send every case of ``corpus`` to ``target``; :class:`UsageError` when it cannot start,
    :class:`CorpusError` (before any request) when a case could leave the target's base URL
    or is no path of the contract (``spec``, default the bundled one)."""
    target = as_target(target)
    profile = profile_for(corpus.api)
    credentials = credentials or Credentials()
    try:
        contract = profile.load_contract(spec)
    except ContractError as exc:
        raise UsageError(str(exc)) from None
    check_corpus(corpus, {op.path for op in contract.operations}, target.url)
    redactor = Redactor(profile.secrets(credentials))
    try:
        return _replay(
            corpus, target, credentials, profile, redactor, timeout, reset_url, cases, progress
        )
    except UsageError as exc:
        raise UsageError(redactor.text(str(exc))) from None


def _replay(
    corpus: Corpus,
    target: Target,
    credentials: Credentials,
    profile: ApiProfile,
    redactor: Redactor,
    timeout: float,
    reset_url: str | None,
    cases: Callable[[Case], bool] | None,
    progress: Callable[[CaseResult], None] | None,
) -> ReplayResult:
    reason = probe(target, timeout=min(timeout, 10.0))
    if reason is not None:
        raise UsageError(reason)
    started = time.perf_counter()
    result = ReplayResult(corpus.api, target.url)
    http = _client(target, timeout)
    try:
        if reset_url:
            try:
                http.post(reset_url).raise_for_status()
            except httpx.HTTPError as exc:
                raise UsageError(f"--reset-url {reset_url} failed: {exc}") from None
        resolver = Resolver(profile, http, target.url, credentials, redactor)
        for case in corpus.cases:
            if cases is not None and not cases(case):
                continue
            try:
                resolver.prepare(case)
                outcome = _send(http, target.url, case, resolver.value, profile, redactor)
                expired = (
                    profile.session_expired(case, outcome.status, credentials)
                    if outcome.verdict == MISMATCH and outcome.status is not None
                    else []
                )
                if expired:  # log in again, once (as `run` does)
                    for name in expired:
                        resolver.cache.pop(name, None)
                    outcome = _send(http, target.url, case, resolver.value, profile, redactor)
            except Unresolvable as exc:
                outcome = CaseResult(case, SKIPPED, detail=str(exc))
            except CorpusError as exc:  # a resolved value would lead elsewhere
                outcome = CaseResult(case, ERROR, detail=str(exc))
            except httpx.HTTPError as exc:
                outcome = CaseResult(case, ERROR, detail=f"{type(exc).__name__}: {exc}")
            except UnicodeEncodeError:  # a value read from the target fits no header
                outcome = CaseResult(case, ERROR, detail="not sent: a header is not ASCII")
            result.results.append(_masked(outcome, redactor))
            if progress is not None:
                progress(outcome)
    finally:
        http.close()
    result.duration = time.perf_counter() - started
    return result


def _masked(outcome: CaseResult, redactor: Redactor) -> CaseResult:
    """The outcome as it may be shown and written: no secret in the request or the answer."""
    outcome.detail = redactor.text(outcome.detail)
    outcome.request_line = redactor.text(outcome.request_line)
    outcome.response_excerpt = redactor.text(outcome.response_excerpt)
    return outcome


# --------------------------------------------------------------------------- reports


def table(result: ReplayResult, *, only_problems: bool = False, width: int = 60) -> str:
    """The terminal table: case, expected, actual, verdict (and the title)."""
    rows = [("case", "expected", "actual", "verdict", "title")]
    for outcome in result.results:
        if only_problems and outcome.verdict == AS_EXPECTED:
            continue
        title = outcome.case.title
        rows.append(
            (
                outcome.case.id,
                outcome.case.expect.label(),
                outcome.actual,
                outcome.verdict,
                title if len(title) <= width else title[: width - 1] + "…",
            )
        )
    widths = [min(max(len(row[i]) for row in rows), 40) for i in range(4)]
    lines = []
    for index, row in enumerate(rows):
        lines.append("  ".join(row[i].ljust(widths[i]) for i in range(4)) + "  " + row[4])
        if index == 0:
            lines.append("  ".join("-" * w for w in widths) + "  " + "-" * 5)
    return "\n".join(lines)


def summary(result: ReplayResult) -> str:
    """One line per mismatch, then the verdict line."""
    lines = []
    for outcome in result.mismatches:
        lines.append(
            f"✗ {outcome.case.id} {outcome.case.title}: {outcome.detail}"
            + (
                f"\n    {outcome.request_line}\n    ← {outcome.response_excerpt}"
                if outcome.request_line
                else ""
            )
        )
    verdict = "ALL AS EXPECTED" if result.ok else "MISMATCHES FOUND"
    lines.append(
        f"{result.api}: {verdict} — {len(result.results)} cases: "
        f"{result.count(AS_EXPECTED)} as expected, {result.count(MISMATCH)} mismatched, "
        f"{result.count(ERROR)} errors, {result.count(SKIPPED)} skipped ({result.duration:.1f}s)"
    )
    return "\n".join(lines)


def write_junit(result: ReplayResult, path: Path | str) -> Path:
    """JUnit XML: one ``<testcase>`` per case, a ``<failure>`` for each mismatch."""
    from .report import _xml_safe

    suite = ET.Element(
        "testsuite",
        name=f"replay-{result.api}",
        tests=str(len(result.results)),
        failures=str(result.count(MISMATCH)),
        errors=str(result.count(ERROR)),
        skipped=str(result.count(SKIPPED)),
        time=f"{result.duration:.3f}",
    )
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", name="base_url", value=result.base_url)
    for outcome in result.results:
        case = outcome.case
        element = ET.SubElement(
            suite,
            "testcase",
            classname=f"{result.api}.{case.operation}",
            name=_xml_safe(f"{case.id}: {case.title}"),
            time=f"{outcome.elapsed:.3f}",
        )
        if outcome.verdict == MISMATCH:
            failure = ET.SubElement(
                element, "failure", type="mismatch", message=_xml_safe(outcome.detail)
            )
            failure.text = _xml_safe(
                f"{outcome.request_line}\nexpected: {case.expect.label()} ({case.expect.why})\n"
                f"actual: {outcome.actual}\n{outcome.response_excerpt}"
            )
        elif outcome.verdict == ERROR:
            ET.SubElement(element, "error", type="error", message=_xml_safe(outcome.detail))
        elif outcome.verdict == SKIPPED:
            ET.SubElement(element, "skipped", message=_xml_safe(outcome.detail))
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return path
