"""The console a RouterOS router model prints through: the interface between config
semantics (here, in ``netprov.sim``) and console output (the twin's ``RosShow``), so output
depends on the model and never the other way round.
"""

from __future__ import annotations

from typing import Protocol

from netprov.sim.routeros.schema import Item


class RosOutput(Protocol):
    """What a RouterOS console prints of a router's state (the twin's ``RosShow``)."""

    def special(self, line: str) -> str | None:
        """What the checks send that is not a menu command (leases, fetch, :resolve)."""
        ...

    def print(self, menu: str, items: list[Item], args: list[str]) -> str:
        """``print`` of a table menu, in the form ``args`` ask for."""
        ...

    def settings(self, values: Item) -> str:
        """``print`` of a settings menu."""
        ...

    def files(self) -> str:
        """``/file print``."""
        ...

    def resource(self) -> Item:
        """``/system resource`` values."""
        ...

    def routerboard(self) -> Item:
        """``/system routerboard`` values."""
        ...

    def print_interfaces(self, args: list[str]) -> str:
        """``/interface print``."""
        ...

    def print_vlans(self, args: list[str]) -> str:
        """``/interface vlan print``."""
        ...

    def print_routes(self, args: list[str]) -> str:
        """``/ip route print``."""
        ...

    def print_arp(self, args: list[str]) -> str:
        """``/ip arp print``."""
        ...

    def print_users(self, args: list[str]) -> str:
        """``/user print``."""
        ...
