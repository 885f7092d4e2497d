"""What the twin's RouterOS prints that names its version or takes its version's form: the
login banner, ``/system resource`` and ``/system routerboard``, and RouterOS 6's route
listing (every route numbered, the gateway's state, no routing table). Shapes from real
output of both versions (tests/fixtures/real: system resource print, system routerboard
print, ip route print terse and detail; netmiko issue 2362's 6.46 resource listing).
"""

from __future__ import annotations

from collections.abc import Sequence

from netprov.syntax.routeros_versions import RosVersion

Item = dict[str, str]
Row = tuple[int | None, str, Item]

# RouterOS 6's route flags (tests/fixtures/real: ip route print detail)
V6_ROUTE_LEGEND = (
    "X - disabled, A - active, D - dynamic, C - connect, S - static, r - rip, b - bgp, "
    "o - ospf, m - mme, B - blackhole, U - unreachable, P - prohibit"
)


def banner(version: RosVersion) -> str:
    """The line RouterOS prints after login, with its version."""
    if version.major >= 7:
        tail = "(c) 1999-2024       https://www.mikrotik.com/"
    else:
        tail = "(c) 1999-2023       http://www.mikrotik.com/"
    return f"\r\n\r\n  MikroTik RouterOS {version} {tail}\r\n\r\n"


def resource(version: RosVersion, uptime: str) -> Item:
    """``/system resource print`` of the twin's RB4011 running ``version``."""
    v7 = version.major >= 7
    values = {
        "uptime": uptime,
        "version": f"{version} ({'stable' if v7 else 'long-term'})",
        # as real 7.x and 6.x print them
        "build-time": "Nov/28/2024 10:10:47" if v7 else "Jun/06/2023 07:18:11",
        "factory-software": "7.16.2" if v7 else "6.44.6",
        "free-memory": "836.5MiB",
        "total-memory": "1024.0MiB",
        "cpu": "ARMv7",
        "cpu-count": "4",
        "cpu-frequency": "1400MHz",
        "cpu-load": "1%",
        "free-hdd-space": "421.0MiB",
        "total-hdd-space": "512.0MiB",
        "write-sect-since-reboot": "1208",
        "write-sect-total": "91840",
    }
    if not v7:
        values["bad-blocks"] = "0%"  # RouterOS 6 lists it after the write sectors
    return {
        **values,
        "architecture-name": "arm",
        "board-name": "RB4011iGS+",
        "platform": "MikroTik",
    }


def routerboard(version: RosVersion, serial: str) -> Item:
    """``/system routerboard print``: its firmware follows the RouterOS it runs."""
    return {
        "routerboard": "yes",
        "board-name": "RB4011iGS+",
        "model": "RB4011iGS+",
        "serial-number": serial,
        "firmware-type": "al2",
        "factory-firmware": "7.16.2" if version.major >= 7 else "6.44.6",
        "current-firmware": str(version),
        "upgrade-firmware": str(version),
    }


_V6_FLAGS = {"c": "C", "s": "S", "d": "S", "v": "S"}  # RouterOS 6: DHCP and PPPoE routes "DS"


def v6_routes(rows: Sequence[Row]) -> list[Row]:
    """RouterOS 7's route rows in RouterOS 6's form: numbered in order, flags ``A``ctive,
    ``D``ynamic, ``C``onnect, ``S``tatic (``ADC``, ``A S``), the gateway's state
    (``gateway-status=10.0.0.1 reachable via  ether1``, ``1.2.3.4 recursive via 10.0.0.1
    ether1``: tests/fixtures/real, ip route print detail), the preferred source of a connected
    route, a ``routing-mark`` where one is set; no ``routing-table``, ``immediate-gw``."""
    shown: list[Row] = []
    for number, (_, flags, fields) in enumerate(rows):
        kind = next((_V6_FLAGS[f] for f in flags if f in _V6_FLAGS), " ")
        active = "A" if "A" in flags else ("X" if "X" in flags else " ")
        dynamic = "D" if "D" in flags else " "
        v6: Item = {k: v for k, v in fields.items() if k == "comment"}
        v6["dst-address"] = fields["dst-address"]
        gateway, via = fields.get("gateway", ""), fields.get("immediate-gw", "")
        if kind == "C":
            v6["pref-src"] = fields.get("local-address", "").split("%")[0]
            status = f"{gateway} reachable"
        elif via:  # RouterOS 7's immediate-gw: "<neighbour>%<interface>", or the link alone
            neighbour, _, link = via.rpartition("%")
            if neighbour and neighbour != gateway:  # a gateway reached through another one
                status = f"{gateway} recursive via {neighbour} {link}"
            else:
                status = f"{gateway} reachable via  {link}"
        else:
            status = f"{gateway} unreachable"
        v6 |= {"gateway": gateway, "gateway-status": status}
        for key in ("check-gateway", "distance", "scope", "target-scope", "routing-mark"):
            if key in fields:
                v6[key] = fields[key]
        shown.append((number, f"{active}{dynamic}{kind}", v6))
    return shown
