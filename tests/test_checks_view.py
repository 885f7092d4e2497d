"""Issue 36 (6): what was checked is seen. `verify` printed "verified" and nothing of its
checks; `netprov run ID` showed them as raw JSON cut at 120 characters. Each check now is
a row (check, expected, seen, ok) of a table per site that fits 80 columns; `--json` keeps
its shape (tests/fixtures/cli/json-shapes.json)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netprov.cli import app
from netprov.models import Phase
from netprov.state.journal import Journal
from netprov.state.journal_rows import Step
from netprov.twin.pytest_plugin import TwinFactory
from tests.conftest import twin_cli_args

SITES = ["hotspot-alun-alun-kota", "setda"]  # the longest site id (RouterOS), and IOS


def _rows_of(table: str, checks: list[dict[str, object]]) -> None:
    """``table`` (a header, its rule, then rows) holds every check in order, each as a row
    starting with the check's name and ending with its verdict, in 80 columns."""
    lines = table.rstrip("\n").splitlines()
    assert all(len(line) <= 80 for line in lines), table
    assert lines[0].split() == ["check", "expected", "seen", "ok"], table
    verdicts = [line for line in lines[2:] if re.search(r"\s(ok|FAILED)\s*$", line)]
    assert len(verdicts) == len(checks), table
    for check, line in zip(checks, verdicts, strict=True):
        assert line.split()[0] == str(check["name"]).split()[0], (check, line)
        assert line.rstrip().endswith("ok" if check["ok"] else "FAILED"), (check, line)


@pytest.mark.twin
def test_verify_and_run_show_every_check_in_80_columns(
    cli: CliRunner, twin_factory: TwinFactory, tmp_path: Path
) -> None:
    twin = twin_factory(SITES)
    common = twin_cli_args(twin, tmp_path, ",".join(SITES))
    # the routers hold legacy: checked for dual, the central line's checks fail
    verified = cli.invoke(app, ["verify", *common, "--phase", "dual"], terminal_width=80)
    assert verified.exit_code == 1, verified.output
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "b")
    run_id = journal.runs(1)[0].id
    _, steps = journal.run(run_id)
    checks = {s.site: s.data for s in steps if s.step == "verified"}
    assert sorted(checks) == SITES
    assert "FAILED" in verified.stdout
    # a table per site, titled by its id (whole) and its outcome, in the order of the ids
    tables = re.split(r"(?m)^(\S+): failed$", verified.stdout.split("\nverify (run")[0])
    assert tables[1::2] == SITES, verified.stdout
    for site, table in zip(SITES, tables[2::2], strict=True):
        _rows_of(table.lstrip("\n"), checks[site])

    shown = cli.invoke(app, ["run", run_id, *common[4:6]], terminal_width=80)  # --db
    assert shown.exit_code == 0, shown.output
    assert '{"name"' not in shown.stdout  # no raw JSON
    for site in SITES:
        summary = rf"{site}\s+verified\s+{len(checks[site])} check\(s\), \d+ failed \(below\)"
        assert re.search(summary, shown.stdout), shown.stdout
    tables = re.split(r"(?m)^(\S+): verified at \d\d:\d\d:\d\d$", shown.stdout)
    assert sorted(tables[1::2]) == SITES, shown.stdout
    for site, table in zip(tables[1::2], tables[2::2], strict=True):
        _rows_of(table.lstrip("\n"), checks[site])


def test_run_prints_every_step_in_80_columns_and_cuts_none(cli: CliRunner, tmp_path: Path) -> None:
    """Found in review: a step's line ran past 80 columns (a backup's 64-digit digest) and
    a revert's reason, the failed checks' names, was cut at 117 characters with "..."."""
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "b")
    run = journal.start_run("apply", phase=Phase.DUAL)
    site = "hotspot-alun-alun-kota"
    reason = "failed checks: " + ", ".join(
        [
            "ping internet probe 199.7.83.42 from LAN via central",
            "path MTU via central: 1500-byte DF ping to 199.7.83.42",
            "shaping on central",
        ]
    )
    journal.step(run, site, Step.BACKED_UP, detail="ab" * 32)
    journal.step(run, site, Step.REVERTED, detail=reason)
    journal.step(run, site, Step.ROLLED_BACK, detail="running config identical to backup")
    shown = cli.invoke(
        app, ["run", run, "--db", f"sqlite:///{tmp_path / 'j.db'}"], terminal_width=80
    )
    assert shown.exit_code == 0, shown.output
    lines = shown.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines), shown.stdout
    assert sum(site in line for line in lines) == 3, shown.stdout  # never cut nor wrapped
    words = " ".join(shown.stdout.split())
    assert reason in words, shown.stdout  # whole, wrapped at spaces
    assert "..." not in shown.stdout
    assert "ab" * 32 in "".join(shown.stdout.split()), shown.stdout  # folded, not cut
