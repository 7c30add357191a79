"""Summarise wrk runs into tables: plain text for the terminal, Markdown and JSON for files."""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .wrk import WrkResult

ENDPOINTS = {
    "sendcloud": "Sendcloud GET /returns/{id}",
    "glue": "Glue GET /returns",
    "dynamic": "Sendcloud GET /returns/{id}, dynamic",
}


@dataclass
class Row:
    """All rounds of one server on one endpoint."""

    endpoint: str
    server: str
    label: str
    url: str
    body_bytes: int
    results: list[WrkResult] = field(default_factory=list)
    cpu_s: list[float] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)

    @property
    def cpu_us_per_request(self) -> float | None:
        """Server CPU time (user + system) per completed request, over all rounds."""
        requests = sum(r.requests for r in self.results)
        if not self.cpu_s or len(self.cpu_s) != len(self.results) or not requests:
            return None
        return sum(self.cpu_s) / requests * 1e6

    @property
    def rps_best(self) -> float:
        return max(r.requests_per_sec for r in self.results)

    @property
    def rps_mean(self) -> float:
        return statistics.fmean(r.requests_per_sec for r in self.results)

    @property
    def p50_ms(self) -> float:
        """Mean over the rounds of each round's median latency."""
        return statistics.fmean(r.p50_ms for r in self.results)

    @property
    def p99_ms(self) -> float:
        """Mean over the rounds of each round's 99th-percentile latency."""
        return statistics.fmean(r.p99_ms for r in self.results)

    @property
    def errors(self) -> int:
        return sum(r.errors for r in self.results)

    @property
    def empty_rounds(self) -> int:
        """Rounds in which no request completed (nothing measured)."""
        return sum(1 for r in self.results if r.requests == 0)

    @property
    def non_2xx(self) -> int:
        return sum(r.non_2xx for r in self.results)

    def as_dict(self) -> dict[str, object]:
        return {
            "endpoint": self.endpoint,
            "server": self.server,
            "label": self.label,
            "url": self.url,
            "body_bytes": self.body_bytes,
            "rps_best": round(self.rps_best, 2) if self.results else None,
            "rps_mean": round(self.rps_mean, 2) if self.results else None,
            "p50_ms": round(self.p50_ms, 3) if self.results else None,
            "p99_ms": round(self.p99_ms, 3) if self.results else None,
            "cpu_us_per_request": (
                None if self.cpu_us_per_request is None else round(self.cpu_us_per_request, 1)
            ),
            "non_2xx": self.non_2xx,
            "errors": self.errors,
            "empty_rounds": self.empty_rounds,
            "rounds": [
                {**r.as_dict(), "server_cpu_s": cpu, "wrk_output": raw}
                for r, cpu, raw in zip(
                    self.results,
                    self.cpu_s or [None] * len(self.results),
                    self.raw or [None] * len(self.results),
                    strict=False,
                )
            ],
        }


@dataclass
class Process:
    """Start-up and memory figures of one long-running server of the run."""

    server: str
    label: str
    startup_s: list[float] = field(default_factory=list)
    rss_start_kib: int | None = None
    rss_end_kib: int | None = None


@dataclass
class Report:
    """Everything one ``python -m bench`` run measured."""

    started_at: str
    config: dict[str, object]
    environment: dict[str, object]
    rows: list[Row] = field(default_factory=list)
    processes: list[Process] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def row(self, endpoint: str, server: str) -> Row | None:
        for row in self.rows:
            if row.endpoint == endpoint and row.server == server and row.results:
                return row
        return None

    def failed_rows(self) -> list[Row]:
        """Rows that spoil the comparison: non-2xx responses or no completed request anywhere,
        and socket errors on ours or the ceiling. Prism's own socket errors (``-d`` answering
        slower than wrk's timeout) are its result: flagged in the table, not a failed run."""
        return [
            row
            for row in self.rows
            if row.non_2xx
            or row.empty_rounds
            or (row.errors and not row.server.startswith("prism"))
        ]

    def ratios(self, endpoint: str) -> dict[str, object]:
        """Best-round req/s of ours over Prism's and over the ceiling's; p99 comparison."""
        ours = self.row(endpoint, "ours")
        prism = self.row(endpoint, "prism")
        ceiling = self.row(endpoint, "ceiling")
        return {
            "ours_over_prism": _ratio(ours, prism),
            "uncached_over_prism": _ratio(self.row(endpoint, "uncached"), prism),
            "ours_over_ceiling": _ratio(ours, ceiling),
            "our_p99_below_prism": (
                ours.p99_ms < prism.p99_ms
                if ours and prism and not (ours.empty_rounds or prism.empty_rounds)
                else None
            ),
        }

    def as_dict(self) -> dict[str, object]:
        return {
            "started_at": self.started_at,
            "config": self.config,
            "environment": self.environment,
            "results": [row.as_dict() for row in self.rows],
            "ratios": {key: self.ratios(key) for key in ENDPOINTS if self._has(key)},
            "processes": [
                {
                    "server": p.server,
                    "label": p.label,
                    "startup_s": [round(s, 3) for s in p.startup_s],
                    "rss_after_start_kib": p.rss_start_kib,
                    "rss_after_run_kib": p.rss_end_kib,
                }
                for p in self.processes
            ],
            "notes": self.notes,
            "failed": [f"{r.endpoint}/{r.server}" for r in self.failed_rows()],
        }

    def _has(self, endpoint: str) -> bool:
        return any(row.endpoint == endpoint and row.results for row in self.rows)

    # -- tables -----------------------------------------------------------------------------

    def throughput_table(self) -> tuple[list[str], list[list[str]]]:
        head = [
            "endpoint",
            "server",
            "req/s best",
            "req/s mean",
            "p50 ms",
            "p99 ms",
            "CPU us/req",
            "body B",
            "non-2xx/err",
        ]
        body = []
        for key, label in ENDPOINTS.items():
            first = True
            for row in self.rows:
                if row.endpoint != key or not row.results:
                    continue
                body.append(
                    [
                        label if first else "",
                        row.label,
                        f"{row.rps_best:,.0f}",
                        f"{row.rps_mean:,.0f}",
                        f"{row.p50_ms:.2f}",
                        f"{row.p99_ms:.2f}",
                        "-" if row.cpu_us_per_request is None else f"{row.cpu_us_per_request:,.0f}",
                        str(row.body_bytes),
                        f"{row.non_2xx}/{row.errors - row.non_2xx}"
                        + (" ERROR" if row.errors else "")
                        + (" NO REQUESTS" if row.empty_rounds else ""),
                    ]
                )
                first = False
        return head, body

    def ratio_table(self) -> tuple[list[str], list[list[str]]]:
        head = [
            "endpoint",
            "ours/Prism req/s",
            "ours/ceiling req/s",
            "our p99 < Prism's",
            "cache off/Prism req/s",
        ]
        body = []
        for key, label in ENDPOINTS.items():
            if not self._has(key):
                continue
            ratio = self.ratios(key)
            ours, prism = self.row(key, "ours"), self.row(key, "prism")
            below = ratio["our_p99_below_prism"]
            body.append(
                [
                    label,
                    _times(ratio["ours_over_prism"]),
                    _times(ratio["ours_over_ceiling"]),
                    "-"
                    if below is None or not ours or not prism
                    else f"{'yes' if below else 'no'} ({ours.p99_ms:.2f} vs {prism.p99_ms:.2f} ms)",
                    _times(ratio["uncached_over_prism"]),
                ]
            )
        return head, body

    def process_table(self) -> tuple[list[str], list[list[str]]]:
        head = [
            "server",
            "start-up to first 200 s (best / mean)",
            "RSS after start MiB",
            "RSS after run MiB",
        ]
        body = []
        for p in self.processes:
            startup = (
                f"{min(p.startup_s):.2f} / {statistics.fmean(p.startup_s):.2f}"
                f" (n={len(p.startup_s)})"
                if p.startup_s
                else "-"
            )
            body.append([p.label, startup, _mib(p.rss_start_kib), _mib(p.rss_end_kib)])
        return head, body

    def text(self) -> str:
        """The terminal rendering: three aligned tables and the notes."""
        parts = [
            _aligned(*self.throughput_table(), left=2),
            "",
            _aligned(*self.ratio_table()),
            "",
            _aligned(*self.process_table()),
        ]
        if self.notes:
            parts += ["", *(f"note: {n}" for n in self.notes)]
        return "\n".join(parts)

    def markdown(self) -> str:
        """The Markdown rendering written to bench/results/."""
        cfg = self.config
        env = self.environment
        lines = [
            f"# Benchmark {self.started_at}",
            "",
            f"wrk `-t{cfg['threads']} -c{cfg['connections']} -d{cfg['duration']}s "
            f"--timeout={cfg['duration']}s --latency` "
            f"(dynamic: {cfg.get('dynamic_duration', cfg['duration'])} s), "
            f"{cfg['rounds']} round(s) per server, alternating servers; warm-up "
            f"{cfg['warmup']} s each. Machine: {env.get('cpus')} CPUs, load average "
            f"{_loads(env.get('loadavg_before'))} before the load and "
            f"{_loads(env.get('loadavg_after'))} after. {env.get('wrk')}; "
            f"Prism {env.get('prism') or 'skipped'}; Python {env.get('python')}.",
            "",
            "## Throughput and latency",
            "",
            _markdown(*self.throughput_table(), left=2),
            "",
            "## Ratios (best round)",
            "",
            _markdown(*self.ratio_table()),
            "",
            "## Start-up and memory",
            "",
            _markdown(*self.process_table()),
        ]
        if self.notes:
            lines += ["", "## Notes", "", *(f"- {n}" for n in self.notes)]
        return "\n".join(lines) + "\n"

    def write(self, directory: Path, stamp: str) -> tuple[Path, Path]:
        """Write ``bench-STAMP.md`` and ``bench-STAMP.json``; return both paths."""
        directory.mkdir(parents=True, exist_ok=True)
        md = directory / f"bench-{stamp}.md"
        js = directory / f"bench-{stamp}.json"
        md.write_text(self.markdown())
        js.write_text(json.dumps(self.as_dict(), indent=2) + "\n")
        return md, js


def _ratio(ours: Row | None, other: Row | None) -> float | None:
    if ours is None or other is None or other.rps_best <= 0:
        return None
    return round(ours.rps_best / other.rps_best, 3)


def _loads(value: object) -> str:
    return " / ".join(f"{x:.2f}" for x in value) if isinstance(value, list) else "?"


def _times(value: object) -> str:
    return "-" if value is None else f"{value:.2f}x"


def _mib(kib: int | None) -> str:
    return "-" if kib is None else f"{kib / 1024:.1f}"


def _aligned(head: Sequence[str], body: Sequence[Sequence[str]], left: int = 1) -> str:
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c.ljust(w) if i < left else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return "\n".join([line(head), "  ".join("-" * w for w in widths), *map(line, body)])


def _markdown(head: Sequence[str], body: Sequence[Sequence[str]], left: int = 1) -> str:
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    align = ["---" if i < left else "---:" for i in range(len(head))]
    return "\n".join([line(head), "| " + " | ".join(align) + " |", *map(line, body)])
