"""``bench.wrk.parse_wrk`` on real ``wrk 4.1.0 --latency`` output captured on this machine.

The benchmark itself (``python -m bench``) is not part of the test run; its parser is.
"""

from __future__ import annotations

import pytest

from bench.report import Report, Row
from bench.wrk import WrkResult, parse_wrk, wrk_command

# Our mock, Sendcloud GET /returns/{id}, `python -m bench --quick`.
OURS_200 = """\
Running 3s test @ http://127.0.0.1:40883/sendcloud/api/v2/returns/6238
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    39.79ms   37.57ms 476.12ms   95.84%
    Req/Sec   458.71    147.38     1.06k    88.14%
  Latency Distribution
     50%   33.37ms
     75%   42.17ms
     90%   51.69ms
     99%  248.27ms
  2732 requests in 3.04s, 5.17MB read
Requests/sec:    899.89
Transfer/sec:      1.70MB
"""

# Prism -d: latencies in seconds, printed with a trailing blank.
PRISM_SECONDS = """\
Running 3s test @ http://127.0.0.1:47151/returns/6238
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   648.99ms  648.81ms   2.55s    84.00%
    Req/Sec    11.90      5.18    20.00     70.00%
  Latency Distribution
     50%  342.54ms
     75%  612.21ms
     90%    1.73s \n\
     99%    2.55s \n\
  25 requests in 3.01s, 1.18MB read
Requests/sec:      8.29
Transfer/sec:    400.64KB
"""

# A server answering 404 to everything.
NON_2XX = """\
Running 2s test @ http://127.0.0.1:47123/missing
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     6.08ms    4.13ms  25.46ms   78.10%
    Req/Sec   495.88    219.54     1.16k    72.50%
  Latency Distribution
     50%    4.51ms
     75%    8.00ms
     90%   12.02ms
     99%   19.56ms
  1984 requests in 2.01s, 0.98MB read
  Non-2xx or 3xx responses: 1984
Requests/sec:    987.77
Transfer/sec:    501.60KB
"""

# `--timeout=1s` against a server that sometimes sleeps 1.5 s: slow answers are dropped
# from the histogram and counted as socket timeouts.
TIMEOUTS = """\
Running 3s test @ http://127.0.0.1:47125/
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    45.77ms   13.70ms  58.51ms   78.79%
    Req/Sec    20.00     16.99    60.00     62.50%
  Latency Distribution
     50%   51.94ms
     75%   52.02ms
     90%   54.13ms
     99%   58.51ms
  41 requests in 3.00s, 4.96KB read
  Socket errors: connect 0, read 0, write 0, timeout 8
Requests/sec:     13.65
Transfer/sec:      1.65KB
"""


def test_parses_a_clean_run_of_our_mock() -> None:
    result = parse_wrk(OURS_200)
    assert result.requests_per_sec == pytest.approx(899.89)
    assert result.requests == 2732
    assert result.duration_s == pytest.approx(3.04)
    assert result.bytes_read == round(5.17 * 1024**2)
    assert (result.p50_ms, result.p75_ms, result.p90_ms, result.p99_ms) == pytest.approx(
        (33.37, 42.17, 51.69, 248.27)
    )
    assert result.latency_avg_ms == pytest.approx(39.79)
    assert result.latency_max_ms == pytest.approx(476.12)
    assert result.non_2xx == 0
    assert result.errors == 0


def test_converts_second_units_and_tolerates_trailing_blanks() -> None:
    result = parse_wrk(PRISM_SECONDS)
    assert result.p90_ms == pytest.approx(1730.0)
    assert result.p99_ms == pytest.approx(2550.0)
    assert result.latency_max_ms == pytest.approx(2550.0)
    assert result.requests_per_sec == pytest.approx(8.29)
    assert result.requests == 25


def test_counts_non_2xx_responses_as_errors() -> None:
    result = parse_wrk(NON_2XX)
    assert result.non_2xx == 1984
    assert result.errors == 1984
    assert result.as_dict()["errors"] == 1984


def test_counts_socket_timeouts_as_errors() -> None:
    result = parse_wrk(TIMEOUTS)
    assert result.socket_errors == {"connect": 0, "read": 0, "write": 0, "timeout": 8}
    assert result.non_2xx == 0
    assert result.errors == 8


def test_output_without_latency_distribution_is_rejected() -> None:
    without = "\n".join(
        line
        for line in OURS_200.splitlines()
        if "%" not in line or "Stdev" in line or "Latency " in line or "Req/Sec" in line
    )
    with pytest.raises(ValueError, match="latency distribution"):
        parse_wrk(without)
    with pytest.raises(ValueError, match="Requests/sec"):
        parse_wrk(OURS_200.replace("Requests/sec:", "Requests:"))


def test_command_keeps_slow_answers_in_the_histogram() -> None:
    cmd = wrk_command(
        "http://127.0.0.1:1/x",
        {"Authorization": "Basic abc"},
        duration=10,
        connections=32,
        threads=2,
    )
    assert cmd[:6] == ["wrk", "-t2", "-c32", "-d10s", "--timeout=10s", "--latency"]
    assert cmd[-3:] == ["-H", "Authorization: Basic abc", "http://127.0.0.1:1/x"]


def _row(server: str, non_2xx: int = 0, timeouts: int = 0) -> Row:
    result = WrkResult(100.0, 1000, 10.0, 1, 1.0, 2.0, 1.0, 1.0, 1.0, 2.0, non_2xx=non_2xx)
    result.socket_errors["timeout"] = timeouts
    return Row("dynamic", server, server, "http://127.0.0.1:1/", 10, results=[result])


@pytest.mark.parametrize(
    ("row", "spoils"),
    [
        (_row("ours"), False),
        (_row("ours", timeouts=1), True),
        (_row("ceiling", timeouts=1), True),
        (_row("prism", non_2xx=1), True),
        (_row("prism", timeouts=3), False),  # Prism -d slower than wrk's timeout: its result
    ],
)
def test_which_errors_spoil_the_benchmark(row: Row, spoils: bool) -> None:
    report = Report("now", {}, {}, rows=[row])
    assert (report.failed_rows() == [row]) is spoils
