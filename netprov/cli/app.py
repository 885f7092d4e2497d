"""The ``netprov`` application and what every command shares: the consoles, exit codes,
and the helpers that load, select and report (each exits with a clear message, never a
traceback).

Exit codes: 0 success, 1 invalid inventory or failed render, 2 usage error, 3 cancelled
(the operator answered no: nothing was changed).
Human output goes through rich; ``--json`` prints one JSON document on stdout for CI.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperCommand, TyperGroup

from netprov.errors import (
    InventoryError,
    JournalError,
    Problem,
    SelectionError,
    Severity,
    SourceError,
)
from netprov.inventory.loader import LoadedInventory, load_inventory
from netprov.models import Phase, Site
from netprov.state.journal import Journal

if TYPE_CHECKING:
    from netprov.twin.running import Twin
    from netprov.twin.scenario import Scenario


# lines are printed as they are (a plan's command, a diff's line, a path stay whole, and a
# table's title is not padded to its width); a sentence that should wrap between words at
# the terminal's width is printed with soft_wrap=False
out = Console(highlight=False, soft_wrap=True)


err = Console(stderr=True, highlight=False)


EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_CANCELLED = 0, 1, 2, 3


def cancelled(run_id: str | None = None) -> NoReturn:
    """The operator answered no: nothing was changed (a run is journaled ``cancelled``),
    which is neither a success nor a failure: exit 3. With ``--json`` a document says so
    (docs/json.md, "A change answered no"), naming the run when one was started."""
    err.print("cancelled; nothing was changed")
    command = json_command()
    if command is not None:
        run = {"run_id": run_id} if run_id is not None else {}
        emit_json({"command": command, "ok": False, "error": "cancelled", **run})
    raise typer.Exit(EXIT_CANCELLED)


def parse_today(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a date (YYYY-MM-DD)", param_hint="--today"
        ) from None


def print_problems(problems: Sequence[Problem]) -> None:
    """One line per problem, compiler style (``file:line: field: message``), so editors
    and CI logs can jump to it; never truncated by the terminal width."""
    for problem in problems:
        mark = "[red]error[/]" if problem.severity is Severity.ERROR else "[yellow]warning[/]"
        field = f" [bold]{escape(problem.field)}[/]:" if problem.field else ""
        where = problem.file if problem.line is None else f"{problem.file}:{problem.line}"
        # messages echo the user's input: never let it be read as rich markup
        err.print(f"{mark} {escape(where)}:{field} {escape(problem.message)}", soft_wrap=True)


def build_twin_or_exit(loaded: LoadedInventory, **options: Any) -> Twin:
    """A twin of the inventory (``build_twin``'s options), or exit 1 listing each starting
    config line the router refuses (file:line: the refused text and the router's words)."""
    from netprov.twin.build import build_twin

    try:
        return build_twin(loaded, **options)
    except InventoryError as exc:
        print_problems(exc.problems)
        err.print(f"[red]✗ the twin cannot start: {len(exc.problems)} error(s)[/]")
        raise typer.Exit(EXIT_INVALID) from None


def load_scenario_or_exit(scenario: Path | None, known_sites: set[str]) -> Scenario | None:
    """A scenario file, or exit 1 listing its problems (file:line: field: message)."""
    from netprov.twin.scenario import load_scenario

    if scenario is None:
        return None
    try:
        return load_scenario(scenario, known_sites)
    except InventoryError as exc:
        print_problems(exc.problems)
        err.print(f"[red]✗ scenario {escape(str(scenario))}: {len(exc.problems)} error(s)[/]")
        raise typer.Exit(EXIT_INVALID) from None


def select(
    loaded: LoadedInventory,
    *,
    limit: list[str] | None,
    kind: list[str] | None,
    wave: Sequence[str | int] | None,
    group: list[str] | None,
) -> list[Site]:
    """The selected sites, or a usage error (exit 2) naming the option and what exists."""
    from netprov.inventory.selection import select_sites, split_csv

    words = split_csv([str(w) for w in wave or []])
    if any(not w.isdigit() for w in words):
        known = ", ".join(sorted({str(s.wave) for s in loaded.sites}, key=int))
        wrong = ", ".join(w for w in words if not w.isdigit())
        raise typer.BadParameter(
            f"{wrong}: a wave is a number (this inventory's: {known})", param_hint="--wave"
        )
    waves = [int(w) for w in words] or None
    try:
        return select_sites(loaded.sites, limit=limit, kinds=kind, waves=waves, groups=group)
    except SelectionError as exc:
        raise Suggested(str(exc), exc.option, exc.suggestion) from None


class Suggested(typer.BadParameter):
    """A bad value with the name probably meant: the ``--json`` usage document's
    ``suggestion`` (read as click's ``possibilities``, as for a misspelt option)."""

    def __init__(self, message: str, option: str, suggestion: str | None) -> None:
        super().__init__(message, param_hint=option)
        self.possibilities = [suggestion] if suggestion else []


def json_value(value: Any) -> Any:
    """A value JSON has no type for: a time as ISO 8601 with its offset (the journal's are
    UTC), a date as ISO 8601, anything else (a path, an enum) as its text.

    Examples:
        >>> json_value(dt.datetime(2026, 12, 6, 21, 57, 19, 718153))
        '2026-12-06T21:57:19+00:00'
        >>> json_value(dt.date(2026, 12, 6))
        '2026-12-06'
    """
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
        return aware.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def emit_json(document: dict[str, Any]) -> None:
    """Every ``--json`` document has one shape (docs/json.md): ``command``, ``ok``,
    ``run_id`` where the command is a journaled run, then ``sites`` (one object per site)
    and/or ``items`` (the command's other records); times are ISO 8601 with an offset."""
    assert {"command", "ok"} <= document.keys(), document.keys()
    assert isinstance(document.get("sites", []), list), "sites is a list of per-site objects"
    sys.stdout.write(json.dumps(document, indent=2, default=json_value) + "\n")


# click's usage error as typer raises it (typer >= 0.25 carries its own copy of click)
UsageError: type[Exception] = next(
    c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError"
)


def emit_usage_error(command: str, exc: Any) -> None:
    """A usage error as a ``--json`` document (exit 2 follows): a script that asked for
    JSON reads why, as it reads an invalid inventory's problems."""
    hint = getattr(exc, "param_hint", None)
    param = getattr(exc, "param", None)
    if hint is None and param is not None:
        hint = "/".join(getattr(param, "opts", None) or [param.name or ""])
    if hint is None:
        hint = getattr(exc, "option_name", None)  # an unknown option
    field = hint if isinstance(hint, str) else "/".join(hint or [])
    possible = sorted(getattr(exc, "possibilities", None) or [])
    problem = Problem(Severity.ERROR, "", None, field.strip("'\""), exc.format_message())
    found = {**problem.as_dict(), "file": None, "suggestion": possible[0] if possible else None}
    emit_json({"command": command, "ok": False, "error": "usage", "problems": [found]})


class NetprovCommand(TyperCommand):
    """A command whose ``--help`` names an argument as the engineer types it (``SITE``,
    ``[sites|organisation]``), without the Python type typer adds (``SITE <str>``) or
    the braces it puts around a required one (``{SITE}``)."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                name = param.metavar or str(param.name).upper()
                pieces.append(name if param.required else f"[{name}]")
        return pieces

    def format_options(self, ctx: Any, formatter: Any) -> None:
        arguments, options = [], []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                arguments.append((param.metavar or str(param.name).upper(), record[1]))
            else:
                options.append(record)
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


class NetprovGroup(TyperGroup):
    """The command group: a usage error of a command run with ``--json`` is also printed as
    a JSON document on stdout (click prints it on stderr either way), exit 2."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        words = [a for a in args if not a.startswith("-")]
        _invoked.update(json="--json" in args, words=words)
        ctx.meta.setdefault("netprov.json", "--json" in args)
        ctx.meta.setdefault("netprov.command", " ".join(words[:2]))
        return super().parse_args(ctx, args)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except UsageError as exc:
            if ctx.meta.get("netprov.json"):
                emit_usage_error(_command_name(exc, ctx), exc)
            show_usage_error(exc)
            raise typer.Exit(getattr(exc, "exit_code", 2)) from None


def show_usage_error(exc: Any) -> None:
    """click's usage error as click prints it, each line wrapped at the terminal's width:
    click writes its message on one line however long (the known site ids, the phases)."""
    shown = io.StringIO()
    exc.show(file=shown)
    lines = []
    for line in shown.getvalue().splitlines():
        wrapped = textwrap.wrap(line, err.width, subsequent_indent="  ", break_on_hyphens=False)
        lines += wrapped or [""]
    sys.stderr.write("\n".join(lines) + "\n")


def _command_name(exc: Any, ctx: Any) -> str:
    """The command as typed after ``netprov`` (``inventory export``), from the context the
    error arose in, else the words given."""
    where = getattr(exc, "ctx", None)
    if where is not None and where.parent is not None:
        return str(where.command_path).split(" ", 1)[-1]
    words = str(ctx.meta.get("netprov.command", "")).split()
    return " ".join(words[:1]) or "netprov"


def load_or_exit(
    inventory: str | Path,
    today: str | None,
    as_json: bool,
    command: str,
    also: Callable[[InventoryError], list[Problem]] | None = None,
) -> LoadedInventory:
    """Load or exit 1 with every problem listed (a source of truth that cannot be read:
    one line); never a traceback, and nothing read means no router touched. ``also``: the
    command's own checks of what did load, listed in the same round."""
    try:
        loaded = load_inventory(inventory, today=parse_today(today))
    except SourceError as exc:
        if as_json:
            problem = Problem(Severity.ERROR, str(inventory), None, "", str(exc))
            emit_json({"command": command, "ok": False, "problems": [problem.as_dict()]})
        else:
            err.print(f"[red]error:[/] {escape(str(exc))}; nothing was read", soft_wrap=True)
        raise typer.Exit(EXIT_INVALID) from None
    except InventoryError as exc:
        found = exc.problems + (also(exc) if also is not None else [])
        found.sort(key=lambda p: (p.file, p.line or 0))
        errors = [p for p in found if p.severity is Severity.ERROR]
        if as_json:
            emit_json({"command": command, "ok": False, "problems": [p.as_dict() for p in found]})
        else:
            print_problems(found)
            unchanged = "; nothing was written" if command == "render" else ""
            err.print(
                f"[red]✗ {inventory}: {len(errors)} error(s)[/], "
                f"{len(found) - len(errors)} warning(s){unchanged}"
            )
            if not str(inventory).startswith("nautobot+") and not Path(inventory).is_dir():
                err.print(escape(sentence(first_steps(Path(inventory)), err.width)), soft_wrap=True)
        raise typer.Exit(EXIT_INVALID) from None
    if loaded.warnings and not as_json:
        print_problems(loaded.warnings)
    return loaded


def sentence(text: str, width: int) -> str:
    """A sentence wrapped at the terminal's width, a word longer than a line (a path) kept
    whole rather than cut, so it can still be copied."""
    return textwrap.fill(text, width, break_long_words=False, break_on_hyphens=False)


def first_steps(inventory: Path) -> str:
    """What to do when there is no inventory folder (a new user's first command)."""
    return (
        f"No inventory at {inventory.absolute()}. Run netprov in the folder that holds "
        "inventory/, or give --inventory DIR. To start one, copy examples/four-offices/ "
        "from netprov's repository and follow README.md's walkthrough."
    )


def parse_phases(values: list[str] | None) -> list[Phase]:
    from netprov.inventory.selection import split_csv

    names = split_csv(values) or ["all"]
    if "all" in names:
        return list(Phase)
    phases = []
    for name in names:
        try:
            phases.append(Phase(name))
        except ValueError:
            choices = ", ".join(p.value for p in Phase)
            raise typer.BadParameter(
                f"{name!r} is not one of: {choices}, all", param_hint="--phase"
            ) from None
    return phases


def one_phase(value: str | None) -> Phase | None:
    """One target phase (``all`` is for render only)."""
    if not value:
        return None
    try:
        return Phase(value)
    except ValueError:
        choices = ", ".join(p.value for p in Phase)
        raise typer.BadParameter(
            f"{value!r} is not a phase; choose one of: {choices}", param_hint="--phase"
        ) from None


def open_journal(
    db: str | None, backups: Path = Path("backups"), *, create: bool = True
) -> Journal:
    """Open the journal, or stop with one clear line (exit 1) before any router is touched."""
    try:
        return Journal(db, backups, create=create)
    except JournalError as exc:
        stop(exc, json_command())
        raise typer.Exit(EXIT_INVALID) from None


# The command line being run, as the group parsed it: a command that stops before any
# result (``stop``) answers in JSON when it was asked for
_invoked: dict[str, Any] = {"json": False, "words": []}


def json_command() -> str | None:
    """The command as typed (``runs``, ``inventory export``) when ``--json`` was given."""
    if not _invoked["json"]:
        return None
    words = _invoked["words"]
    return " ".join(words[:2] if words[:1] in (["inventory"], ["twin"]) else words[:1])


def stop(exc: Exception, json_command: str | None) -> None:
    """A command that stops before any result (a journal not found, a secret not set):
    the reason on stderr, wrapped, and with ``--json`` as a document on stdout, so a script
    reads why (docs/json.md, "A command that stopped")."""
    if json_command is not None:
        problem = {**Problem(Severity.ERROR, "", None, "", str(exc)).as_dict(), "file": None}
        emit_json({"command": json_command, "ok": False, "error": "stopped", "problems": [problem]})
    said = sentence(f"error: {exc}", err.width)
    err.print(f"[red]error:[/]{escape(said.removeprefix('error:'))}", soft_wrap=True)


app = typer.Typer(
    name="netprov",
    cls=NetprovGroup,
    help="Provision and cut over office routers to the central provider, safely.",
    no_args_is_help=True,
    add_completion=False,
    # plain help, as click prints it: 80 columns, no boxes, copied as it reads
    rich_markup_mode=None,
    epilog="\b\nStart with README.md (a city of four offices, rehearsed on the twin):\n"
    "  netprov validate --secrets skip\n  netprov plan --twin --phase dual",
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        out.print(f"netprov {version('netprov')}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Provision and cut over office routers to the central provider, safely."""
