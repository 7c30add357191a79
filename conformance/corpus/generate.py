"""Build a corpus from the contract alone: edge cases, Schemathesis' coverage phase and
Hypothesis-drawn fuzz cases, each with the oracle's expected outcome.

Nothing is sent anywhere. Schemathesis generates from the loaded schema
(``iter_coverage_cases`` for the coverage phase, ``APIOperation.as_strategy`` for fuzzing) and
Hypothesis draws are seeded per operation and mode, so one seed gives one corpus, byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from api_contracts import Contract, Operation

from .._compat.hypothesis import without_local_constants
from ..profile import ApiProfile
from .edges import EdgeBuilder
from .model import Case, Corpus, Request, json_text

DEFAULT_COUNT = 50
MIN_FUZZ = 10  # fuzz cases per operation even when the edges already reach --count
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


class GenerationError(Exception):
    """Bad generation options (unknown operation, unusable contract)."""


@dataclass
class _Draft:
    title: str
    source: str
    request: Request


def _subseed(seed: int, *parts: str) -> int:
    digest = hashlib.sha256(":".join([str(seed), *parts]).encode()).digest()
    return int.from_bytes(digest[:8], "big") % (2**63)


def _sendable(request: Request) -> bool:
    """Whether the request can be sent and stored as written (HTTP and JSON text limits)."""
    for name, value in request.headers.items():
        if not _TOKEN.fullmatch(name):
            return False
        if not all(32 <= ord(c) < 127 or c == "\t" for c in value):
            return False
    for value in request.path_params.values():
        if "/" in value or value in ("", ".", ".."):
            return False
    try:
        json.dumps(request.to_json(), ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (ValueError, UnicodeEncodeError):
        return False
    return True


def _key(request: Request) -> str:
    return json.dumps(request.to_json(), sort_keys=True, ensure_ascii=True)


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return str(value)
    return json_text(value)


class _Examples:
    """Documented example values that stand for real data: they become placeholders."""

    def __init__(self, contract: Contract, profile: ApiProfile) -> None:
        self.placeholders = profile.path_placeholders
        self.path: dict[tuple[str, str], str] = {}
        for op in contract.operations:
            for name, value in op.example_path_parameters().items():
                placeholder = self.placeholders.get((op.operation_id, name))
                if placeholder:
                    self.path[(op.operation_id, name)] = value
        self.body = {
            op.operation_id: profile.example_placeholders(op) for op in contract.operations
        }

    def apply(self, op: Operation, request: Request) -> None:
        for name, value in list(request.path_params.items()):
            if self.path.get((op.operation_id, name)) == value:
                request.path_params[name] = "{{" + self.placeholders[(op.operation_id, name)] + "}}"
        mapping = self.body.get(op.operation_id)
        if mapping and request.body is not None and request.body[0] == "json":
            request.body = ("json", _replace_strings(request.body[1], mapping))


def _replace_strings(value: Any, mapping: dict[str, str]) -> Any:
    if isinstance(value, str):
        return mapping.get(value, value)
    if isinstance(value, list):
        return [_replace_strings(v, mapping) for v in value]
    if isinstance(value, dict):
        return {k: _replace_strings(v, mapping) for k, v in value.items()}
    return value


class Generator:
    """Generates the corpus of one API."""

    def __init__(self, contract: Contract, seed: int, profile: ApiProfile) -> None:
        import schemathesis
        from schemathesis.config import SchemathesisConfig

        from .._compat.schemathesis import operations_of

        self.contract = contract
        self.profile = profile
        self.seed = seed
        config = SchemathesisConfig.from_dict(
            {"seed": seed, "generation": {"database": "none"}, "suppress-health-check": ["all"]}
        )
        self.schema = schemathesis.openapi.from_dict(contract.raw, config=config)
        self.examples = _Examples(contract, profile)
        self._operations: dict[str, Any] = {}
        for operation in operations_of(self.schema):
            self._operations[operation.label] = operation

    # ------------------------------------------------------------------ conversion

    def convert(self, case: Any, op: Operation) -> Request | None:
        """A Schemathesis case as a corpus request (``None`` if it cannot be stored or sent)."""
        from .._compat.schemathesis import case_generation_mode, is_not_set

        headers: dict[str, str] = {}
        if self.profile.request_accept is not None:
            headers["Accept"] = self.profile.request_accept
        for name, value in (case.headers or {}).items():
            if name.lower() == "accept":
                headers.pop("Accept", None)
            headers[str(name)] = str(value)
        auth = next((k for k in headers if k.lower() == "authorization"), None)
        positive = case_generation_mode(case) == "positive"
        authorization = self.profile.generated_authorization(
            headers.pop(auth) if auth is not None else None, op, positive
        )
        if authorization is not None:
            headers["Authorization"] = authorization
        body: tuple[str, Any] | None = None
        if not is_not_set(case.body):
            if isinstance(case.body, (bytes, bytearray)):
                try:
                    body = ("text", bytes(case.body).decode("utf-8"))
                except UnicodeDecodeError:
                    return None
            else:
                body = ("json", case.body)
            if case.media_type and not any(k.lower() == "content-type" for k in headers):
                headers["Content-Type"] = case.media_type
        query: list[tuple[str, str]] = []
        try:
            for name, value in (case.query or {}).items():
                for item in value if isinstance(value, list) else [value]:
                    if item is not None:
                        query.append((str(name), _query_value(item)))
        except ValueError:  # an integer too long to print
            return None
        request = Request(
            method=case.method.upper(),
            path=op.path,
            path_params={k: unquote(str(v)) for k, v in (case.path_parameters or {}).items()},
            query=query,
            headers=headers,
            body=body,
        )
        self.examples.apply(op, request)
        return request if _sendable(request) else None

    @staticmethod
    def _describe(case: Any) -> tuple[str, str | None]:
        from .._compat.schemathesis import case_generation_mode, case_phase_description

        text, parameter = case_phase_description(case)
        lines = [line.strip().removeprefix("- ").strip() for line in text.splitlines()]
        description = _printable("; ".join(line for line in lines if line), 120)
        return f"{case_generation_mode(case)}: {description}", parameter

    # ------------------------------------------------------------------ sources

    def coverage(self, op: Operation) -> list[_Draft]:
        from schemathesis.generation import GenerationMode

        from .._compat.schemathesis import coverage_cases

        operation = self._operations[op.label]
        drafts = []
        modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
        cases = coverage_cases(self.schema, operation, modes)
        for case in cases:
            request = self.convert(case, op)
            if request is None:
                continue
            description, parameter = self._describe(case)
            title = f"Coverage {description}"
            if parameter and parameter not in description and "/" not in parameter:
                title += f" ({parameter})"
            drafts.append(_Draft(_with_summary(title, request, parameter), "coverage", request))
        return drafts

    def fuzz(self, op: Operation, wanted: int, seen: set[str]) -> list[_Draft]:
        """Up to ``wanted`` new Hypothesis-drawn cases, positive and negative alternately."""
        from schemathesis.generation import GenerationMode

        operation = self._operations[op.label]
        pools: list[list[_Draft]] = []
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            cases = _draw(
                operation.as_strategy(generation_mode=mode),
                (wanted + 1) // 2 + max(3, wanted // 4),
                _subseed(self.seed, op.operation_id, mode.value),
            )
            pool = []
            for case in cases:
                request = self.convert(case, op)
                if request is None:
                    continue
                description, _ = self._describe(case)
                title = _with_summary(f"Fuzzed {description}", request, None)
                pool.append(_Draft(title, "fuzz", request))
            pools.append(pool)
        drafts: list[_Draft] = []
        for pair in _interleave(*pools):
            if len(drafts) >= wanted:
                break
            key = _key(pair.request)
            if key not in seen:
                seen.add(key)
                drafts.append(pair)
        return drafts

    # ------------------------------------------------------------------ assembly

    def cases_for(self, op: Operation, count: int) -> list[Case]:
        rng = random.Random(_subseed(self.seed, op.operation_id))
        builder = EdgeBuilder(self.contract, rng, self.profile)
        drafts = [_Draft(f"Edge: {title}", "edge", request) for title, request in builder.edges(op)]
        drafts += self.coverage(op)
        kept: list[_Draft] = []
        seen: set[str] = set()
        for draft in drafts:
            key = _key(draft.request)
            if key in seen or not _sendable(draft.request):
                continue
            seen.add(key)
            kept.append(draft)
        kept += self.fuzz(op, max(count - len(kept), MIN_FUZZ), seen)
        cases = []
        for draft in kept:
            analysis = self.profile.analyse(self.contract, op, draft.request)
            cases.append(
                Case(
                    id="",
                    operation=op.operation_id,
                    endpoint=op.label,
                    title=draft.title,
                    source=draft.source,
                    request=draft.request,
                    expect=analysis.expectation,
                )
            )
        # Cases that consume data (a created return uses up a returnable item) go last.
        cases.sort(key=self.profile.consumes)
        for index, case in enumerate(cases, start=1):
            case.id = f"{op.operation_id}-{index:03d}"
        return cases


def _interleave(*pools: list[_Draft]) -> Iterable[_Draft]:
    for index in range(max((len(p) for p in pools), default=0)):
        for pool in pools:
            if index < len(pool):
                yield pool[index]


def _with_summary(title: str, request: Request, parameter: str | None) -> str:
    """``title`` plus the values that make this request different, shortened."""
    parts = []
    for name, value in request.path_params.items():
        if not value.startswith("{{") and (parameter in (None, name)):
            parts.append(f"{_printable(name)}={_short(value)}")
    for name, value in request.query:
        if parameter in (None, name):
            parts.append(f"{_printable(name)}={_short(value)}")
    for name, value in request.headers.items():
        if name.lower() not in ("accept", "authorization", "content-type") and parameter in (
            None,
            name,
        ):
            parts.append(f"{_printable(name)}: {_short(value)}")
    if parameter is None and request.body is not None:
        kind, value = request.body
        parts.append("body " + _short(value if kind == "text" else json_text(value), 50))
    return f"{title} — {'; '.join(parts)}" if parts else title


def _printable(text: str, limit: int = 30) -> str:
    """``text`` with non-printable characters escaped, shortened."""
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def _short(value: str, limit: int = 30) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _draw(strategy: Any, count: int, seed: int) -> list[Any]:
    """``count`` examples of ``strategy``, the same ones for the same seed."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed
    from hypothesis.errors import HypothesisException

    drawn: list[Any] = []

    @hypothesis_seed(seed)
    @settings(
        max_examples=count,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        deadline=None,
        derandomize=False,
        report_multiple_bugs=False,
        print_blob=False,
    )
    @given(strategy)
    def collect(case: Any) -> None:
        drawn.append(case)

    with suppress(HypothesisException):  # an unsatisfiable strategy: keep what was drawn
        collect()
    return drawn


def contract_info(contract: Contract) -> dict[str, Any]:
    info = contract.raw.get("info") or {}
    digest = hashlib.sha256(Path(contract.path).read_bytes()).hexdigest()
    return {
        "file": Path(contract.path).name,
        "title": info.get("title"),
        "version": info.get("version"),
        "sha256": digest,
    }


def generate(
    api: str,
    *,
    operations: Sequence[str] | None = None,
    count: int = DEFAULT_COUNT,
    seed: int = 0,
    spec: Path | str | None = None,
) -> Corpus:
    """The corpus of ``api`` (all operations, or the given operationIds)."""
    from importlib.metadata import version

    from api_contracts import ContractError

    from ..apis import profile_for
    from ..profile import UsageError

    try:
        profile = profile_for(api)
        contract = profile.load_contract(spec)
    except (ContractError, UsageError) as exc:
        raise GenerationError(str(exc)) from None
    selected = list(contract.operations)
    if operations:
        known = {op.operation_id: op for op in contract.operations}
        unknown = [name for name in operations if name not in known]
        if unknown:
            raise GenerationError(
                f"unknown operation(s) for {api}: {', '.join(unknown)} "
                f"(available: {', '.join(known)})"
            )
        selected = [op for op in contract.operations if op.operation_id in set(operations)]
    cases: list[Case] = []
    with without_local_constants():
        generator = Generator(contract, seed, profile)
        for op in selected:
            cases += generator.cases_for(op, count)
    return Corpus(
        api=api,
        cases=cases,
        seed=seed,
        generator={
            "tool": "conformance generate",
            "count": count,
            "operations": [op.operation_id for op in selected],
            "schemathesis": version("schemathesis"),
            "hypothesis": version("hypothesis"),
        },
        contract=contract_info(contract),
    )


__all__ = ["DEFAULT_COUNT", "GenerationError", "contract_info", "generate"]
