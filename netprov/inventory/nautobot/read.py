"""Read the inventory from Nautobot: what it holds (one GraphQL query for the routers and
everything below them, one REST list for the locations), then a pure conversion into the
documents a YAML inventory gives, each part traced to the object that held it.

The same Pydantic models and cross-checks then apply to them as to YAML files. What cannot
become a document at all (a location with two routers, an uplink with no circuit) is a
problem here, naming the object; everything else is left for the models to judge.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from netprov.errors import Problem, Severity, SourceError
from netprov.inventory.nautobot import mapping as m
from netprov.inventory.nautobot.client import NautobotClient
from netprov.inventory.nautobot.located import NautobotObject, ObjectMap

Record = dict[str, Any]

DEVICES_QUERY = """
query ($tags: [String]) {
  devices(tags: $tags) {
    id name _custom_field_data
    platform { name network_driver }
    primary_ip4 { host }
    location { id name }
    interfaces {
      id name mode _custom_field_data
      role { name }
      tagged_vlans { vid }
      ip_addresses { address role { name } }
      cable_peer_circuit_termination {
        circuit { id cid commit_rate _custom_field_data provider { name } }
      }
    }
  }
}
"""


@dataclass(frozen=True)
class Snapshot:
    """What netprov read from one Nautobot, as it answered (JSON: tests keep one)."""

    url: str
    organisation: Record | None  # the organisation's config context (REST), if asked for
    locations: list[Record]  # locations with a netprov site id (REST)
    devices: list[Record]  # devices tagged netprov, with their interfaces (GraphQL)


def fetch(client: NautobotClient, *, organisation: bool) -> Snapshot:
    """Everything the inventory needs, in a few requests."""
    if not any(cf.get("key") == "netprov_site_id" for cf in client.objects("extras.custom_fields")):
        raise SourceError(
            f"Nautobot {client.spec} holds no netprov inventory (no custom field "
            "netprov_site_id): `netprov inventory export --to` it seeds one"
        )
    context = None
    if organisation:
        found = client.objects("extras.config_contexts", name=m.ORGANISATION_CONTEXT)
        context = found[0] if found else None
    locations = client.objects("dcim.locations", cf_netprov_site_id__re=".")
    devices = client.graphql(DEVICES_QUERY, {"tags": [m.ROUTER_TAG]}).get("devices") or []
    return Snapshot(client.spec.url, context, locations, devices)


@dataclass
class Documents:
    """Documents built from a snapshot, where each part came from, and what could not be
    built at all."""

    data: Any
    source: ObjectMap
    problems: list[Problem] = field(default_factory=list)


def organisation_document(snapshot: Snapshot) -> Documents:
    """The organisation's settings: the ``netprov`` key of its config context."""
    name = f"Nautobot {snapshot.url}"
    context = snapshot.organisation
    if context is None:
        missing = Problem(
            Severity.ERROR,
            name,
            None,
            "",
            f"no config context named {m.ORGANISATION_CONTEXT!r}: it holds the organisation's "
            f"settings under the key {m.ORGANISATION_KEY!r} (`netprov inventory export` "
            "writes it)",
        )
        return Documents(None, ObjectMap(name), [missing])
    where = NautobotObject.at(
        snapshot.url, "extras.configcontext", str(context["id"]), m.ORGANISATION_CONTEXT
    )
    source = ObjectMap(name, fallback=where)
    source.place((), where, **{"": f"data.{m.ORGANISATION_KEY}"})
    data = (context.get("data") or {}).get(m.ORGANISATION_KEY)
    if not isinstance(data, dict):
        problem = Problem(
            Severity.ERROR,
            where.label(),
            None,
            "data",
            f"the organisation's settings belong under the key {m.ORGANISATION_KEY!r}",
        )
        return Documents(None, source, [problem])
    return Documents(data, source)


def site_documents(snapshot: Snapshot, providers: Mapping[str, str]) -> Documents:
    """A ``{"sites": [...]}`` document, one site per netprov location, in site id order.

    ``providers`` maps a Nautobot provider's name (or netprov id) to the organisation's
    provider id; an unknown one is passed on as it is, for the cross-checks to name.
    """
    source = ObjectMap(f"Nautobot {snapshot.url}")
    reader = _SiteReader(snapshot.url, source, providers)
    routers: dict[str, list[Record]] = defaultdict(list)
    for device in snapshot.devices:
        routers[str((device.get("location") or {}).get("id"))].append(device)
    known = {str(location["id"]) for location in snapshot.locations}
    for location_id, devices in routers.items():
        if location_id not in known:  # its location has no netprov site id
            reader.untracked_location(devices)
    ordered = sorted(
        snapshot.locations,
        key=lambda loc: (str(custom_fields(loc).get("netprov_site_id")), loc["name"]),
    )
    sites: list[dict[str, Any]] = []
    for location in ordered:
        site = reader.site(len(sites), location, routers.get(str(location["id"]), []))
        if site is not None:
            sites.append(site)
    return Documents({"sites": sites}, source, reader.problems)


def custom_fields(record: Mapping[str, Any]) -> dict[str, Any]:
    """A record's custom fields (REST ``custom_fields``, GraphQL ``_custom_field_data``)."""
    return dict(record.get("custom_fields") or record.get("_custom_field_data") or {})


def _present(**values: Any) -> dict[str, Any]:
    """The values Nautobot holds: a custom field it has no value for is left out, so the
    model's default (or its 'field required') applies as to a YAML key left out."""
    return {key: value for key, value in values.items() if value not in (None, "")}


class _SiteReader:
    def __init__(self, url: str, source: ObjectMap, providers: Mapping[str, str]) -> None:
        self.url = url
        self.source = source
        self.providers = providers
        self.platforms = m.network_drivers()
        self.problems: list[Problem] = []

    def _object(self, kind: str, record: Record, name: str | None = None) -> NautobotObject:
        return NautobotObject.at(self.url, kind, str(record["id"]), name or str(record["name"]))

    def _problem(self, where: NautobotObject, field_name: str, message: str) -> None:
        self.problems.append(Problem(Severity.ERROR, where.label(), None, field_name, message))

    def untracked_location(self, devices: list[Record]) -> None:
        location = devices[0]["location"]
        where = self._object(m.LOCATION, location)
        names = ", ".join(sorted(str(d["name"]) for d in devices))
        self._problem(
            where,
            "custom_fields.netprov_site_id",
            f"holds {names} (tagged {m.ROUTER_TAG!r}) but has no netprov site id: give it one",
        )

    def site(self, index: int, location: Record, devices: list[Record]) -> dict[str, Any] | None:
        where = self._object(m.LOCATION, location)
        if len(devices) != 1:
            found = ", ".join(sorted(str(d["name"]) for d in devices)) or "none"
            self._problem(
                where,
                "devices",
                f"needs exactly one device tagged {m.ROUTER_TAG!r} (its router); found {found}",
            )
            return None
        device = devices[0]
        interfaces = self._interfaces_by_role(device)
        if interfaces is None:
            return None
        prefix: tuple[str | int, ...] = ("sites", index)
        custom = custom_fields(location)
        self.source.place(
            prefix,
            where,
            id="custom_fields.netprov_site_id",
            name="name",
            address="physical_address",
            timezone="time_zone",
            **{name: f"custom_fields.{key}" for name, key in m.SITE_FIELDS.items()},
        )
        site = _present(
            id=custom.get("netprov_site_id"),
            name=location.get("name"),
            address=location.get("physical_address"),
            timezone=location.get("time_zone"),
            **{name: custom.get(key) for name, key in m.SITE_FIELDS.items()},
        )
        site["router"] = self._router((*prefix, "router"), device)
        for role, interface in interfaces.items():
            site[role] = (
                self._lan((*prefix, role), device, interface)
                if role == "lan"
                else self._uplink((*prefix, role), role, device, interface)
            )
        return site

    def _interfaces_by_role(self, device: Record) -> dict[str, Record] | None:
        by_role: dict[str, list[Record]] = defaultdict(list)
        names = {name: role for role, name in m.INTERFACE_ROLES.items()}
        for interface in device.get("interfaces") or []:
            role = names.get(str((interface.get("role") or {}).get("name")))
            if role is not None:
                by_role[role].append(interface)
        where = self._object(m.DEVICE, device)
        complete = True
        for role, name in m.INTERFACE_ROLES.items():
            found = by_role.get(role, [])
            if len(found) > 1:
                listed = ", ".join(str(i["name"]) for i in found)
                message = f"{len(found)} interfaces have role {name!r}: {listed}"
                self._problem(where, "interfaces", message)
                complete = False
            elif not found and role != "backup_uplink":
                self._problem(where, "interfaces", f"no interface has role {name!r}")
                complete = False
        return {role: found[0] for role, found in by_role.items()} if complete else None

    def _router(self, prefix: tuple[str | int, ...], device: Record) -> dict[str, Any]:
        self.source.place(
            prefix,
            self._object(m.DEVICE, device),
            hostname="name",
            mgmt_address="primary_ip4",
            platform="platform.network_driver",
            credentials="custom_fields.netprov_credentials",
        )
        driver = (device.get("platform") or {}).get("network_driver")
        platform = self.platforms.get(str(driver))
        return _present(
            hostname=device.get("name"),
            mgmt_address=(device.get("primary_ip4") or {}).get("host"),
            platform=platform.value if platform is not None else driver,
            credentials=custom_fields(device).get("netprov_credentials"),
        )

    def _interface_object(self, device: Record, interface: Record) -> NautobotObject:
        return self._object(m.INTERFACE, interface, f"{device['name']} {interface['name']}")

    def _addresses(self, where: NautobotObject, interface: Record) -> tuple[str | None, list[str]]:
        """The interface's address and its further subnets (role Secondary)."""
        primary: list[str] = []
        secondary: list[str] = []
        for address in interface.get("ip_addresses") or []:
            role = (address.get("role") or {}).get("name")
            (secondary if role == m.SECONDARY_ROLE else primary).append(str(address["address"]))
        if len(primary) > 1:
            self._problem(
                where,
                "ip_addresses",
                f"{len(primary)} addresses ({', '.join(primary)}): give the further ones "
                f"role {m.SECONDARY_ROLE!r}",
            )
        return (primary[0] if primary else None), sorted(secondary, key=_address_key)

    def _lan(
        self, prefix: tuple[str | int, ...], device: Record, interface: Record
    ) -> dict[str, Any]:
        where = self._interface_object(device, interface)
        self.source.place(
            prefix,
            where,
            interface="name",
            address="ip_addresses",
            extra_subnets="ip_addresses",
            dhcp="custom_fields.netprov_dhcp",
            dhcp_reserved="custom_fields.netprov_dhcp_reserved",
        )
        address, extra = self._addresses(where, interface)
        custom = custom_fields(interface)
        lan = _present(
            interface=interface.get("name"),
            address=address,
            dhcp=custom.get("netprov_dhcp"),
            dhcp_reserved=custom.get("netprov_dhcp_reserved"),
        )
        if extra:
            lan["extra_subnets"] = extra
        return lan

    def _uplink(
        self, prefix: tuple[str | int, ...], role: str, device: Record, interface: Record
    ) -> dict[str, Any]:
        where = self._interface_object(device, interface)
        self.source.place(
            prefix,
            where,
            interface="name",
            vlan="tagged_vlans",
            addressing="custom_fields.netprov_addressing",
            addressing__mode="custom_fields.netprov_addressing",
            addressing__address="ip_addresses",
            addressing__gateway="custom_fields.netprov_gateway",
            addressing__username="custom_fields.netprov_pppoe.username",
            addressing__password="custom_fields.netprov_pppoe.password",  # noqa: S106 - a field name
        )
        custom = custom_fields(interface)
        vlans = [int(v["vid"]) for v in interface.get("tagged_vlans") or []]
        if len(vlans) > 1:
            listed = ", ".join(map(str, vlans))
            self._problem(where, "tagged_vlans", f"an uplink is handed off on one VLAN: {listed}")
        address, _ = self._addresses(where, interface)
        mode = custom.get("netprov_addressing")
        addressing: dict[str, Any] = _present(mode=mode)
        if mode == "static":
            addressing |= _present(address=address, gateway=custom.get("netprov_gateway"))
        elif mode == "pppoe":
            pppoe = custom.get("netprov_pppoe")
            addressing |= pppoe if isinstance(pppoe, dict) else {}
        uplink = _present(interface=interface.get("name"), vlan=vlans[0] if vlans else None)
        uplink["addressing"] = addressing
        termination = interface.get("cable_peer_circuit_termination") or {}
        circuit = termination.get("circuit")
        if not circuit:
            self._problem(
                where,
                "cable",
                f"no circuit: cable the interface to its {m.CIRCUIT_TYPES[role]!r} circuit's "
                "termination (the line's provider, ID and commit rate are the circuit's)",
            )
            return uplink
        return uplink | self._circuit(prefix, role, circuit)

    def _circuit(self, prefix: tuple[str | int, ...], role: str, circuit: Record) -> dict[str, Any]:
        cid = str(circuit.get("cid") or "")
        where = self._object(m.CIRCUIT, circuit, cid)
        fields = {
            "provider": "provider",
            "circuit_id": "cid",
            "bandwidth_mbps": "commit_rate",
            "monthly_cost_idr": "custom_fields.netprov_monthly_cost_idr",
            "contract_end": "custom_fields.netprov_contract_end",
            "lastmile": "custom_fields.netprov_lastmile",
            "demand_mbps": "custom_fields.netprov_demand_kbps",
            "weight": "custom_fields.netprov_weight",
            "ceiling_mbps": "custom_fields.netprov_ceiling_kbps",
        }
        for name, nautobot_field in fields.items():
            self.source.place((*prefix, name), where, **{"": nautobot_field})
        custom = custom_fields(circuit)
        provider = str((circuit.get("provider") or {}).get("name"))
        rate = circuit.get("commit_rate")
        values = _present(
            provider=self.providers.get(provider, provider),
            circuit_id=None if cid.startswith(m.UNRECORDED_CID) else cid,
            bandwidth_mbps=m.mbps(rate) if isinstance(rate, int) else rate,
        )
        if role == "central_uplink":
            lastmile = custom.get("netprov_lastmile")
            demand, ceiling = custom.get("netprov_demand_kbps"), custom.get("netprov_ceiling_kbps")
            return values | _present(
                lastmile=self.providers.get(lastmile, lastmile) if lastmile else None,
                demand_mbps=m.mbps(demand) if isinstance(demand, int) else demand,
                weight=custom.get("netprov_weight"),
                ceiling_mbps=m.mbps(ceiling) if isinstance(ceiling, int) else ceiling,
            )
        return values | _present(
            monthly_cost_idr=custom.get("netprov_monthly_cost_idr"),
            contract_end=custom.get("netprov_contract_end"),
        )


def _address_key(address: str) -> tuple[int, ...]:
    """Addresses in numeric order (``10.2.x`` before ``10.10.x``).

    Examples:
        >>> sorted(["10.10.0.1/24", "10.2.0.1/24"], key=_address_key)
        ['10.2.0.1/24', '10.10.0.1/24']
    """
    host, _, length = address.partition("/")
    return (*(int(part) for part in host.split(".")), int(length or 32))
