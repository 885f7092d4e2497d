"""The ``netprov`` command line, one module per group of commands:

========================  ==========================================================
:mod:`~netprov.cli.app`       the application, consoles, exit codes, shared helpers
:mod:`~netprov.cli.options`   the shared options; :class:`RouterOptions`
:mod:`~netprov.cli.session`   one journaled run of a router command
``inventory``                 validate, render, allocate, schema, promote (offline)
``check``                     the CI gate
``change``                    backup, plan, apply, adopt, verify, drift, rollback, trust
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

from netprov.cli import change, check, history, inventory, rollout, sources, twin, workers
from netprov.cli.app import EXIT_INVALID, app, err
from netprov.errors import NetprovError

COMMANDS: list[tuple[str, Callable[..., None]]] = [
    ("validate", inventory.validate),
    ("render", inventory.render),
    ("allocate", inventory.allocate),
    ("schema", inventory.schema),
    ("check", check.check),
    ("backup", change.backup),
    ("plan", change.plan),
    ("apply", change.apply),
    ("adopt", change.adopt),
    ("verify", change.verify),
    ("drift", change.drift),
    ("rollback", change.rollback),
    ("trust", change.trust),
    ("unlock", history.unlock),
    ("runs", history.runs),
    ("run", history.run_detail),
    ("cutover", rollout.cutover),
    ("status", history.status),
    ("report", history.report),
    ("evidence", history.evidence),
    ("finalize", rollout.finalize),
    ("drill", rollout.drill),
    ("promote", inventory.promote),
    ("worker", workers.worker),
]
for _name, _command in COMMANDS:
    app.command(_name)(_command)
sources.inventory_app.command("export")(sources.export)
app.add_typer(sources.inventory_app, name="inventory")
twin.twin_app.command("up")(twin.twin_up)
app.add_typer(twin.twin_app, name="twin")


def main() -> None:
    """Entry point: translate netprov's errors into messages and exit codes, never tracebacks."""
    try:
        app()
    except NetprovError as exc:
        err.print(f"[red]error:[/] {exc}")
        sys.exit(EXIT_INVALID)
    except KeyboardInterrupt:
        err.print("[yellow]interrupted[/]")
        sys.exit(130)


__all__ = ["COMMANDS", "app", "main"]
