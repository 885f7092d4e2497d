"""What a RouterOS export says of netprov's own objects that a check names: the DNS
redirects, a line's failover route, the gateway the LAN's DHCP hands out, a FastTrack
rule that lets the shaped line's traffic skip its queue, a queue's rate. Pure; an export
in either form (terse or the block form of a backup). A disabled object is read as one
that does nothing (MikroTik manual: ``disabled=yes`` on a rule, route or queue)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from netprov.models import Lan
from netprov.phases import UplinkView
from netprov.said import PhraseId, Said
from netprov.syntax.routeros import parse_command, terse_lines


def _added(config: str, menu: str) -> Iterator[Mapping[str, str]]:
    """The properties of each object ``add``ed under ``menu`` (``/ip route``)."""
    prefix = f"{menu} add "
    for _, line in terse_lines(config):
        if line.startswith(prefix):
            yield parse_command(line).params


def dns_redirected(config: str, lan: str) -> bool:
    """netprov's dstnat redirects of the LAN's DNS to the router are there, enabled and
    match what arrives on ``lan`` (a disabled rule matches nothing, one whose
    ``in-interface`` is another interface matches none of the LAN's packets: MikroTik
    manual "Firewall: NAT")."""
    redirects = {
        rule.get("comment"): rule.get("disabled") != "yes" and rule.get("in-interface", lan) == lan
        for rule in _added(config, "/ip firewall nat")
        if rule.get("comment", "").startswith("netprov:dns-redirect-")
    }
    return redirects.get("netprov:dns-redirect-udp", False) and all(redirects.values())


def failover_route(config: str, view: UplinkView) -> Said | None:
    """What keeps ``view``'s default route (``netprov:default-<role>``, routing.j2) from
    failing over: missing, disabled, or not through the line's probe at its distance and
    checked by ping (recursive: it goes when the probe does); None: in force."""
    tag = f"netprov:default-{view.role.value}"
    route = next((r for r in _added(config, "/ip route") if r.get("comment") == tag), None)
    if route is None:
        return Said(PhraseId.MISSING_ROUTE, {"tag": tag})
    if route.get("disabled") == "yes":
        return Said(PhraseId.ROUTE_DISABLED, {"tag": tag})
    wanted = {"gateway": str(view.probe), "distance": str(view.distance), "check-gateway": "ping"}
    wrong = [f"{k}={route.get(k, '')}" for k, v in wanted.items() if route.get(k) != v]
    return Said(PhraseId.ROUTE_WRONG, {"tag": tag, "wrong": " ".join(wrong)}) if wrong else None


def dhcp_gateway_given(config: str, lan: Lan) -> bool:
    """The DHCP network of the LAN's subnet hands out the router's LAN address as the PCs'
    gateway (MikroTik manual, "DHCP": ``/ip dhcp-server network`` gateway)."""
    wanted = {"address": str(lan.address.network), "gateway": str(lan.address.ip)}
    return any(wanted.items() <= net.items() for net in _added(config, "/ip dhcp-server network"))


def ros_kbps(rate: str) -> int:
    """A RouterOS rate (``16M``, ``4281k``, ``2000000``) in kbit/s.

    Examples:
        >>> ros_kbps("16M"), ros_kbps("4281k"), ros_kbps("2000000")
        (16000, 4281, 2000)
    """
    units = {"k": 1, "M": 1000, "G": 1_000_000}
    if rate and rate[-1] in units:
        return int(float(rate[:-1]) * units[rate[-1]])
    return int(rate) // 1000


def fasttrack_bypasses(lines: list[str], interface: str) -> bool:
    """An enabled FastTrack rule reached by the uplink's traffic: no accept rule for
    established traffic out of and into ``interface`` comes before it in the forward chain
    (rules run in order; FastTrack skips simple queues, MikroTik manual "Firewall: FastTrack").

    Examples:
        >>> ft = "/ip firewall filter add action=fasttrack-connection chain=forward"
        >>> acc = "/ip firewall filter add action=accept chain=forward "
        >>> acc += "connection-state=established,related "
        >>> fasttrack_bypasses([ft], "ether5")
        True
        >>> fasttrack_bypasses([acc + "out-interface=ether5", acc + "in-interface=ether5", ft],
        ...                     "ether5")
        False
    """
    kept: set[str] = set()
    for line in lines:
        if not line.startswith("/ip firewall filter add") or "disabled=yes" in line.split():
            continue
        words = line.split()
        if "chain=forward" not in words:
            continue
        if "action=fasttrack-connection" in words:
            return kept != {"out", "in"}
        if "action=accept" in words and any(w.startswith("connection-state=") for w in words):
            for direction in ("out", "in"):
                if f"{direction}-interface={interface}" in words:
                    kept.add(direction)
    return False
