"""The RouterOS plan engine: a diff of the objects netprov owns. Pure.

Only objects tagged ``comment=netprov:<key>`` and the settings netprov sets are compared;
commands are ordered add-before-remove so that a session cut half-way never leaves a router
with less than it had.

A router in service already holds much of what the inventory describes (its PPPoE client,
LAN address, DHCP server) under its own comments. Before adding an object the engine looks
for the router's own object with the same identity (netprov.platforms.routeros.own) and
*adopts* it: one ``set`` that tags it ``netprov:<key>`` and aligns the values netprov
renders, never a second ``add``. What would clash with the inventory (the same address on
another interface, the PPPoE client of another account, an uplink port inside a bridge) is
a conflict: the plan carries it and nothing is pushed. Objects netprov does not own are
never removed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from netprov.platforms.routeros.netwatch import switched_by
from netprov.platforms.routeros.own import (
    IDENTITY,
    INTERFACE_MENUS,
    MUST_AGREE,
    RouterObjects,
    as_renamed,
    label,
    plain,
)
from netprov.platforms.routeros.placement import PLACED, Placement
from netprov.platforms.routeros.undo import readded, restoring
from netprov.syntax.filters import ros_line, ros_value
from netprov.syntax.routeros import SETTINGS, RosCommand, parse_export
from netprov.syntax.routeros_defaults import default

# What a property is where nothing sets it (MikroTik manual, "IP Routing": scope 30): a
# router's own route that prints it (RouterOS 7.9's export) holds nothing to take away
_UNSET = {"/ip route": {"scope": "30"}}
# The host route a DHCP uplink's script pins its probe with (templates/_uplink.j2)
_PIN_PREFIX = "netprov-dhcp:"
_PIN = re.compile(r"netprov-dhcp:probe-[\w-]+")
# Values that take a route away (an uplink client's own default route, replaced by the
# tracked one through the probe): set after every add, so that the replacement is there
# first and no step leaves the router without a way back to the management networks.
_ROUTE_TAKERS = frozenset({"add-default-route", "default-route-distance"})


@dataclass
class RosPlan:
    """A RouterOS change as it is built: commands, their undo, and what clashes."""

    commands: list[str] = field(default_factory=list)
    undo: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    adopted: list[str] = field(default_factory=list)  # the adoption commands alone
    adopted_undo: list[str] = field(default_factory=list)
    # what the undo cannot give back as it was (a value with no documented default in a
    # menu without ``unset``): a failed check then needs the backup
    inexact: list[str] = field(default_factory=list)


def _find(comment: str) -> str:
    return f"[ find where comment={ros_value(comment)} ]"


def _find_by(params: Mapping[str, str], keys: tuple[str, ...]) -> str:
    terms = [f"{key}={ros_value(params.get(key, ''))}" for key in keys]
    return "[ find where " + " and ".join(terms) + " ]"


def _key(command: RosCommand) -> tuple[str, str] | None:
    if command.verb == "add":
        managed = command.managed_key
        return (command.path, managed) if managed else None
    if command.verb == "set":
        return (command.path, "set " + command.selector)
    return None


def _changed(current: RosCommand, wanted: RosCommand, major: int) -> dict[str, str]:
    """The values of ``wanted`` that ``current`` lacks; a value ``current`` leaves out is
    its documented default on RouterOS ``major`` (an export prints none: routeros_defaults)."""
    path = current.path
    return {
        k: v
        for k, v in wanted.params.items()
        if current.params.get(k, default(path, k, major)) != v
    }


def _held(command: RosCommand) -> RosCommand:
    """A command with the values the router holds without printing them: a route without
    dst-address is the default route (RouterOS 6 exports leave 0.0.0.0/0 out; MikroTik
    manual, "IP Routing")."""
    if command.path != "/ip route" or "dst-address" in command.params:
        return command
    params = {"dst-address": "0.0.0.0/0", **command.params}
    return RosCommand(command.path, command.verb, command.selector, params)


def _rule(rule: RosCommand, rules: list[RosCommand]) -> str:
    """A ``[ find ... ]`` for one of the router's rules: by its chain and comment when no
    other rule of the chain has that comment, else by every value it has."""
    chain, comment = rule.params.get("chain", ""), rule.params.get("comment")
    same = [
        r for r in rules if r.params.get("chain") == chain and r.params.get("comment") == comment
    ]
    if comment and len(same) == 1:
        return _find_by(rule.params, ("chain", "comment"))
    return _find_by(rule.params, tuple(sorted(rule.params)))


class _Planner:
    """Builds one plan: the command lists, in the order they are pushed and undone."""

    def __init__(self, running_export: str, intended: str, major: int) -> None:
        self.major = major  # the RouterOS version the router runs (its defaults differ)
        parsed = [_held(command) for command in parse_export(running_export)]
        self.running = {key: cmd for cmd in parsed if (key := _key(cmd))}
        self.router = RouterObjects(parsed)
        # the router's rules and queues, in order: netprov's go among them (Placement)
        self.ordered = {
            menu: [c for c in parsed if c.path == menu and c.verb == "add"] for menu in PLACED
        }
        # the routes DHCP client scripts of netprov's keep (they pin the probes)
        self.pinned = {
            c.params.get("comment", "")
            for c in parsed
            if c.path == "/ip route" and c.params.get("comment", "").startswith(_PIN_PREFIX)
        }
        self.wanted = [(key, cmd) for cmd in parse_export(intended) if (key := _key(cmd))]
        # the comments of what the office's netwatch scripts switch (ros_netwatch)
        self.switched = {
            toggle.comment
            for c in self.router.unowned
            if c.path == "/tool netwatch"
            for toggle in switched_by(f"{c.params.get('up-script')}\n{c.params.get('down-script')}")
        }
        # each probe netprov pins to a line: its gateway (the line's, or its interface)
        self.probes = {
            cmd.params["dst-address"].removesuffix("/32"): cmd.params["gateway"]
            for _, cmd in self.wanted
            if cmd.path == "/ip route" and (cmd.managed_key or "").startswith("netprov:probe-")
        }
        # parameters netprov renders, per menu: one of these gone from the intended object
        # makes the router's object be replaced; any other is the router's own and stays
        self.rendered: dict[str, set[str]] = {}
        for _, cmd in self.wanted:
            self.rendered.setdefault(cmd.path, set()).update(cmd.params)
        self.placement = Placement(parsed, [cmd for _, cmd in self.wanted])
        # netprov's rules this plan adds (where in self.adds, the renames done before it),
        # and those the router holds already (its own, or taken over now): placed at the end
        self.unplaced: list[tuple[int, RosCommand, dict[str, str]]] = []
        self.held: list[tuple[RosCommand, RosCommand]] = []
        # each of the router's objects netprov owns or takes over in this plan: its comment,
        # and for those taken over, where in self.adds the takeover is
        self.owner: dict[int, str] = {
            id(c): c.params["comment"] for c in parsed if c.managed_key is not None
        }
        self.taken_at: dict[int, int] = {}
        self.plan = RosPlan()
        self.renamed: dict[str, str] = {}  # interface the plan renames -> its new name
        self.adds: list[str] = []
        self.late: list[str] = []  # after every add, before any remove
        self.removes: list[str] = []
        self.undo_adds: list[str] = []
        self.undo_removes: list[str] = []
        # each menu's objects in the router's order, what finds each once the plan ran
        # (an adopted or updated object by its new comment), and the objects the plan
        # takes away (removed, or replaced) for the undo to add again where they stood
        self.menus: dict[str, list[RosCommand]] = {}
        for cmd in parsed:
            if cmd.verb == "add":
                self.menus.setdefault(cmd.path, []).append(cmd)
        self.found_after: dict[int, str] = {}
        self.taken: list[RosCommand] = []

    def setting(self, cmd: RosCommand, current: RosCommand | None) -> None:
        selector = (cmd.selector,) if cmd.selector else ()
        have = {**SETTINGS.get(cmd.path, {}), **(current.params if current else {})}
        changed = {
            k: v
            for k, v in cmd.params.items()
            if have.get(k, default(cmd.path, k, self.major)) != v
        }
        if changed:
            self.adds.append(ros_line(cmd.path, "set", *selector, **changed))
            where = " ".join(selector)
            undo, lost = restoring(cmd.path, where, have, list(changed), self.major)
            self.undo_adds += [" ".join(line.split()) for line in undo]
            self.plan.inexact += lost

    def new(self, cmd: RosCommand) -> None:
        """An object the router has not tagged: adopt the router's own, or add it."""
        self.plan.conflicts += self.router.conflicts(cmd)
        same = self.router.same(cmd, self.renamed) or self._default_route_of_the_line(cmd)
        if len(same) > 1:
            self.plan.conflicts.append(
                f"{len(same)} objects in {cmd.path} match {label(cmd)} on the router: keep one"
            )
        elif same:
            self.adopt(cmd, same[0])
        else:
            if cmd.path in PLACED:
                self.unplaced.append((len(self.adds), cmd, dict(self.renamed)))
            self.adds.append(ros_line(cmd.path, "add", **cmd.params))
            self.undo_removes.append(f"{cmd.path} remove {_find(cmd.params['comment'])}")

    def _default_route_of_the_line(self, cmd: RosCommand) -> list[RosCommand]:
        """The router's own default route straight over the line whose default route
        netprov renders through its probe: the route the inventory describes, taken over
        (left beside netprov's at its distance, it would keep the traffic: MikroTik manual,
        "IP Routing": one active route per destination). A route the office's netwatch
        scripts switch by its comment stays the office's: netprov's comment would leave
        them finding nothing (netprov.platforms.routeros.migration moves it below netprov's)."""
        gateway = self.probes.get(cmd.params.get("gateway", ""))
        if cmd.path != "/ip route" or cmd.params.get("dst-address") != "0.0.0.0/0" or not gateway:
            return []
        direct = RosCommand(cmd.path, cmd.verb, cmd.selector, {**cmd.params, "gateway": gateway})
        same = self.router.same(direct, self.renamed)
        return [c for c in same if c.params.get("comment") not in self.switched]

    def place(self) -> None:
        """Each of netprov's rules and queues just above the first rule or queue that would
        take its traffic first otherwise (netprov.platforms.routeros.placement): one it
        adds, by ``place-before=``; one the router holds below it, moved there."""
        backs: list[tuple[int, str]] = []  # the undo's moves, by where each rule stood
        for menu, office in self.ordered.items():
            chosen = self.placement.place(menu, office, self.owner)
            for index, cmd, renamed in self.unplaced:
                target = chosen.get(cmd.params.get("comment", "")) if cmd.path == menu else None
                if target is not None:
                    where = self._where_then(target, office, renamed, index)
                    self.adds[index] += f" place-before={where}"
            for cmd, held in self.held:
                target = chosen.get(cmd.params.get("comment", "")) if cmd.path == menu else None
                if target is None or office.index(held) < office.index(target):
                    continue
                at = office.index(held)
                where = self._where_then(target, office, self.renamed, len(self.adds))
                self.late.append(f"{menu} move {_find(cmd.params['comment'])} destination={where}")
                after = office[at + 1] if at + 1 < len(office) else None
                back = f" destination={self._either(after, office)}" if after else ""
                backs.append((at, f"{menu} move {self._either(held, office)}{back}"))
        # moved back first, while found by netprov's comment (the undo of a takeover then
        # gives the router's object its own back), the lowest first: each goes before the
        # rule that followed it, which is back in its place by then
        self.undo_adds[:0] = [line for _, line in sorted(backs, reverse=True)]

    def _either(self, rule: RosCommand, office: list[RosCommand]) -> str:
        """A ``[ find ... ]`` for the router's ``rule`` whether or not this plan got to
        take it over (the undo runs after a push cut anywhere): a rule it takes over by
        every value but the comment it gives it."""
        if id(rule) in self.taken_at:
            return _find_by(rule.params, tuple(sorted(plain(rule))))
        return _rule(rule, office)

    def _where_then(
        self, target: RosCommand, office: list[RosCommand], renamed: Mapping[str, str], at: int
    ) -> str:
        """A ``[ find ... ]`` for the router's ``target`` as it reads when the command at
        ``at`` of the adds runs: by netprov's comment once tagged, else by its own values
        with the interface names the plan's renames before it gave."""
        tag = self.owner.get(id(target))
        if tag is not None and self.taken_at.get(id(target), -1) < at:
            return _find(tag)
        return _rule(as_renamed(target, renamed)[1], office)

    def adopt(self, cmd: RosCommand, theirs: RosCommand) -> None:
        """Tag the router's object and align what netprov renders (its other values stay)."""
        # the object as it reads once the renames this plan made before it are done
        _, current = as_renamed(theirs, self.renamed)
        self.owner[id(theirs)] = cmd.params["comment"]
        self.taken_at[id(theirs)] = len(self.adds)
        if cmd.path in PLACED:
            self.held.append((cmd, theirs))
        disagree = [
            k for k in MUST_AGREE.get(cmd.path, ()) if current.params.get(k) != cmd.params.get(k)
        ]
        if disagree:
            self.plan.conflicts.append(
                f"{cmd.path} {label(cmd)}: the router has "
                + ", ".join(f"{k}={theirs.params.get(k, '')}" for k in disagree)
                + ", the inventory "
                + ", ".join(f"{k}={cmd.params.get(k, '')}" for k in disagree)
            )
            return
        where = self._where(current)
        changed = _changed(current, cmd, self.major)
        if theirs.params.get("disabled") == "yes" and "disabled" not in cmd.params:
            # what netprov renders runs: the router's disabled object is enabled (a backup
            # line's DHCP client that never ran would stay a client that never runs)
            changed["disabled"] = "no"
        if cmd.path in INTERFACE_MENUS and "name" in changed and "name" in theirs.params:
            self.renamed[theirs.params["name"]] = cmd.params["name"]
        now, late = self._split(cmd, changed)
        command = f"{cmd.path} set {where} " + ros_line("", "", **now).strip()
        self.adds.append(command)
        self.plan.adopted.append(command)
        renew = self._renewal(cmd, changed)
        if renew is not None:
            self.adds.append(renew)
            self.plan.adopted.append(renew)
        if late:
            self.late.append(
                f"{cmd.path} set {_find(cmd.params['comment'])} " + ros_line("", "", **late).strip()
            )
        self.found_after[id(theirs)] = _find(cmd.params["comment"])
        undo, lost = restoring(
            cmd.path, _find(cmd.params["comment"]), theirs.params, [*changed], self.major
        )
        undo += self._unpinned(cmd, changed)
        self.undo_adds += undo
        self.plan.adopted_undo[:0] = undo
        self.plan.inexact += lost

    def _where(self, theirs: RosCommand) -> str:
        """A ``[ find ... ]`` for the router's own object: its identity (or, in a menu
        without one, the comment it alone has, else every value) and its comment."""
        keys = IDENTITY.get(theirs.path)
        if keys is not None:
            return _find_by(theirs.params, (*keys, "comment"))
        comment = theirs.params.get("comment")
        same = [c for c in self.router.unowned if c.path == theirs.path]
        if comment and sum(c.params.get("comment") == comment for c in same) == 1:
            return _find(comment)
        return _find_by(theirs.params, (*sorted(plain(theirs)), "comment"))

    def update(self, cmd: RosCommand, current: RosCommand) -> None:
        comment = cmd.params["comment"]
        unset = _UNSET.get(cmd.path, {})
        gone = [
            k
            for k, v in current.params.items()
            if k not in cmd.params and k in self.rendered.get(cmd.path, set()) and unset.get(k) != v
        ]
        if gone:  # a parameter netprov rendered must disappear: replace the object
            self.removes.append(f"{cmd.path} remove {_find(current.params['comment'])}")
            self.adds.append(ros_line(cmd.path, "add", **cmd.params))
            self.undo_removes.append(f"{cmd.path} remove {_find(comment)}")
            self.taken.append(current)
            return
        changed = _changed(current, cmd, self.major)
        if changed:
            self.found_after[id(current)] = _find(comment)
            now, late = self._split(cmd, changed)
            where = _find(current.params["comment"])
            for values, commands in ((now, self.adds), (late, self.late)):
                if values:
                    commands.append(f"{cmd.path} set {where} " + ros_line("", "", **values).strip())
            renew = self._renewal(cmd, changed)
            if renew is not None:
                self.adds.append(renew)
            undo, lost = restoring(cmd.path, _find(comment), current.params, [*changed], self.major)
            self.undo_adds += undo + self._unpinned(cmd, changed)
            self.plan.inexact += lost

    def _renewal(self, cmd: RosCommand, changed: Mapping[str, str]) -> str | None:
        """A DHCP client of the router's own gets netprov's script, or loses its own
        default route, while the route the script pins (its probe) is missing: RouterOS
        runs a client's script on a lease status change only (MikroTik manual, "DHCP
        client": script), so the lease is renewed (the address stays, the script runs)
        before anything relies on that route."""
        if cmd.path != "/ip dhcp-client" or not ({"script", *_ROUTE_TAKERS} & changed.keys()):
            return None
        pins = set(_PIN.findall(cmd.params.get("script", "")))
        if not pins or pins <= self.pinned:
            return None
        return f"{cmd.path} renew {_find(cmd.params['comment'])}"

    def _unpinned(self, cmd: RosCommand, changed: Mapping[str, str]) -> list[str]:
        """The undo of netprov's script on a DHCP client: the routes it pinned (on the
        renewal, or any lease change since) stay when the client's own script is back,
        so the undo removes the pins the router did not have."""
        if cmd.path != "/ip dhcp-client" or "script" not in changed:
            return []
        pins = sorted(set(_PIN.findall(cmd.params.get("script", ""))) - self.pinned)
        return [f"/ip route remove {_find(pin)}" for pin in pins]

    @staticmethod
    def _split(cmd: RosCommand, changed: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
        """(values to set now, values that take a route away: set after every add)."""
        if cmd.params.get("add-default-route") != "no":
            return changed, {}
        late = {k: v for k, v in changed.items() if k in _ROUTE_TAKERS}
        return {k: v for k, v in changed.items() if k not in late}, late

    def build(self) -> RosPlan:
        for key, cmd in self.wanted:
            current = self.running.get(key)
            if cmd.verb == "set":
                self.setting(cmd, current)
            elif current is None:
                self.new(cmd)
            else:
                if current.params != cmd.params and (
                    _changed(current, cmd, self.major) or set(current.params) - set(cmd.params)
                ):
                    self.update(cmd, current)
                if cmd.path in PLACED:
                    self.held.append((cmd, current))
        self.place()
        wanted_keys = {key for key, _ in self.wanted}
        for key, cmd in reversed(list(self.running.items())):
            if cmd.verb == "add" and key not in wanted_keys:
                self.removes.append(f"{cmd.path} remove {_find(cmd.params['comment'])}")
                self.taken.append(cmd)
        # add before remove; the undo removes what was added (newest first), adds again
        # what was taken away, where it stood, then sets back what was changed
        self.plan.commands = self.adds + self.late + self.removes
        self.plan.undo = list(reversed(self.undo_removes)) + self.readded() + self.undo_adds
        return self.plan

    def readded(self) -> list[str]:
        """The undo's ``add`` of each object the plan takes away (routeros_undo)."""
        return readded(self.menus, self.taken, self.found_after, self.renamed)


def plan_routeros(running_export: str, intended: str, major: int = 7) -> RosPlan:
    """Commands, undo commands, adoptions and conflicts for a RouterOS router running
    RouterOS ``major``."""
    return _Planner(running_export, intended, major).build()
