"""``netprov inventory export --to nautobot+https://HOST``: seed Nautobot from an inventory.

Idempotent: each object is found by its natural key (a location by its netprov site id,
else its name; a device by name; an interface by device and name; an address by host; a
circuit by provider and ID), created when missing and changed only where it differs, in one
request per object type and kind of change; a second export changes nothing. What a team
already keeps is adopted, not duplicated: its locations, devices and platforms are found
and given netprov's fields; what netprov does not own is left alone (other tags, other
interfaces' roles, the team's device types). Nothing is deleted but netprov's own links
that the inventory no longer has (an address moved off an interface, the cable of an
uplink's old circuit, the tag of a location's former router).
"""

from __future__ import annotations

from collections.abc import Mapping

from netprov.errors import SourceError
from netprov.inventory.loader import LoadedInventory
from netprov.inventory.nautobot import mapping as m
from netprov.inventory.nautobot.client import NautobotClient
from netprov.inventory.nautobot.desired import organisation_data, site_objects, unrepresentable
from netprov.inventory.nautobot.read import custom_fields
from netprov.inventory.nautobot.writes import ExportReport, Record, Writer, record_id
from netprov.models import Platform
from netprov.platforms import driver_for


def refusals(loaded: LoadedInventory) -> list[str]:
    """What of the inventory Nautobot cannot hold: an export refuses before writing."""
    return [reason for site in loaded.sites for reason in unrepresentable(site)]


def export(loaded: LoadedInventory, client: NautobotClient) -> ExportReport:
    """Make Nautobot hold the inventory (check :func:`refusals` first)."""
    return _Export(loaded, client).run()


class _Export(Writer):
    def __init__(self, loaded: LoadedInventory, client: NautobotClient) -> None:
        super().__init__(client)
        self.loaded = loaded
        self.sites = [site_objects(site, loaded.organisation) for site in loaded.sites]

    # --- the export ---------------------------------------------------------------------

    def run(self) -> ExportReport:
        self.custom_fields()
        active = self.client.objects("extras.statuses", name="Active")
        if not active:
            raise SourceError(f"Nautobot {self.client.spec}: no status 'Active'")
        self.active = active[0]["id"]
        locations = self.locations()
        devices = self.devices(locations)
        interfaces = self.interfaces(devices, self.vlans(locations))
        self.addresses(devices, interfaces)
        self.circuits(locations, interfaces)
        self.organisation()
        return self.report

    def custom_fields(self) -> None:
        existing = {cf["key"]: cf for cf in self.client.objects("extras.custom_fields")}
        for definition in m.CUSTOM_FIELDS:
            record = existing.get(definition.key)
            if record is not None and record_id(record.get("type")) != definition.type:
                raise SourceError(
                    f"Nautobot {self.client.spec}: custom field {definition.key} is of type "
                    f"{record_id(record.get('type'))}, netprov keeps {definition.type} there"
                )
        wanted: dict[str, Record] = {}
        for definition in m.CUSTOM_FIELDS:
            types = list((existing.get(definition.key) or {}).get("content_types") or [])
            wanted[definition.key] = {
                "key": definition.key,
                "label": (existing.get(definition.key) or {}).get("label") or definition.label,
                "type": definition.type,
                "content_types": sorted({*types, definition.content_type}),
                "description": definition.description,
            }
        records = self.sync("extras.custom_fields", wanted, existing)
        for definition in m.CUSTOM_FIELDS:
            if not definition.choices:
                continue
            field_id = records[definition.key]["id"]
            have = {
                c["value"]: c
                for c in self.client.objects("extras.custom_field_choices", custom_field=field_id)
            }
            self.sync(
                "extras.custom_field_choices",
                {
                    value: {"custom_field": field_id, "value": value, "weight": 100 * (i + 1)}
                    for i, value in enumerate(definition.choices)
                },
                have,
            )

    def locations(self) -> dict[str, Record]:
        """Each site's location, by site id: found by its netprov site id, else its name."""
        tracked = self.client.objects("dcim.locations", cf_netprov_site_id__re=".")
        by_id = {str(custom_fields(loc).get("netprov_site_id")): loc for loc in tracked}
        inventory = {objects.site_id for objects in self.sites}
        self.report.beyond = sorted(set(by_id) - inventory)
        unmatched = [o.location["name"] for o in self.sites if o.site_id not in by_id]
        named = self.client.objects("dcim.locations", name=unmatched)
        existing = dict(by_id)
        for objects in self.sites:
            if objects.site_id not in existing:
                match = [loc for loc in named if loc["name"] == objects.location["name"]]
                if match:
                    existing[objects.site_id] = match[0]
        location_type: Record | None = None

        def create(_: str) -> Record:
            nonlocal location_type
            if location_type is None:
                location_type = self.one(
                    "dcim.location_types",
                    {"name": m.LOCATION_TYPE},
                    {
                        "content_types": [
                            "dcim.device",
                            "circuits.circuittermination",
                            "ipam.prefix",
                            "ipam.vlan",
                        ]
                    },
                )
            return {"status": self.active, "location_type": location_type["id"]}

        wanted = {o.site_id: o.location for o in self.sites}
        return self.sync("dcim.locations", wanted, existing, create)

    def devices(self, locations: dict[str, Record]) -> dict[str, Record]:
        """Each site's router, by site id, tagged netprov (the tag moved off any other
        device of the location)."""
        tag = self.with_content_type("extras.tags", m.ROUTER_TAG, "dcim.device")
        names = [o.device["name"] for o in self.sites]
        existing: dict[str, Record] = {}
        found = self.client.objects("dcim.devices", name=names)
        for objects in self.sites:
            location = locations[objects.site_id]["id"]
            same = [d for d in found if d["name"] == objects.device["name"]]
            here = [d for d in same if record_id(d.get("location")) == location]
            if here or len(same) == 1:
                existing[objects.site_id] = (here or same)[0]
        platforms = self.platforms({Platform(o.platform) for o in self.sites})
        wanted: dict[str, Record] = {}
        for objects in self.sites:
            tags = [record_id(t) for t in (existing.get(objects.site_id) or {}).get("tags") or []]
            wanted[objects.site_id] = objects.device | {
                "location": locations[objects.site_id]["id"],
                "platform": platforms[objects.platform][0],
                "tags": sorted({*map(str, tags), str(tag["id"])}),
            }
        role = self.with_content_type("extras.roles", m.DEVICE_ROLE, "dcim.device")

        platform_of = {o.site_id: o.platform for o in self.sites}

        def create(key: str) -> Record:
            device_type = platforms[platform_of[key]][1]
            return {"status": self.active, "role": role["id"], "device_type": device_type}

        records = self.sync("dcim.devices", wanted, existing, create)
        ids = {str(r["id"]) for r in records.values()}
        tagged = self.client.objects(
            "dcim.devices", tags=m.ROUTER_TAG, location=[loc["id"] for loc in locations.values()]
        )
        former = {str(d["id"]): d for d in tagged if str(d["id"]) not in ids}
        self.sync(
            "dcim.devices",
            {
                key: {
                    "tags": [
                        str(record_id(t)) for t in d.get("tags") or [] if record_id(t) != tag["id"]
                    ]
                }
                for key, d in former.items()
            },
            former,
        )
        return records

    def platforms(self, used: set[Platform]) -> dict[str, tuple[str, str]]:
        """Each platform's Nautobot Platform (found by network driver) and a device type."""
        chosen: dict[str, tuple[str, str]] = {}
        existing = self.client.objects("dcim.platforms")
        for platform in sorted(used):
            driver = driver_for(platform)
            match = [p for p in existing if p.get("network_driver") in driver.network_drivers]
            record = (
                match[0]
                if match
                else self.one(
                    "dcim.platforms",
                    {"name": driver.display_name},
                    {"network_driver": driver.network_drivers[0]},
                )
            )
            maker = self.one("dcim.manufacturers", {"name": driver.vendor})
            model = f"{driver.display_name} router"
            device_type = self.one(
                "dcim.device_types", {"manufacturer": maker["id"], "model": model}
            )
            chosen[platform.value] = (str(record["id"]), str(device_type["id"]))
        return chosen

    def vlans(self, locations: dict[str, Record]) -> dict[tuple[str, int], str]:
        """The hand-off VLANs, each scoped to its site's location: (site, vid) -> id."""
        wanted = {
            (o.site_id, i.vlan) for o in self.sites for i in o.interfaces if i.vlan is not None
        }
        if not wanted:
            return {}
        location_ids = {str(locations[site]["id"]): site for site, _ in wanted}
        assigned = self.client.objects(
            "ipam.vlan_location_assignments", location=sorted(location_ids)
        )
        ids = sorted({str(record_id(a["vlan"])) for a in assigned})
        vlans = {str(v["id"]): v for v in self.client.objects("ipam.vlans", id=ids)}
        have: dict[tuple[str, int], Record] = {}
        for assignment in assigned:
            vlan = vlans.get(str(record_id(assignment["vlan"])))
            site = location_ids.get(str(record_id(assignment["location"])))
            if vlan is not None and site is not None:
                have[(site, int(vlan["vid"]))] = vlan
        created = self.sync(
            "ipam.vlans",
            {key: {"vid": key[1], "name": f"hand-off {key[1]}"} for key in sorted(wanted)},
            have,
            lambda _: {"status": self.active},
        )
        new = [key for key in wanted if key not in have]
        self.sync(
            "ipam.vlan_location_assignments",
            {key: {"vlan": created[key]["id"], "location": locations[key[0]]["id"]} for key in new},
            {},
        )
        return {key: str(record["id"]) for key, record in created.items()}

    def interfaces(
        self, devices: dict[str, Record], vlans: dict[tuple[str, int], str]
    ) -> dict[tuple[str, str], Record]:
        """Each site's interfaces, by (site, name), with their roles, VLANs and fields; a
        netprov role the inventory no longer gives an interface is taken off it."""
        roles = {
            name: self.with_content_type("extras.roles", name, "dcim.interface")["id"]
            for name in m.INTERFACE_ROLES.values()
        }
        device_site = {str(d["id"]): site for site, d in devices.items()}
        have_all = self.client.objects(
            "dcim.interfaces", device=sorted(device_site), exclude_m2m=False
        )
        existing: dict[tuple[str, str], Record] = {
            (device_site[str(record_id(i["device"]))], str(i["name"])): i for i in have_all
        }
        wanted: dict[tuple[str, str], Record] = {}
        for objects in self.sites:
            for interface in objects.interfaces:
                fields: Record = {"name": interface.name, "custom_fields": interface.custom_fields}
                if interface.role is not None:
                    fields["role"] = roles[interface.role]
                if interface.role not in (None, m.INTERFACE_ROLES["lan"]):
                    vlan = interface.vlan
                    fields["mode"] = "tagged" if vlan is not None else ""
                    fields["tagged_vlans"] = [vlans[(objects.site_id, vlan)]] if vlan else []
                wanted[(objects.site_id, interface.name)] = fields
        types = {(o.site_id, i.name): i.type for o in self.sites for i in o.interfaces}

        def create(key: tuple[str, str]) -> Record:
            device = devices[key[0]]["id"]
            return {"device": device, "type": types[key], "status": self.active}

        records = self.sync("dcim.interfaces", wanted, existing, create)
        ours = set(roles.values())
        stale = {
            key: {"role": None}
            for key, record in existing.items()
            if key not in wanted and record_id(record.get("role")) in ours
        }
        self.sync("dcim.interfaces", stale, existing)
        return records

    def addresses(
        self, devices: dict[str, Record], interfaces: dict[tuple[str, str], Record]
    ) -> None:
        """Prefixes, addresses, their interfaces, and each router's primary address."""
        namespace = self.one("ipam.namespaces", {"name": m.NAMESPACE})["id"]
        wanted = [(o.site_id, a) for o in self.sites for a in o.addresses]
        networks = sorted({str(a.address.network) for _, a in wanted})
        prefixes = {p["prefix"]: p for p in self.client.objects("ipam.prefixes", prefix=networks)}
        self.sync(
            "ipam.prefixes",
            {n: {"prefix": n} for n in networks},
            prefixes,
            lambda _: {"namespace": namespace, "status": self.active, "type": "network"},
        )
        ip_roles = {
            name: self.with_content_type("extras.roles", name, "ipam.ipaddress")["id"]
            for name in (m.SECONDARY_ROLE, m.LOOPBACK_ROLE)
        }
        hosts = sorted({str(a.address.ip) for _, a in wanted})
        have = {str(r["host"]): r for r in self.client.objects("ipam.ip_addresses", address=hosts)}
        addresses = self.sync(
            "ipam.ip_addresses",
            {
                str(a.address.ip): {
                    "address": a.address.with_prefixlen,
                    "role": ip_roles[a.role] if a.role else None,
                }
                for _, a in wanted
            },
            have,
            lambda _: {"namespace": namespace, "status": self.active},
        )
        interface_ids = sorted({str(interfaces[(s, a.interface)]["id"]) for s, a in wanted})
        links = self.client.objects("ipam.ip_address_to_interface", interface=interface_ids)
        pairs = {
            (str(record_id(r["ip_address"])), str(record_id(r["interface"]))): r for r in links
        }
        desired = {
            (str(addresses[str(a.address.ip)]["id"]), str(interfaces[(s, a.interface)]["id"]))
            for s, a in wanted
        }
        self.sync(
            "ipam.ip_address_to_interface",
            {pair: {"ip_address": pair[0], "interface": pair[1]} for pair in sorted(desired)},
            pairs,
        )
        self.delete(
            "ipam.ip_address_to_interface",
            [str(r["id"]) for pair, r in pairs.items() if pair not in desired],
        )
        self.sync(
            "dcim.devices",
            {
                o.site_id: {"primary_ip4": addresses[str(o.primary.address.ip)]["id"]}
                for o in self.sites
            },
            devices,
        )

    def circuits(
        self, locations: dict[str, Record], interfaces: dict[tuple[str, str], Record]
    ) -> None:
        """Each uplink's circuit, its A termination at the site, cabled to the interface."""
        wanted = [(o.site_id, c) for o in self.sites for c in o.circuits]
        providers = {
            name: self.one("circuits.providers", {"name": name})["id"]
            for name in sorted({c.provider for _, c in wanted})
        }
        circuit_types = {
            name: self.one("circuits.circuit_types", {"name": name})["id"]
            for name in sorted({c.circuit_type for _, c in wanted})
        }
        cids = sorted({c.cid for _, c in wanted})
        have = {
            (str(record_id(r["provider"])), str(r["cid"])): r
            for r in self.client.objects("circuits.circuits", cid=cids)
        }
        circuits = self.sync(
            "circuits.circuits",
            {
                (providers[c.provider], c.cid): {
                    "cid": c.cid,
                    "provider": providers[c.provider],
                    "circuit_type": circuit_types[c.circuit_type],
                    "commit_rate": c.commit_kbps,
                    "custom_fields": c.custom_fields,
                }
                for _, c in wanted
            },
            have,
            lambda _: {"status": self.active},
        )
        circuit_of = {
            (s, c.interface): str(circuits[(providers[c.provider], c.cid)]["id"]) for s, c in wanted
        }
        terminations = {
            str(record_id(t["circuit"])): t
            for t in self.client.objects(
                "circuits.circuit_terminations", circuit=sorted(set(circuit_of.values()))
            )
            if record_id(t.get("term_side")) == "A"
        }
        ends = self.sync(
            "circuits.circuit_terminations",
            {
                circuit: {"circuit": circuit, "term_side": "A", "location": locations[s]["id"]}
                for (s, _), circuit in circuit_of.items()
            },
            terminations,
        )
        self.cables(interfaces, circuit_of, ends)

    def cables(
        self,
        interfaces: dict[tuple[str, str], Record],
        circuit_of: dict[tuple[str, str], str],
        ends: dict[str, Record],
    ) -> None:
        """Each uplink cabled to its circuit's termination; a cable either end had to
        something else (a former circuit) is replaced."""
        connected = self.with_content_type("extras.statuses", "Connected", "dcim.cable")["id"]
        old: set[str] = set()
        new: dict[tuple[str, str], Record] = {}
        for key, circuit in circuit_of.items():
            interface, end = interfaces[key], ends[circuit]
            if str(record_id(interface.get("cable_peer"))) == str(end["id"]):
                continue
            old |= {str(record_id(c)) for c in (interface.get("cable"), end.get("cable")) if c}
            new[key] = {
                "termination_a_type": "dcim.interface",
                "termination_a_id": interface["id"],
                "termination_b_type": "circuits.circuittermination",
                "termination_b_id": end["id"],
                "status": connected,
            }
        self.delete("dcim.cables", old)
        self.sync("dcim.cables", new, {})

    def organisation(self) -> None:
        """The organisation's settings, in their config context."""
        have = self.client.objects("extras.config_contexts", name=m.ORGANISATION_CONTEXT)
        data = {m.ORGANISATION_KEY: organisation_data(self.loaded.organisation)}
        self.sync(
            "extras.config_contexts",
            {m.ORGANISATION_CONTEXT: {"name": m.ORGANISATION_CONTEXT, "data": data}},
            {m.ORGANISATION_CONTEXT: have[0]} if have else {},
            lambda _: {"is_active": True},
        )


def write_phases(client: NautobotClient, phases: Mapping[str, str]) -> list[str]:
    """Set sites' desired phase (site id -> phase) on their locations: what ``netprov
    promote`` writes when the sites are kept in Nautobot. The locations' web pages."""
    if not phases:
        return []
    # (a custom field filter given several values matches one of them: all, then pick)
    locations = client.objects("dcim.locations", cf_netprov_site_id__re=".")
    updates = []
    pages = []
    for location in locations:
        site = str(custom_fields(location).get("netprov_site_id"))
        if site in phases:
            updates.append(
                {"id": location["id"], "custom_fields": {"netprov_desired_phase": phases[site]}}
            )
            pages.append(str(location.get("url", "")).replace("/api/", "/", 1))
    client.update("dcim.locations", updates)
    return pages
