"""MikroTik RouterOS config semantics: menus, ``add/set/remove/print/export``, ``/ping``, files,
of the RouterOS version the router runs (RouterOS 7 unless its config or the inventory says
otherwise; what differs between versions is in :mod:`netprov.syntax.routeros_versions`).

State is a set of menus: tables of items (``/ip address``), settings (``/ip dns``) and
tables with built-in default items (``/ip service``). ``/export terse`` renders it with the
same line format netprov's templates produce, so a rendered config and an export compare.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Mapping
from ipaddress import IPv4Address, IPv4Interface

from netprov.sim.routeros import device_mode, edits, files, forwarding, jobs, lines, marks, queues
from netprov.sim.routeros import export as ros_export
from netprov.sim.routeros.console import RosOutput
from netprov.sim.routeros.firewall import RosFilter
from netprov.sim.routeros.lines import HARDWARE_PORT, RosError
from netprov.sim.routeros.menus import known_menu
from netprov.sim.routeros.schema import (
    DEFAULT_ITEMS,
    DEFAULT_SERVICES,
    INTERFACE_MENUS,
    KEPT_MENUS,
    MENUS,
    TABLES,
    Item,
)
from netprov.sim.routeros.verbatim import VerbatimError, VerbatimMenus
from netprov.sim.topology import Link, Router, World
from netprov.syntax import routeros_versions
from netprov.syntax.routeros import (
    SETTINGS,
    logical_lines,
    params_of,
)
from netprov.syntax.routeros_versions import RosVersion


class RosDevice:
    """State of one RouterOS router."""

    def __init__(
        self,
        *,
        ports: list[str],
        world: World,
        schedule: Callable[[float, Callable[[], None]], Callable[[], None]],
        now: Callable[[], dt.datetime],
        identity: str = "MikroTik",
        version: RosVersion = routeros_versions.DEFAULT,
    ) -> None:
        self.version = version  # an export loaded names its own (load_initial)
        self.ipv6 = version.major >= 7  # the ipv6 menus (v6: routeros_versions.ipv6_package)
        self.world = world
        self._waiting: list[Item] = []  # the starting config's scheduler jobs, clock unbound
        self.schedule = schedule
        self.now = now
        self.settings: dict[str, Item] = {menu: dict(values) for menu, values in SETTINGS.items()}
        # this router's factory values (/export leaves them out): a starting config that
        # prints a value the twin takes for the factory one shows this router's differs
        self.factory: dict[str, Item] = {menu: dict(values) for menu, values in SETTINGS.items()}
        self.tables: dict[str, list[Item]] = {menu: [] for menu in TABLES}
        # the hardware ports, by their factory names (a name the inventory gives a port
        # the office renamed is the office's rename, in its config)
        self.tables["/interface ethernet"] = [
            {"name": p, "default-name": p, ".default": "yes"}
            for p in ports
            if HARDWARE_PORT.fullmatch(p)
        ]
        self.tables["/ip service"] = [
            {"name": n, "port": p, ".default": "yes"} for n, p in DEFAULT_SERVICES.items()
        ]
        self.tables["/snmp community"] = [
            {"name": "public", "addresses": "::/0", ".default": "yes", ".key": "public"}
        ]
        self.tables.update(
            {menu: [dict(i) for i in items] for menu, items in DEFAULT_ITEMS.items()}
        )
        self.defaults = {
            menu: [dict(item) for item in items] for menu, items in self.tables.items()
        }
        self.files: dict[str, str] = {}
        self.log: list[str] = []  # what ``/log print`` would show of scripts that failed
        # the features the owner allows at the device (not configuration: never exported)
        self.device_mode = device_mode.device_mode()
        self.timers: dict[str, Callable[[], None]] = {}
        self.next_id = 1
        self.rejections: list[re.Pattern[str]] = []
        self.ignored: list[re.Pattern[str]] = []  # accepted, never applied (a fault)
        self.on_config_line: Callable[[], None] = lambda: None
        self.on_reboot: Callable[[], None] = lambda: None
        self.booted = now()
        self.loading = False  # a config being loaded as it stands: no script runs
        self._quiet = False  # commands previewed: no DHCP client's script runs
        self.users = ["admin"]  # local users (the twin adds the one it lets log in)
        self.verbatim = VerbatimMenus()  # what the twin does not model, kept as it came
        self.connections: dict[marks.Connection, str] = {}  # tracked, and their marks
        self._last_menu: str | None = None  # where a new unmodelled menu's block goes
        # its console output (the twin's RosShow): the twin attaches it; the offline
        # model only applies config
        self.show: RosOutput | None = None

    def console(self) -> RosOutput:
        if self.show is None:
            raise RosError("print: this router model has no console (the twin attaches one)")
        return self.show

    # the twin takes no SCP onto a RouterOS router: netprov and its clients type commands
    accepts_files = False

    def store_file(self, path: str, data: bytes) -> None:
        """A file put on the router (``/file``), as text."""
        self.files[path] = data.decode(errors="replace")

    def allow_user(self, name: str) -> None:
        """Let ``name`` log in (a local user, as ``/user print`` lists them)."""
        if name not in self.users:
            self.users.append(name)

    def after_reboot(self) -> None:
        """A reboot: RouterOS comes back with the config it had (a scheduled restore is in
        it), its uptime starts again and it tracks no connection ("Resource", "Firewall")."""
        self.booted = self.now()
        self.connections.clear()

    def queue_for(self, source: IPv4Address, destination: IPv4Address) -> str | None:
        """The simple queue that takes a packet from ``source`` to ``destination``
        (:func:`netprov.sim.routeros.queues.queue_taking`)."""
        return queues.queue_taking(self, source, destination)

    # --- loading and running commands ----------------------------------------------------

    def load_initial(self, text: str) -> list[tuple[int, str]]:
        """Load a config in either export form: terse (a full path on every line) or the
        default block form (a menu line, then ``add``/``set`` lines relative to it), with
        ``\\`` line continuations joined. The config is the router's as it stands: what its
        scripts made is in it already, so none of them runs (:meth:`boot` runs them)."""
        rejected = []
        path = "/"
        self.version = routeros_versions.export_version(text) or self.version
        self.ipv6 = routeros_versions.ipv6_package(self.version, text)
        self.loading = True
        try:
            for number, line in logical_lines(text):
                if line.strip() and not line.lstrip().startswith("#"):
                    output, path = self.run(line, path)
                    if output:
                        rejected.append((number, f"{line.strip()} -> {output}"))
        finally:
            self.loading = False
        return rejected

    def boot(self) -> None:
        """The router comes up with its config, tracking no connection: each enabled DHCP
        client obtains a lease, and its script runs ("DHCP client": on status change)."""
        self.connections.clear()
        for client in list(self.tables["/ip dhcp-client"]):
            if client.get("disabled") != "yes":
                self.lease_event(client)

    def run(self, line: str, path: str) -> tuple[str, str]:
        """Run one command line at menu ``path``; return (output, new path)."""
        try:
            return self._run(line.strip(), path)
        except RosError as exc:
            return str(exc), path

    def execute(self, line: str, path: str) -> tuple[str, str]:
        """:meth:`run`, a refusal raised as :class:`RosError` (a script stops there)."""
        return self._run(line.strip(), path)

    def _run(self, line: str, path: str) -> tuple[str, str]:
        if not line:
            return "", path
        if self.rejections and any(pattern.search(line) for pattern in self.rejections):
            raise RosError("failure: command rejected by device policy")
        if self.ignored and any(pattern.search(line) for pattern in self.ignored):
            return "", path
        if line.startswith("/tool fetch") and not device_mode.allows(self.device_mode, "fetch"):
            raise RosError(device_mode.REFUSED)
        if line.startswith(("/ip dhcp-server lease", "/tool fetch", ":put")):
            special = self.show.special(line) if self.show is not None else None
            if special is not None:
                return special, path
        menu, verb, args, column = lines.resolved(line, path)
        if menu == "/system device-mode update":  # "update" is its command, not a menu
            menu, verb = "/system device-mode", "update"
        refused = routeros_versions.refusal(
            self.version, line, menu, verb, args, loading=self.loading, ipv6=self.ipv6
        )
        if refused is not None:
            raise RosError(refused)
        if verb is None:
            return "", menu  # navigation only
        output = self._verb(menu, verb, list(args), column)
        if verb in {"add", "set"}:
            self._last_menu = menu
        return output, path

    def _verb(self, menu: str, verb: str, args: list[str], column: int) -> str:
        if verb == "export":
            return ros_export.export_command(self, menu, args)
        if menu == "/" and verb == "ping":
            return forwarding.ping(self, args)
        if menu == "/" and verb == "import":
            return files.import_file(self, args)
        if menu == "/" and verb == "quit":
            return ""
        if menu == "/system backup":
            return files.backup(self, verb, params_of(args))
        if menu == "/system device-mode":
            return device_mode.command(self.device_mode, verb, self.console())
        if menu == "/system script" and verb == "run":
            return jobs.run_script(self, args[0] if args else "")
        if menu == "/system" and verb == "reboot":
            self.on_reboot()
            return ""
        if menu == "/interface" and verb == "print":
            return self.console().print_interfaces(args)
        if menu == "/interface vlan" and verb == "print":
            return self.console().print_vlans(args)
        if menu == "/system resource" and verb == "print":
            return (console := self.console()).settings(console.resource())
        if menu == "/system routerboard" and verb == "print":
            return (console := self.console()).settings(console.routerboard())
        if menu == "/ip route" and verb == "print":
            return self.console().print_routes(args)
        if menu == "/ip arp" and verb == "print":
            return self.console().print_arp(args)
        if menu in KEPT_MENUS:
            return self._unmodelled(menu, verb, args)
        if menu == "/user" and verb == "print":
            return self.console().print_users(args)
        if menu == "/ip dhcp-client" and verb in {"renew", "release"}:
            # the server answers at once on the twin: the lease is renewed, or released and
            # obtained again; either way the client's script runs (MikroTik manual,
            # "DHCP client": renew, release; script runs on a status change)
            for client in self.select(menu, self.tables[menu], args[0] if args else ""):
                self.lease_event(client)
            return ""
        if menu == "/file":
            return files.file_command(self, verb, args)
        if menu in SETTINGS or menu in TABLES:
            try:
                if menu in SETTINGS:
                    return edits.setting(self, menu, verb, args, column)
                return self._table(menu, verb, args, column)
            except RosError:
                if not (self.loading and lines.routeros6_form(menu, verb, args)):
                    raise
                # the router printed it, in a form of another RouterOS version (RouterOS 6's
                # "/tool mac-server add interface=..." where 7 has a setting): kept as it is
                return self._unmodelled(menu, verb, args)
        if menu not in MENUS and known_menu(tuple(menu.lstrip("/").split())):
            return self._unmodelled(menu, verb, args)
        raise RosError(f"bad command name {verb} (line 1 column {column})")

    def limit(self, mode: str, features: Mapping[str, bool]) -> None:
        """Run in ``mode`` with ``features`` on or off (:mod:`.device_mode`)."""
        self.device_mode = device_mode.limited(self.version, mode, features)

    def run_typed(self, text: str) -> None:
        """Run ``text``'s lines as typed at the prompt (what the router keeps of each, as
        it keeps it), no DHCP client's script run: a plan's commands, previewed."""
        self._quiet = True
        try:
            for _, line in logical_lines(text):
                self.run(line, "/")
        finally:
            self._quiet = False

    def _unmodelled(self, menu: str, verb: str, args: list[str]) -> str:
        """A menu the twin does not model: its lines are kept as they came, printed back
        in place by ``/export`` (netprov.sim.routeros.verbatim)."""
        try:
            output = self.verbatim.run(menu, verb, args, after=self._last_menu)
        except VerbatimError as exc:
            raise RosError(str(exc)) from exc
        if verb in {"add", "set", "remove", "enable", "disable"}:
            self.on_config_line()
        return output

    # --- settings -----------------------------------------------------------------------------

    # --- tables -------------------------------------------------------------------------------

    def _table(self, menu: str, verb: str, args: list[str], column: int) -> str:
        items = self.tables[menu]
        if verb == "print":
            return self.console().print(menu, items, args)
        if verb == "add":
            given, place_before = lines.add_arguments(tuple(args))
            params = routeros_versions.added_item(self.version, menu, given)
            edits.check(self, menu, params, column + len(verb) + 1)
            if menu == "/ip address" and "network" not in params:
                params["network"] = str(IPv4Interface(params["address"]).network.network_address)
            if menu == "/ip address" and any(
                i.get("address") == params.get("address") for i in items
            ):
                raise RosError("failure: already have such address")
            params[".id"] = f"*{self.next_id:X}"
            self.next_id += 1
            if place_before is None:
                items.append(params)
            else:
                before = self.select(menu, items, place_before)
                if not before:
                    raise RosError("failure: no such item (place-before)")
                items.insert(items.index(before[0]), params)
            if menu == "/system scheduler":
                self._arm(params)
            if menu == "/ip dhcp-client":
                self.lease_event(params)
            self.on_config_line()
            return ""
        if verb in {"set", "remove", "enable", "disable", "unset"}:
            edits.edit(self, menu, items, verb, args, column)
            self.on_config_line()
            return ""
        if verb == "find":
            return ";".join(
                i[".id"] for i in self.select(menu, items, "[ find " + " ".join(args) + " ]")
            )
        if verb == "move" and args:
            rest, destination = lines.split_named(args, "destination")
            ahead = self.select(menu, items, destination)[0] if destination else None
            lines.move(items, self.select(menu, items, rest[0] if rest else ""), ahead)
            self.on_config_line()
            return ""
        raise RosError(f"bad command name {verb} (line 1 column {column})")

    def lease_event(self, client: Item, *, released: bool = False) -> None:
        if not (self.loading or self._quiet):  # a loaded config's scripts ran already
            jobs.lease_event(self, client, released=released)

    def select(self, menu: str, items: list[Item], selector: str) -> list[Item]:
        """The items of ``menu`` a selector names (netprov.sim.routeros.edits.select)."""
        return edits.select(self, menu, items, selector)

    def list_names(self) -> set[str]:
        return {i["name"] for i in self.tables["/interface list"]} | {"all", "none", "dynamic"}

    def interface_names(self) -> set[str]:
        names: set[str] = set()
        for menu in INTERFACE_MENUS:
            names |= {i["name"] for i in self.tables[menu]}
        return names | self.verbatim.interface_names() | lines.BUILTIN_INTERFACES

    def routing_tables(self) -> set[str]:
        """The routing tables: ``main`` and those ``/routing table`` adds."""
        return {"main"} | self.verbatim.names("/routing table")

    # --- export ---------------------------------------------------------------------------------

    def export(
        self, *, terse: bool = True, sensitive: bool = True, under: str = "/", verbose: bool = False
    ) -> str:
        """The config as ``/export`` prints it (:func:`netprov.sim.routeros.export.export`)."""
        return ros_export.export(
            self, terse=terse, sensitive=sensitive, under=under, verbose=verbose
        )

    def router(self) -> Router:
        """The routing model of this state, for the simulated world."""
        return forwarding.router_of(self)

    def packet_filter(self, links: Iterable[Link]) -> RosFilter:
        """The input filter a new management session meets on ``links``."""
        return forwarding.packet_filter_of(self, links)

    def config_text(self) -> str:
        return self.export(terse=True)

    # --- backup ---------------------------------------------------------------------------------

    def snapshot(self) -> str:
        return json.dumps(
            {
                "settings": self.settings,
                "tables": self.tables,
                "next_id": self.next_id,
                "verbatim": self.verbatim.to_json(),
            }
        )

    def restore(self, data: str) -> None:
        self.put_back(data)
        self.boot()  # loading a backup reboots the router

    def put_back(self, data: str, timers: Mapping[str, Callable[[], None]] | None = None) -> None:
        """The config of :meth:`snapshot` again, nothing rebooted: its jobs re-armed, or,
        given the ``timers`` running when it was taken, those kept running as they were
        and any other stopped (a dry run leaves the clock of every job alone)."""
        state = json.loads(data)
        for name, timer in list(self.timers.items()):
            if timers is None or timers.get(name) is not timer:
                timer()
        self.timers = {} if timers is None else dict(timers)
        self.settings = state["settings"]
        self.tables = state["tables"]
        self.next_id = state["next_id"]
        self.verbatim = VerbatimMenus.from_json(state.get("verbatim", {}))
        if timers is None:
            for item in self.tables["/system scheduler"]:
                self._arm(item)

    # --- scheduler ------------------------------------------------------------------------------

    @property
    def schedule(self) -> Callable[[float, Callable[[], None]], Callable[[], None]]:
        """The router's clock; once it is bound, the starting config's jobs run on it."""
        return self._schedule

    @schedule.setter
    def schedule(self, clock: Callable[[float, Callable[[], None]], Callable[[], None]]) -> None:
        self._schedule = clock
        waiting, self._waiting = self._waiting, []
        for item in waiting:
            jobs.arm(self, item)

    def _arm(self, item: Item) -> None:
        if self.loading:  # a loaded config's jobs wait for the clock (the twin binds it)
            self._waiting.append(item)
        else:
            jobs.arm(self, item)

    # --- topology -------------------------------------------------------------------------------


# The menus RosDevice.router() reads for routing, and those its packet filter reads: a
# command in any other menu leaves the model as it was.
ROUTING_MENUS = ("/interface", "/ip address", "/ip dhcp-client", "/ip route", "/ip firewall nat")
FILTER_MENUS = ("/ip firewall filter", "/ip firewall address-list", "/ip service")


def changes_routing(command: str) -> bool:
    """Whether a terse command (a full menu path first) may change :meth:`RosDevice.router`'s
    routes, links or NAT."""
    return command.startswith(ROUTING_MENUS)


def changes_filtering(command: str) -> bool:
    """Whether a terse command may change only the model's packet filter."""
    return command.startswith(FILTER_MENUS)


# RouterOS 6 menus that are settings in 7: a v6 export lists their items (MikroTik manual,
# RouterOS 6 "MAC server": ``set [ find default=yes ] disabled=yes``, ``add interface=``)
