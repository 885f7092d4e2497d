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
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output on stdout.")]
SecretsOpt = Annotated[
    SecretMode,
    typer.Option(
        "--secrets",
        envvar="NETPROV_SECRETS",
        help="resolve: every secret reference must resolve here (variables, files, keys); "
        "skip: no secret store here (a pull request's CI job), references checked by form.",
    ),
]
TodayOpt = Annotated[
    str | None,
    typer.Option(help="Date to check contracts against (YYYY-MM-DD); default: today."),
]
LimitOpt = Annotated[list[str] | None, typer.Option("--limit", help="Site id(s), comma-separated.")]
KindOpt = Annotated[list[str] | None, typer.Option("--kind", help="Site kind(s).")]
WaveOpt = Annotated[list[int] | None, typer.Option("--wave", help="Wave number(s).")]
GroupOpt = Annotated[list[str] | None, typer.Option("--group", help="Inventory group(s).")]
TwinOpt = Annotated[bool, typer.Option("--twin", help="Start a private twin for this command.")]
HostsOpt = Annotated[
    Path | None, typer.Option("--hosts-file", help="Aim at a running twin's hosts file.")
]
ScenarioOpt = Annotated[Path | None, typer.Option(help="With --twin: faults to inject.")]
FromBackupsOpt = Annotated[
    Path | None,
    typer.Option(
        "--from-backups",
        help="With --twin: each router starts from its backup in this folder (<site>.cfg).",
    ),
]
DbOpt = Annotated[
    str | None, typer.Option("--db", help="Journal URL (default sqlite:///.netprov/state.db).")
]
ChangeOpt = Annotated[str | None, typer.Option("--change-id", help="Change-control reference.")]
BackupsOpt = Annotated[
    Path | None,
    typer.Option(
        "--backups",
        help="Folder of the <site>.cfg backups, kept in git (default: backups/ beside the "
        "inventory folder).",
    ),
]
WorkersOpt = Annotated[int, typer.Option(min=1, max=200, help="Sites worked on at once.")]
PhaseOpt = Annotated[
    str | None, typer.Option(help="Target phase (default: each site's desired phase).")
]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]
NowOpt = Annotated[
    str | None,
    typer.Option(
        help="Time to check maintenance windows at (ISO; without an offset it is the "
        "organisation's time zone); default now."
    ),
]
EngineOpt = Annotated[
    str,
    typer.Option(help="inprocess (this machine) or celery (region workers; docs/scale-out.md)."),
]
BrokerOpt = Annotated[
    str | None, typer.Option(help="With --engine celery: the broker (redis://HOST:PORT/N).")
]
RevertOpt = Annotated[int, typer.Option(min=1, max=120, help="Device-side revert timer.")]


def backups_folder(inventory: str, given: Path | None) -> Path:
    """Where ``<site>.cfg`` backups are kept: ``--backups``, else ``backups/`` beside the
    inventory folder (the team's repository holds both), whatever folder the command runs
    in; for an inventory read from Nautobot, ``backups/`` in the working folder."""
    from netprov.nautobot.client import is_nautobot

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

    @property
    def backups_dir(self) -> Path:
        """The backups folder: ``--backups``, else ``backups/`` beside the inventory."""
        return backups_folder(self.inventory, self.backups)

    def replace(self, **changes: Any) -> RouterOptions:
        """These options with ``changes`` (a resumed run takes its sites from the journal)."""
        return dataclasses.replace(self, **changes)


# the usual runs of shared options, in --help order
TARGETS = ("twin", "from_backups", "hosts_file", "scenario", "db", "backups")
SELECTION = ("workers", "limit", "kind", "wave", "group", "as_json", "today")

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
