"""``/export`` of the twin's RouterOS: the modelled menus in RouterOS's order, in terse or
block form, with the menus the twin does not model back where they stood (MikroTik manual,
"Configuration Management")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from netprov.sim.routeros import lines as ros_lines
from netprov.sim.routeros.lines import EXPORT_FLAGS, RosError
from netprov.sim.routeros.schema import DEFAULT_ITEMS, EXPORT_ORDER, TABLES
from netprov.syntax import routeros_versions
from netprov.syntax.filters import ros_line, ros_value
from netprov.syntax.routeros import SETTINGS, params_of

if TYPE_CHECKING:
    from netprov.sim.routeros.router import RosDevice


def export(
    device: RosDevice,
    *,
    terse: bool = True,
    sensitive: bool = True,
    under: str = "/",
    verbose: bool = False,
) -> str:
    """The config as ``/export`` prints it: ``terse`` one full line per item, else
    blocks under menu lines; ``sensitive`` False leaves secrets out, as RouterOS 7
    does unless asked ``show-sensitive`` (MikroTik manual, "Configuration
    Management": export); ``under`` a menu, only that part; ``verbose`` spells out the
    defaults an item leaves unset (``disabled=no``: tests/fixtures/real, ip address export
    verbose; the twin spells out that one default, not every property's)."""
    lines: list[str] = []
    for menu, block in _export_blocks(device, verbose=verbose):
        if under not in {"/", ""} and menu != under and not menu.startswith(under + " "):
            continue
        shown = block if sensitive else [ros_lines.without_secrets(line) for line in block]
        if terse:
            lines += shown
        elif shown:
            lines.append(menu)
            lines += [line[len(menu) + 1 :] for line in shown]
    stamp = routeros_versions.export_stamp(device.version, device.now())
    header = f"# {stamp} by RouterOS {device.version}\n# model = RB4011iGS+\n"
    return header + "\n".join(lines) + "\n"


def _export_blocks(device: RosDevice, *, verbose: bool) -> list[tuple[str, list[str]]]:
    """Each menu's terse lines in export order; the menus the twin does not model come
    back where they stood, after the menu they followed when loaded."""
    blocks: list[tuple[str, list[str]]] = []
    placed: set[str] = set()

    def unmodelled_after(anchor: str | None) -> None:
        for menu in device.verbatim.placed_after(anchor):
            if menu not in placed:
                placed.add(menu)
                blocks.append((menu, [f"{menu} {line}" for line in device.verbatim.lines(menu)]))
                unmodelled_after(menu)

    unmodelled_after(None)
    for menu in EXPORT_ORDER:
        blocks.append((menu, _modelled_block(device, menu, verbose=verbose)))
        unmodelled_after(menu)
    for menu in device.verbatim.menus:  # after a menu that prints nothing of its own
        if menu not in placed:
            placed.add(menu)
            blocks.append((menu, [f"{menu} {line}" for line in device.verbatim.lines(menu)]))
    return blocks


def _modelled_block(device: RosDevice, menu: str, *, verbose: bool) -> list[str]:
    block: list[str] = []
    if menu in SETTINGS:
        factory = device.factory[menu]
        changed = {k: v for k, v in device.settings[menu].items() if factory.get(k) != v}
        if changed:
            block.append(ros_line(menu, "set", **changed))
        return block
    defaults = {_builtin(d): d for d in device.defaults.get(menu, [])}
    for number, item in enumerate(device.tables[menu]):
        params = {k: v for k, v in item.items() if not k.startswith(".")}
        if item.get(".default") != "yes":
            if verbose and "disabled" in TABLES[menu]:
                params.setdefault("disabled", "no")
            elif routeros_versions.added_disabled(device.version, menu) and (
                params.pop("disabled", "yes") == "no"
            ):
                # RouterOS 6 adds these disabled: its export prints disabled=no on the
                # enabled ones and nothing on the others (netprov.syntax.routeros_versions)
                params["disabled"] = "no"
            block.append(_added(menu, params, item.get(".flags", "").split()))
            continue
        base = defaults.get(_builtin(item), {})
        changed = {k: v for k, v in params.items() if base.get(k) != v}
        if not changed:
            continue
        if menu == "/snmp community":
            selector = "[ find default=yes ]"
        elif menu == "/interface ethernet":
            selector = f"[ find default-name={item['default-name']} ]"
        elif menu in DEFAULT_ITEMS:
            selector = str(number)  # "/system logging set 0 action=disk"
            changed.pop("name", None)
        else:
            selector = item["name"]  # a built-in item is named by its name
            changed.pop("name", None)
        block.append(ros_line(menu, "set", selector, **changed))
    return block


def _builtin(item: dict[str, str]) -> str | None:
    """Which built-in item ``item`` is: a port by its default name, an item that may be
    renamed (the SNMP community) or has no name (a logging rule) by key, others by name."""
    return item.get("default-name", item.get(".key", item.get("name")))


def _added(menu: str, params: dict[str, str], flags: list[str]) -> str:
    """An ``add`` line; its flags (``blackhole``, ``!dhcp-options``) among the properties
    in name order, as /export prints them (tests/fixtures/real-configs)."""
    if not flags:
        return ros_line(menu, "add", **params)
    words = [(key, f"{key}={ros_value(value)}") for key, value in params.items()]
    words += [(flag.lstrip("!"), flag) for flag in flags]
    return " ".join([menu, "add", *(word for _, word in sorted(words))])


def export_command(device: RosDevice, menu: str, args: list[str]) -> str:
    params = params_of([a for a in args if "=" in a])
    flags = {a for a in args if "=" not in a}
    # RouterOS 7 shows secrets when asked show-sensitive, RouterOS 6 hides them when asked
    # hide-sensitive; neither knows the other's word (netprov.syntax.routeros_versions)
    v7 = routeros_versions.show_sensitive(device.version)
    known = EXPORT_FLAGS if v7 else (EXPORT_FLAGS - {"show-sensitive"}) | {"hide-sensitive"}
    if flags - known or set(params) - {"file"}:
        raise RosError("expected end of command (line 1 column 8)")
    text = export(
        device,
        terse="terse" in flags,
        sensitive="show-sensitive" in flags if v7 else "hide-sensitive" not in flags,
        under=menu,
        verbose="verbose" in flags,
    )
    if "file" in params:
        name = params["file"] if params["file"].endswith(".rsc") else params["file"] + ".rsc"
        device.files[name] = text
        return ""
    return text.rstrip("\n")
