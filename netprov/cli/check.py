"""``netprov check``: the CI gate (validate, render, lint and plan every site offline)."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated

import typer

from netprov.cli.app import EXIT_INVALID, out, parse_today, print_problems
from netprov.cli.options import InventoryOpt, SecretsOpt, TodayOpt, backups_folder
from netprov.errors import Severity
from netprov.secrets import SecretMode

FORMATS = ("text", "json", "junit", "sarif", "markdown")


def check(
    inventory: InventoryOpt = "inventory",
    templates: Annotated[
        Path | None,
        typer.Option(metavar="DIR", help="Templates folder (default: netprov's own)."),
    ] = None,
    backups: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR",
            help="Stored backups (<site>.cfg) to plan against (default: backups/ beside the "
            "inventory folder).",
        ),
    ] = None,
    no_backups: Annotated[
        bool, typer.Option("--no-backups", help="Lint only: no offline plans against backups.")
    ] = False,
    changed_since: Annotated[
        str | None,
        typer.Option(
            "--changed-since",
            metavar="REF",
            help="Only sites whose rendered config differs from git REF.",
        ),
    ] = None,
    output_format: Annotated[
        str,
        typer.Option(
            "--format",
            metavar="FORMAT",
            help="text, json, junit, sarif or markdown.",
        ),
    ] = "text",
    output: Annotated[
        Path | None,
        typer.Option("--out", "--output", "-o", metavar="FILE", help="Write the report to a file."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
    select: Annotated[
        list[str] | None,
        typer.Option("--select", metavar="RULE,...", help="Only these rules (NP001,...)."),
    ] = None,
    ignore: Annotated[
        list[str] | None, typer.Option("--ignore", metavar="RULE,...", help="Skip these rules.")
    ] = None,
    today: TodayOpt = None,
    secrets: SecretsOpt = SecretMode.RESOLVE,
) -> None:
    """CI gate: validate, render, lint, plan offline.

    Every site is validated, rendered for its desired phase, linted (NP001...) and planned
    against its stored backup, with no router contacted. Exit 1 on any error. Secret
    references are resolved here unless --secrets skip (CI without secrets)."""
    from netprov.checks.gate import run_check
    from netprov.checks.gate_report import to_json, to_junit, to_markdown, to_sarif
    from netprov.inventory.selection import split_csv

    if as_json:
        output_format = "json"
    if output_format not in FORMATS:
        raise typer.BadParameter(f"choose one of {', '.join(FORMATS)}", param_hint="--format")
    report = run_check(
        inventory,
        templates=templates,
        backups=None if no_backups else backups_folder(inventory, backups),
        changed_since=changed_since,
        today=parse_today(today),
        select=set(split_csv(select)) or None,
        ignore=set(split_csv(ignore)) or None,
        secrets=secrets,
    )
    writers = {"junit": to_junit, "sarif": to_sarif, "markdown": to_markdown}
    if output_format == "json":
        _write(to_json(report), output)
    elif output_format in writers:
        _write([writers[output_format](report)], output)
    else:
        print_problems(report.problems)
        for finding in report.findings:
            file, line, _ = report.where(finding)
            mark = "[red]error[/]" if finding.severity is Severity.ERROR else "[yellow]warning[/]"
            if finding.suppressed:
                mark = f"[dim]suppressed ({finding.suppressed})[/]"
            out.print(
                f"{mark} {file}:{line}: {finding.rule} {finding.site or ''} {finding.message}",
                soft_wrap=True,
            )
        changes = [s for s in report.sites if s.commands]
        note = f"; {report.secrets.note}" if report.secrets and report.secrets.note else ""
        out.print(
            f"{'[red]✗ check failed' if report.failed else '[green]✓ check passed'}[/]: "
            f"{len(report.sites)} site(s) checked, {len(report.findings)} finding(s), "
            f"{len(changes)} site(s) with planned changes{note}",
            soft_wrap=False,  # a sentence: wrapped at the terminal's width
        )
    if report.failed:
        raise typer.Exit(EXIT_INVALID)


def _write(pieces: Iterable[str], output: Path | None) -> None:
    """The report to ``output`` (or standard output, ending with a newline), piece by piece."""
    with (
        output.open("w", encoding="utf-8") if output is not None else nullcontext(sys.stdout)
    ) as stream:
        last = ""
        for piece in pieces:
            stream.write(piece)
            last = piece or last
        if output is None and not last.endswith("\n"):
            stream.write("\n")
