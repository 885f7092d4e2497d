"""A synthetic inventory of N sites, valid by construction, for benchmarks.

Addressing never collides for N <= 60,000: LANs in 10.64.0.0/10, central hand-offs in
100.64.0.0/10, static legacy lines in 172.16.0.0/12, management in 10.192.0.0/12.
"""

from __future__ import annotations

import random
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any

import yaml

KINDS = ["opd", "kecamatan", "kelurahan", "desa", "puskesmas", "mpp", "hotspot", "other"]
ORGANISATION: dict[str, Any] = {
    "name": "Synthetic Province",
    "short_name": "synthetic",
    "domain": "synthetic.go.id",
    "management_networks": ["10.250.10.0/24"],
    "central_services": ["10.250.0.0/20"],
    "central_providers": [
        {
            "id": "central-a",
            "name": "Central A",
            "capacity_mbps": 100000,
            "oversubscription": 3.0,
            "price_per_month_idr": 5_000_000_000,
            "contract": {"end": "2035-12-31"},
            "lastmile": ["lastmile-x"],
        },
        {
            "id": "central-b",
            "name": "Central B",
            "capacity_mbps": 60000,
            "oversubscription": 3.0,
            "price_per_month_idr": 3_000_000_000,
            "contract": {"end": "2035-12-31"},
        },
    ],
    "providers": [{"id": f"isp-{i}", "name": f"ISP {i}"} for i in range(8)]
    + [{"id": "lastmile-x", "name": "Last mile X"}],
    "dns": {"filtering_resolvers": ["192.0.2.53", "192.0.2.54"]},
    "ntp_servers": ["10.250.0.123"],
    "syslog_servers": ["10.250.0.51"],
    "snmp": {
        "community": {"env": "NETPROV_SNMP_COMMUNITY"},
        "location": "Synthetic",
        "contact": "noc@synthetic.go.id",
    },
    "flow": {"collector": "10.250.0.55"},
    "probes": {"legacy": "198.41.0.4", "central": "199.7.83.42", "backup": "193.0.14.129"},
    "bandwidth": {"floors_mbps": {"opd": 5, "desa": 2, "puskesmas": 4}, "burst_factor": 2.0},
}


def _address(base: str, offset: int) -> IPv4Address:
    return IPv4Address(int(IPv4Address(base)) + offset)


def make_site(i: int, rng: random.Random) -> dict[str, Any]:
    ios = i % 5 == 0
    kind = KINDS[i % len(KINDS)]
    lan = _address("10.64.0.0", i * 256)
    central = _address("100.64.0.0", i * 4)
    mode = ("static", "dhcp", "pppoe")[i % 3]
    legacy: dict[str, Any] = {"mode": mode}
    if mode == "static":
        net = _address("172.16.0.0", i * 4)
        legacy = {"mode": "static", "address": f"{net + 2}/30", "gateway": str(net + 1)}
    elif mode == "pppoe":
        legacy = {
            "mode": "pppoe",
            "username": f"site{i}@isp.example",
            "password": {"file": "secrets/pppoe.yaml", "key": f"site-{i:05d}"},
        }
    site: dict[str, Any] = {
        "id": f"site-{i:05d}",
        "name": f"Site {i} {kind.title()}",
        "kind": kind,
        "router": {
            "hostname": f"syn-{i:05d}-r1",
            "mgmt_address": str(_address("10.192.0.1", i)),
            "platform": "cisco_ios" if ios else "mikrotik_routeros",
            "credentials": {"username": "netprov", "password": {"env": "NETPROV_ROUTER_PASSWORD"}},
        },
        "lan": {
            "interface": "GigabitEthernet0/0/2" if ios else "ether2",
            "address": f"{lan + 1}/24",
        },
        "legacy_uplink": {
            "provider": f"isp-{i % 8}",
            "interface": "GigabitEthernet0/0/0" if ios else "ether1",
            "addressing": legacy,
            "bandwidth_mbps": rng.choice([20, 50, 100]),
            "monthly_cost_idr": rng.choice([350_000, 750_000, 1_500_000]),
            "contract_end": "2034-12-31",
        },
        "central_uplink": {
            "provider": "central-a" if i % 3 else "central-b",
            "interface": "GigabitEthernet0/0/1" if ios else "ether5",
            "vlan": 100 + i % 3900,
            "addressing": {
                "mode": "static",
                "address": f"{central + 2}/30",
                "gateway": str(central + 1),
            },
            "bandwidth_mbps": 100,
            "demand_mbps": rng.choice([5, 10, 20, 40]),
        },
        "services": [{"name": "e-Government", "address": "10.250.1.10", "port": 443}],
        "wave": 1 + i % 20,
    }
    if i % 7 == 0:
        site["backup_uplink"] = {
            "provider": "isp-7",
            "interface": "GigabitEthernet0/1/0" if ios else "ether4",
            "addressing": {"mode": "dhcp"},
            "bandwidth_mbps": 30,
        }
    return site


def write_inventory(root: Path, sites: int, *, per_file: int = 1000, seed: int = 1) -> Path:
    rng = random.Random(seed)
    (root / "sites").mkdir(parents=True, exist_ok=True)
    (root / "organisation.yaml").write_text(
        yaml.safe_dump(ORGANISATION, sort_keys=False), encoding="utf-8"
    )
    for start in range(0, sites, per_file):
        chunk = [make_site(i, rng) for i in range(start, min(start + per_file, sites))]
        text = yaml.safe_dump({"sites": chunk}, sort_keys=False, default_flow_style=None, width=120)
        (root / "sites" / f"sites-{start // per_file:03d}.yaml").write_text(text, encoding="utf-8")
    return root
