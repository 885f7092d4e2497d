"""The options commands share, as typed ``Annotated`` aliases, and :class:`RouterOptions`:
the ones every router command takes, handed to it as one value.

A router command declares only its own parameters and, with :func:`router_command`, the
order of all of them in ``--help``; the shared ones reach it as a ``RouterOptions``.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, get_type_hints

import typer

from netprov.secrets import SecretMode

PHASES = "legacy, dual, central or final"


def between(low: float, high: float | None = None) -> Callable[[Any], Any]:
    """An option's check that its number is ``low`` or more (and ``high`` or less), said
    in words: ``--help`` states the range in its text, not as click's ``1<=x<=200``."""

    def check(value: Any) -> Any:
        if value is not None and (value < low or (high is not None and value > high)):
            wanted = f"between {low:g} and {high:g}" if high is not None else f"{low:g} or more"
            raise typer.BadParameter(f"{value:g} is not {wanted}")
        return value

    return check


InventoryOpt = Annotated[
    str,
    typer.Option(
        "--inventory",
        "-i",
        metavar="DIR|URL",
        help="Inventory folder, or nautobot+https://HOST (docs/source-of-truth.md).",
        show_default=True,
    ),
]
JsonOpt = Annotated[
    bool, typer.Option("--json", help="One JSON document on stdout (docs/json.md).")
]
SecretsOpt = Annotated[
    SecretMode,
    typer.Option(
        "--secrets",
        envvar="NETPROV_SECRETS",
        help="resolve: every secret reference must resolve here (variables, files, keys); "
        "skip: no secret store here (a pull request's CI job), references checked by form. "
        "Also NETPROV_SECRETS.",
    ),
]
TodayOpt = Annotated[
    str | None,
    typer.Option(metavar="YYYY-MM-DD", help="Date to check contracts against (default: today)."),
]
LimitOpt = Annotated[
    list[str] | None,
    typer.Option("--limit", metavar="SITE,...", help="Only these sites (ids)."),
]
KindOpt = Annotated[
    list[str] | None,
    typer.Option("--kind", metavar="KIND,...", help="Only sites of these kinds (opd, desa, ...)."),
]
# text, split and read as numbers by ``select``: ``--wave 0,1`` as ``--kind opd,desa``
WaveOpt = Annotated[
    list[str] | None, typer.Option("--wave", metavar="N,...", help="Only sites of these waves.")
]
GroupOpt = Annotated[
    list[str] | None,
    typer.Option("--group", metavar="GROUP,...", help="Only sites of these inventory groups."),
]
TwinOpt = Annotated[
    bool, typer.Option("--twin", help="Start a private twin (emulated routers) for this command.")
]
HostsOpt = Annotated[
    Path | None,
    typer.Option("--hosts-file", metavar="FILE", help="Aim at a running twin's hosts file."),
]
ScenarioOpt = Annotated[
    Path | None, typer.Option(metavar="FILE", help="With --twin: faults to inject (YAML).")
]
FromBackupsOpt = Annotated[
    Path | None,
    typer.Option(
        "--from-backups",
        metavar="DIR",
        help="With --twin: each router starts from its backup in this folder (<site>.cfg).",
    ),
]
DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        metavar="URL",
        help="Journal database: sqlite:///FILE or postgresql://USER@HOST/NAME (default: "
        "NETPROV_DB, else sqlite:///.netprov/state.db).",
    ),
]
ChangeOpt = Annotated[
    str | None,
    typer.Option("--change-id", metavar="REF", help="Change-control reference, journaled."),
]
BackupsOpt = Annotated[
    Path | None,
    typer.Option(
        "--backups",
        metavar="DIR",
        help="Folder of the <site>.cfg backups, kept in git (default: backups/ beside the "
        "inventory folder).",
    ),
]
WorkersOpt = Annotated[
    int,
    typer.Option(metavar="N", callback=between(1, 200), help="Sites worked on at once (1-200)."),
]
PhaseOpt = Annotated[
    str | None,
    typer.Option(
        metavar="PHASE", help=f"Target phase: {PHASES} (default: each site's desired_phase)."
    ),
]
YesOpt = Annotated[
    bool, typer.Option("--yes", "-y", help="Do not show the plan and ask: go ahead.")
]
NowOpt = Annotated[
    str | None,
    typer.Option(
        metavar="TIME",
        help="Time to read maintenance windows at, ISO 8601 (2026-11-24T02:00 on the "
        "organisation's clock, or with an offset); default: now.",
    ),
]
EngineOpt = Annotated[
    str,
    typer.Option(
        metavar="inprocess|celery",
        help="inprocess (this machine) or celery (region workers; docs/scale-out.md).",
    ),
]
BrokerOpt = Annotated[
    str | None,
    typer.Option(metavar="URL", help="With --engine celery: the broker (redis://HOST:PORT/N)."),
]
VerboseOpt = Annotated[
    bool,
    typer.Option(
        "--verbose",
        "-v",
        help="Print what each session sends and reads, per router (site| line), secrets masked.",
    ),
]
SessionLogOpt = Annotated[
    Path | None,
    typer.Option(
        "--session-log",
        metavar="DIR",
        help="Keep each router's sessions in DIR/<site>.log (netmiko's session log, "
        "secrets masked).",
    ),
]
RevertOpt = Annotated[
    int,
    typer.Option(
        metavar="MIN",
        callback=between(1, 120),
        help="Minutes before the router reverts a change netprov has not confirmed (1-120).",
    ),
]


def backups_folder(inventory: str, given: Path | None) -> Path:
    """Where ``<site>.cfg`` backups are kept: ``--backups``, else ``backups/`` beside the
    inventory folder (the team's repository holds both), whatever folder the command runs
    in; for an inventory read from Nautobot, ``backups/`` in the working folder."""
    from netprov.inventory.nautobot.client import is_nautobot

    if given is not None:
        return given
    if is_nautobot(inventory):
        return Path("backups")
    folder = Path(inventory)
    if folder.name in ("", ".", ".."):
        folder = folder.resolve()
    return folder.parent / "backups"


@dataclass(frozen=True)
class RouterOptions:
    """What every router command is told: the inventory, which routers (a private twin,
    a running twin's hosts file, else the real ones at their management addresses), the
    journal and backups folder, how many sites at once and which sites."""

    inventory: InventoryOpt = "inventory"
    twin: TwinOpt = False
    from_backups: FromBackupsOpt = None
    hosts_file: HostsOpt = None
    scenario: ScenarioOpt = None
    db: DbOpt = None
    backups: BackupsOpt = None  # as given: the folder itself is backups_dir
    change_id: ChangeOpt = None
    workers: WorkersOpt = 10
    limit: LimitOpt = None
    kind: KindOpt = None
    wave: WaveOpt = None
    group: GroupOpt = None
    as_json: JsonOpt = False
    today: TodayOpt = None
    engine: EngineOpt = "inprocess"
    broker: BrokerOpt = None
    verbose: VerboseOpt = False
    session_log: SessionLogOpt = None

    @property
    def backups_dir(self) -> Path:
        """The backups folder: ``--backups``, else ``backups/`` beside the inventory."""
        return backups_folder(self.inventory, self.backups)

    def replace(self, **changes: Any) -> RouterOptions:
        """These options with ``changes`` (a resumed run takes its sites from the journal)."""
        return dataclasses.replace(self, **changes)


# the usual runs of shared options, in --help order
TARGETS = ("twin", "from_backups", "hosts_file", "scenario", "db", "backups")
SELECTION = (
    "workers",
    "limit",
    "kind",
    "wave",
    "group",
    "as_json",
    "today",
    "verbose",
    "session_log",
)

Command = Callable[..., None]


def router_command(*layout: str) -> Callable[[Command], Command]:
    """The command with the shared options added to its own parameters, in ``layout``
    order (field names of :class:`RouterOptions` and the command's own parameter names:
    the order ``--help`` lists them in). The command's first parameter receives the shared
    ones as a ``RouterOptions``; a shared option left out of ``layout`` keeps its default.
    """
    shared_hints = get_type_hints(RouterOptions, include_extras=True)
    defaults = {f.name: f.default for f in dataclasses.fields(RouterOptions)}

    def decorate(command: Command) -> Command:
        own = list(inspect.signature(command).parameters.values())[1:]
        hints = get_type_hints(command, include_extras=True)
        named = {p.name: p for p in own}
        unknown = [n for n in layout if n not in named and n not in defaults]
        unplaced = [n for n in named if n not in layout]
        if unknown or unplaced or len(set(layout)) != len(layout):
            raise TypeError(f"{command.__name__}: layout {layout} vs parameters {list(named)}")
        parameters = [
            named[name].replace(annotation=hints[name], kind=inspect.Parameter.KEYWORD_ONLY)
            if name in named
            else inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                default=defaults[name],
                annotation=shared_hints[name],
            )
            for name in layout
        ]

        def with_options(**values: Any) -> None:
            shared = {name: values.pop(name) for name in list(values) if name in defaults}
            command(RouterOptions(**shared), **values)

        with_options.__name__ = command.__name__
        with_options.__qualname__ = command.__qualname__
        with_options.__doc__ = command.__doc__
        with_options.__module__ = command.__module__
        with_options.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
        with_options.__annotations__ = {p.name: p.annotation for p in parameters}
        return with_options

    return decorate
