"""The pure parts of ``bench/peers.py`` (issue 11 pt 7): report parsing and the table.

The comparison itself (``python -m bench.peers``) serves every broken implementation and runs
both tools; it is a benchmark, not part of the tests.
"""

from __future__ import annotations

from bench.peers import (
    Row,
    ToolRun,
    markdown,
    new_failures,
    parse_conformance_junit,
    parse_schemathesis_report,
    table_rows,
    text_table,
    totals,
)

# Trimmed from a real `st run … --report json` (Schemathesis 4.32.5) against the mock.
ST_REPORT = {
    "schemathesis_version": "4.32.5",
    "running_time": 15.2,
    "exit_code": 1,
    "failures": [
        {
            "type": "MissingHeaderNotRejected",
            "code": "ST203",
            "title": "Missing required header accepted",
            "count": 2,
            "operations": ["GET /orders", "GET /returns"],
        },
        {
            "type": "RejectedPositiveData",
            "code": "ST202",
            "title": "Schema-valid request rejected",
            "count": 1,
            "operations": ["POST /returns"],
        },
    ],
    "errors": [],
}

# The shape `conformance run --junit-xml` writes (conformance/report.py).
JUNIT = """<?xml version='1.0' encoding='utf-8'?>
<testsuites name="conformance">
  <testsuite name="conformance.glue" time="9.500">
    <testcase classname="conformance.glue" name="not_a_server_error" time="0" />
    <testcase classname="conformance.glue" name="glue_unknown_return_is_404_3602" time="0">
      <failure type="glue_unknown_return_is_404_3602"
        message="glue_unknown_return_is_404_3602: 2 violation(s); first: GET /returns/x boom">
        details</failure>
    </testcase>
    <testcase classname="conformance.glue" name="unsupported_method" time="0">
      <failure type="unsupported_method" message="unsupported_method: 4 violation(s); first: x" />
    </testcase>
    <testcase classname="conformance.glue" name="glue_item_sums" time="0">
      <skipped message="no item" />
    </testcase>
  </testsuite>
</testsuites>
"""


def test_schemathesis_report_gives_code_and_operation_per_failure() -> None:
    run = parse_schemathesis_report(ST_REPORT)
    assert run.failures == {"ST203 GET /orders", "ST203 GET /returns", "ST202 POST /returns"}
    assert run.violations == 3 and run.seconds == 15.2 and not run.problem
    assert parse_schemathesis_report({"failures": []}).failures == set()
    assert parse_schemathesis_report(["nope"]).problem


def test_conformance_junit_gives_failed_checks_and_violations() -> None:
    run = parse_conformance_junit(JUNIT)
    assert run.failures == {"glue_unknown_return_is_404_3602", "unsupported_method"}
    assert run.violations == 6 and run.seconds == 9.5


def test_caught_means_new_failures_for_schemathesis_and_the_named_check_for_ours() -> None:
    baseline = {"ST203 GET /orders"}
    st = parse_schemathesis_report(ST_REPORT)
    ours = parse_conformance_junit(JUNIT)
    row = Row("glue-3602-as-400", "glue", "glue_unknown_return_is_404_3602", st, ours)
    row.schemathesis_new = new_failures(st.failures, baseline)
    assert row.schemathesis_new == {"ST203 GET /returns", "ST202 POST /returns"}
    assert row.schemathesis_caught and row.conformance_caught
    missed = Row("x", "glue", "glue_item_sums", st, ours, schemathesis_new=set())
    assert not missed.schemathesis_caught and not missed.conformance_caught
    timed_out = Row("y", "glue", "unsupported_method", ToolRun(problem="timeout"), ours)
    timed_out.schemathesis_new = {"ST1"}
    assert not timed_out.schemathesis_caught


def test_table_totals_and_markdown() -> None:
    st = parse_schemathesis_report(ST_REPORT)
    ours = parse_conformance_junit(JUNIT)
    caught = Row("a", "glue", "unsupported_method", st, ours, schemathesis_new={"ST202 x"})
    missed = Row("b|c", "glue", "glue_item_sums", ToolRun(problem="timeout after 75s"), ours)
    reference = Row("reference backend", "glue", "", st, ToolRun())
    rows = [caught, missed, reference]
    table = table_rows(rows)
    assert table[0][:5] == ["target", "api", "expected check", "schemathesis", "conformance"]
    assert table[1][3:5] == ["✅", "✅"]
    assert table[2][3:5] == ["- (timeout after 75s)", "❌"]
    assert table[3][2:5] == ["(false alarms)", "3", "0"]
    summary = totals(rows)
    assert summary["broken implementations"] == "2"
    assert summary["caught by schemathesis"] == "1"
    assert summary["caught by conformance"] == "1"
    assert summary["false alarms of schemathesis (reference backend)"] == "glue 3"
    assert summary["false alarms of conformance (reference backend)"] == "glue 0"
    text = text_table(rows)
    assert "caught by conformance: 1" in text and text.splitlines()[1].startswith("---")
    document = markdown(rows, {"seed": "1"})
    assert document.startswith("# Peers") and "- **seed:** 1" in document
    assert "| b\\|c | glue |" in document
