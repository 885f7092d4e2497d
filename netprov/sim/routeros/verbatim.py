"""The menus of a RouterOS router that the twin does not model, kept as the router holds them.

A router in service holds hundreds of lines netprov never touches (``/routing table``,
``/disk settings``, ``/caps-man ...``, ``/ppp secret``). The twin keeps each such line as it
came (``add`` and ``set`` with their arguments), prints it back in place in ``/export``, and
lets ``remove``, ``print`` and ``find`` work on the items ``add`` made, so a rehearsal on a
twin started from a real backup sees every line the router has.

Examples:
    >>> menus = VerbatimMenus()
    >>> menus.run("/routing table", "add", ["disabled=no", "fib", "name=to_ISP1"], after=None)
    ''
    >>> menus.lines("/routing table")
    ['add disabled=no fib name=to_ISP1']
    >>> menus.run("/routing table", "remove", ["[ find name=to_ISP1 ]"], after=None)
    ''
    >>> menus.lines("/routing table")
    []
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from netprov.syntax.routeros import params_of, unquote

Item = dict[str, str]

# menus whose ``add name=...`` makes an interface (manual, "Interfaces": every tunnel, VPN
# client and wireless interface is an interface other menus can name)
_INTERFACE_MENU = re.compile(r"^/(interface \S+( \S+)?|zerotier interface)$")
# hardware interfaces named by ``set [ find default-name=X ]``
_DEFAULT_NAME = re.compile(r"\[ find default-name=([^\s\]]+) \]")


class VerbatimError(ValueError):
    """What RouterOS answers for a command it cannot run on such a menu."""


@dataclass
class VerbatimLine:
    verb: str  # "add" or "set"
    args: list[str]  # the arguments as the router printed them
    params: Item = field(default_factory=dict)

    @property
    def text(self) -> str:
        return " ".join([self.verb, *self.args])


@dataclass
class VerbatimMenus:
    """Every unmodelled menu's lines, in order, each menu after the menu it followed."""

    menus: dict[str, list[VerbatimLine]] = field(default_factory=dict)
    # each menu -> the menu whose block it followed when first seen (None: the first)
    anchors: dict[str, str | None] = field(default_factory=dict)

    def run(self, menu: str, verb: str, args: list[str], *, after: str | None) -> str:
        """Run ``verb`` on an unmodelled menu; ``after`` is the menu used just before (where
        a new menu's block is printed)."""
        if menu not in self.menus and verb in {"add", "set"}:
            self.menus[menu] = []
            self.anchors[menu] = after if after != menu else None
        lines = self.menus.get(menu, [])
        if verb in {"add", "set"}:
            lines.append(VerbatimLine(verb, list(args), params_of(args)))
            return ""
        if verb == "remove":
            chosen = self._select(lines, args[0] if args else "")
            self.menus[menu] = [line for line in lines if line not in chosen]
            return ""
        if verb == "print":
            items = [line for line in lines if line.verb == "add"]
            return "\n".join(f"{n:>2}   {' '.join(line.args)}" for n, line in enumerate(items))
        if verb == "find":
            return ";".join(f"*V{n}" for n, _ in enumerate(self._select(lines, " ".join(args))))
        if verb in {"enable", "disable"}:
            for line in self._select(lines, args[0] if args else ""):
                line.params["disabled"] = "yes" if verb == "disable" else "no"
                line.args = [a for a in line.args if not a.startswith("disabled=")]
                line.args.append(f"disabled={line.params['disabled']}")
            return ""
        raise VerbatimError(f"bad command name {verb}")

    @staticmethod
    def _select(lines: list[VerbatimLine], selector: str) -> list[VerbatimLine]:
        items = [line for line in lines if line.verb == "add"]
        selector = selector.strip()
        if selector.startswith("["):
            expression = selector.strip("[] ").removeprefix("find").strip()
            terms = params_of(expression.removeprefix("where").split())
            return [i for i in items if all(i.params.get(k) == v for k, v in terms.items())]
        if re.fullmatch(r"[\d,]+", selector):
            wanted = {int(n) for n in selector.split(",")}
            return [item for n, item in enumerate(items) if n in wanted]
        named = [item for item in items if item.params.get("name") == unquote(selector)]
        if not named:
            raise VerbatimError(f"no such item ({selector})")
        return named

    def lines(self, menu: str) -> list[str]:
        return [line.text for line in self.menus.get(menu, [])]

    def placed_after(self, menu: str | None) -> list[str]:
        """The unmodelled menus printed right after ``menu`` (None: before everything)."""
        return [m for m, anchor in self.anchors.items() if anchor == menu and self.menus[m]]

    def items(self, menu: str) -> list[Item]:
        """The items ``add`` made in ``menu``, each its parameters."""
        return [dict(line.params) for line in self.menus.get(menu, []) if line.verb == "add"]

    def names(self, menu: str) -> set[str]:
        """The names of the items ``add`` made in ``menu``."""
        lines = self.menus.get(menu, [])
        return {
            line.params["name"] for line in lines if line.verb == "add" and "name" in line.params
        }

    def interface_names(self) -> set[str]:
        """Interfaces these menus make (``add name=``) or name as hardware."""
        names: set[str] = set()
        for menu, lines in self.menus.items():
            for line in lines:
                if _INTERFACE_MENU.match(menu) and line.verb == "add" and "name" in line.params:
                    names.add(line.params["name"])
                hardware = _DEFAULT_NAME.search(line.text)
                if hardware is not None and _INTERFACE_MENU.match(menu):
                    names.add(line.params.get("name", hardware[1]))
        return names

    # --- snapshots (``/system backup``) -------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "menus": {m: [[line.verb, line.args] for line in ls] for m, ls in self.menus.items()},
            "anchors": self.anchors,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> VerbatimMenus:
        menus = {
            menu: [VerbatimLine(verb, args, params_of(args)) for verb, args in lines]
            for menu, lines in data.get("menus", {}).items()
        }
        return cls(menus, dict(data.get("anchors", {})))
