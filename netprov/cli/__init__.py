"""The ``netprov`` command line, one module per group of commands:

========================  ==========================================================
:mod:`~netprov.cli.app`       the application, consoles, exit codes, shared helpers
:mod:`~netprov.cli.options`   the shared options; :class:`RouterOptions`
:mod:`~netprov.cli.router_run` one journaled run of a router command
``inventory``                 validate, render, allocate, schema (offline)
``promote``                   promote (the desired phase, in files or Nautobot)
``check``                     the CI gate
``change``                    backup, plan, apply, adopt, verify, drift, trust
``rollback``                  rollback (a stored backup restored)
``rollout``                   cutover, finalize, drill
``history``                   runs, run, status, report, evidence, unlock (the journal)
``sources``                   inventory export (to Nautobot or a folder)
``twin``                      twin up
``workers``                   worker (scale-out, docs/scale-out.md)
========================  ==========================================================

Commands are registered here, in the order ``netprov --help`` lists them; importing a
command module registers nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from netprov.cli import (
    change,
    check,
    history,
    inventory,
    promote,
    rollback,
    rollout,
    sources,
    twin,
    workers,
)
from netprov.cli.app import EXIT_INVALID, NetprovCommand, app, err, json_command, stop
from netprov.errors import NetprovError

# each command, and the example its --help ends with
COMMANDS: list[tuple[str, Callable[..., None], str]] = [
    ("validate", inventory.validate, "netprov validate --secrets skip"),
    ("render", inventory.render, "netprov render --phase all --out build/configs"),
    ("allocate", inventory.allocate, "netprov allocate --csv build/order-sheet.csv"),
    ("schema", inventory.schema, "netprov schema sites > sites.schema.json"),
    ("check", check.check, "netprov check --changed-since origin/main --format markdown"),
    ("backup", change.backup, "netprov backup --wave 0 --commit"),
    ("plan", change.plan, "netprov plan --twin --phase dual --limit setda --diff"),
    ("apply", change.apply, "netprov apply --phase dual --limit setda --change-id CR-118"),
    ("adopt", change.adopt, "netprov adopt --limit kec-sukarame"),
    ("verify", change.verify, "netprov verify --phase dual --limit setda"),
    ("drift", change.drift, "netprov drift --wave 0"),
    ("rollback", rollback.rollback, "netprov rollback --limit setda"),
    ("trust", change.trust, "netprov trust --wave 0"),
    ("unlock", history.unlock, "netprov unlock setda --run 20261207-004001-5588af"),
    ("runs", history.runs, "netprov runs --last 5"),
    ("run", history.run_detail, "netprov run 20261207-004001-5588af"),
    ("cutover", rollout.cutover, "netprov cutover --wave 0 --change-id CR-118"),
    ("status", history.status, "netprov status --wave 0"),
    ("report", history.report, "netprov report --lang id --out build/report.html"),
    ("evidence", history.evidence, "netprov evidence setda --out build/evidence"),
    ("finalize", rollout.finalize, "netprov finalize --soak 14d --wave 0"),
    ("drill", rollout.drill, "netprov drill --limit setda"),
    ("promote", promote.promote, "netprov promote --wave 0 --to dual"),
    (
        "worker",
        workers.worker,
        "netprov worker --queue priangan --broker redis://10.250.0.60:6379/0",
    ),
]


def example(command: str) -> str:
    """The ``--help`` epilog of a command: one example, kept as written (``\\b``)."""
    return f"\b\nExample:\n  {command}"


for _name, _command, _example in COMMANDS:
    app.command(_name, cls=NetprovCommand, epilog=example(_example))(_command)
sources.inventory_app.command(
    "export",
    cls=NetprovCommand,
    epilog=example("netprov inventory export --to build/inventory-yaml"),
)(sources.export)
app.add_typer(sources.inventory_app, name="inventory")
twin.twin_app.command(
    "up", cls=NetprovCommand, epilog=example("netprov twin up --hosts-file build/hosts.yaml")
)(twin.twin_up)
app.add_typer(twin.twin_app, name="twin")


def main() -> None:
    """Entry point: translate netprov's errors into messages and exit codes, never tracebacks."""
    try:
        app()
    except NetprovError as exc:
        stop(exc, json_command())
        sys.exit(EXIT_INVALID)
    except KeyboardInterrupt:
        err.print("[yellow]interrupted[/]")
        sys.exit(130)


__all__ = ["COMMANDS", "app", "main"]
