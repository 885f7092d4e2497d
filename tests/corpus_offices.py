"""Where each office of the corpus (tests/fixtures/real-configs) has its lines, for a
rehearsal that names them in an inventory site: the sample city's site of the platform,
edited only where the office's interfaces require it (its ISP line's port and addressing,
its LAN's port and addresses, a port or VLAN for the central hand-off, its second ISP line
as the backup line). Read from each config: the port its default route or NAT leaves by,
the bridge or port holding the address its DHCP server serves.

A central hand-off needs a port of its own: where the office has a free one it is named;
where every port is in the LAN bridge (a home or small-office router), the provider's
fibre is plugged into one of them and the hand-off is a VLAN on the bridge (MikroTik
manual, "Bridging and Switching": a VLAN interface on a bridge receives the frames tagged
with its VLAN ID from the bridge's ports).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from netprov.inventory.loader import load_inventory
from netprov.models import Platform
from netprov.platforms import driver_for
from netprov.sim.routeros.router import RosDevice
from netprov.sim.world import site_world
from tests.conftest import TODAY

FIXTURES = Path(__file__).parent / "fixtures" / "real-configs"
ROS_SITE = "kec-sukamaju"  # the sample's RouterOS office: PPPoE line, central VLAN 1131
ROS_SITE_FILE = "sites/kecamatan-kelurahan.yaml"
IOS_SITE = "dprd"  # the sample's IOS office: static line, central VLAN 1102, no backup
IOS_SITE_FILE = "sites/opd.yaml"

Addressing = dict[str, Any]
DHCP: Addressing = {"mode": "dhcp"}


def static(address: str, gateway: str) -> Addressing:
    return {"mode": "static", "address": address, "gateway": gateway}


def pppoe(username: str, key: str = ROS_SITE) -> Addressing:
    """A PPPoE account (each its own secret: the cross-check refuses a shared one)."""
    return {
        "mode": "pppoe",
        "username": username,
        "password": {"file": "secrets/pppoe.yaml", "key": key},
    }


@dataclass(frozen=True)
class Line:
    """An ISP line as the office has it: its port (and VLAN) and how it is addressed."""

    interface: str
    addressing: Addressing
    vlan: int | None = None


@dataclass(frozen=True)
class Office:
    """One corpus config as an inventory site describes it."""

    file: str
    legacy: Line
    lan: str
    lan_address: str
    central: str  # the hand-off's port (VLAN 1131 on it, as the sample's)
    backup: Line | None = None
    extra_subnets: tuple[str, ...] = ()  # the LAN port's other subnets
    # the office serves DHCP on that LAN today (netprov takes the server over); else the
    # inventory says so (lan.dhcp: false) and DHCP stays as it is
    dhcp: bool = True
    central_vlan: int | None = 0  # 0: the sample's VLAN; None: the port is the hand-off
    mgmt: str | None = None  # the office's loopback address, where it has Loopback0
    # issue 40: final may take the office line away with the policy routing naming only it
    # (legacy_uplink.policy_routing: retire); else the site stays at central
    retire: bool = False
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return FIXTURES / self.file

    @property
    def ios(self) -> bool:
        return self.file.endswith(".cfg")

    @property
    def site_id(self) -> str:
        return IOS_SITE if self.ios else ROS_SITE

    @property
    def site_file(self) -> str:
        return IOS_SITE_FILE if self.ios else ROS_SITE_FILE


ROUTEROS_OFFICES = [
    Office(
        "routeros-6.40-rb750g-defconf.rsc",
        Line("ether1", DHCP),
        "ether2-master",
        "192.168.88.1/24",
        "ether2-master",  # ether3-5 are its switch ports (master-port): tagged frames too
    ),
    Office(
        "routeros-6.47-rb750gr3-pcc.rsc",
        Line("ISP1", static("192.168.1.40/24", "192.168.1.1")),
        "LAN",
        "192.168.10.1/24",
        "ether4",
        backup=Line("ISP2", static("192.168.2.40/24", "192.168.2.1")),
        dhcp=False,
        retire=True,
    ),
    Office(
        "routeros-6.47.8-cap2nd-capsman-cap.rsc",
        Line("ether1", DHCP),
        "ether1",  # an access point: its clients are on the wire it gets its address from
        "192.168.1.1/24",
        "ether1",
        dhcp=False,
    ),
    Office(
        "routeros-6.47.9-rb750gr3-three-isp-failover.rsc",
        Line("ether1-frist", DHCP),
        "bridge-lan",
        "192.168.9.1/24",
        "bridge-lan",
        backup=Line("ether2-idplay-bisnis", DHCP),
    ),
    Office(
        "routeros-6.48.4-rb1100x4-school-hotspot.rsc",
        Line("bridge3-Biznet", static("182.253.106.178/29", "182.253.106.177")),
        "bridge1",
        "192.168.20.1/22",
        "bridge1",
    ),
    Office(
        "routeros-6.48.6-rb750g-rtrw-hotspot-arp.rsc",
        Line("ether1-ISP-1", static("10.10.12.2/24", "10.10.12.1")),
        "lan",
        "192.168.66.1/24",
        "lan",
        backup=Line("ether2-ISP-2", static("192.168.18.101/24", "192.168.18.1")),
        extra_subnets=("192.168.221.1/24", "192.168.68.1/24", "192.168.65.1/24"),
        dhcp=False,
    ),
    Office(
        "routeros-6.48.6-rb750gr3-vpn-clients-netwatch.rsc",
        Line("ether1-IDPLAY1", DHCP),
        "bridge-lan",
        "192.168.56.1/24",
        "bridge-lan",
        backup=Line("ether2-BIZ", DHCP),
        dhcp=False,
    ),
    Office(
        "routeros-6.49.2-hapac2-village-pppoe-wireless.rsc",
        Line("LAN-CLIENT", pppoe("001bale@mnet.com")),  # the ISP's modem on the LAN bridge
        "LAN-CLIENT",
        "192.168.200.1/24",
        "LAN-CLIENT",
        extra_subnets=("192.168.201.1/24",),
        dhcp=False,
    ),
    Office(
        "routeros-6.49.2-rb750r2-pcc-office.rsc",
        # its main line is VLAN 481 ("Masquerade principal", the default route of distance
        # 1), ether3 its contingency (distance 100)
        Line("ether1 - Tx - 1009248", static("200.108.242.105/28", "200.108.242.97"), vlan=481),
        "bridgeLAN_500",
        "192.168.88.1/24",
        "bridgeLAN_500",
        backup=Line("ether3 PM iP 10.69.56.166", static("200.108.237.146/29", "200.108.237.145")),
        retire=True,
    ),
    Office(
        "routeros-6.49.6-hap-lite-defconf-l2tp.rsc",
        Line("ether1", static("201.221.26.99/28", "201.221.26.97")),
        "bridge",
        "192.168.88.1/24",
        "bridge",
    ),
    Office(
        "routeros-6.49.6-rb4011-terse-head.rsc",
        Line("wan A", static("192.168.100.7/24", "192.168.100.1")),
        "main-infrastructure-br",
        "192.168.90.1/24",
        # its free ports (lan E to H, optic) are disabled: a VLAN there never runs, so the
        # provider's fibre goes into a bridge port and the hand-off is a VLAN on the bridge
        "main-infrastructure-br",
    ),
    Office(
        "routeros-6.49.7-hap-lite-compact-vlans.rsc",
        Line("ether1", static("200.108.217.100/27", "200.108.217.97"), vlan=481),
        "bridge",
        "192.168.1.1/24",
        "bridge",
    ),
    Office(
        "routeros-6.49.7-hap-lite-hotspot.rsc",
        Line("ether1", static("200.108.198.182/28", "200.108.198.177")),
        "bridge",
        "192.168.88.1/24",
        "bridge",
    ),
    Office(
        "routeros-6.49.7-hap-lite-office-static-arp.rsc",
        Line("ether1", static("200.108.229.199/28", "200.108.229.193")),
        "bridge",
        "192.168.88.1/24",
        "bridge",
    ),
    Office(
        "routeros-6.49.7-rb450gx4-capsman-hotspot-pcc.rsc",
        Line("ether1", DHCP),
        "bridge99",
        "192.168.99.1/24",
        "ether5",  # its trunk to the access switches: the hand-off is one more VLAN there
        backup=Line("ether2", DHCP),
        retire=True,
    ),
    Office(
        "routeros-6.49.8-rb450gx4-two-lans-vpn.rsc",
        Line("ether1-isp1", DHCP),
        "bridge-dosen",
        "10.0.0.1/22",
        "bridge-dosen",
        backup=Line("ether2-isp2", DHCP),
        retire=True,
    ),
    Office(
        "routeros-7.12-l009-defconf-pppoe-wifiwave2.rsc",
        Line("ether1", pppoe("khw@a.1")),
        "bridge",
        "81.187.180.129/24",
        "bridge",
    ),
    Office(
        "routeros-7.18.2-hapac2-bridge-ap.rsc",
        Line("bridge", DHCP),  # an access point: every port in one bridge
        "bridge",
        "192.168.1.1/24",
        "bridge",
        dhcp=False,
    ),
    Office(
        "routeros-7.20.1-capxl-terse-cap.rsc",
        Line("main infrastructure", DHCP),  # a CAPsMAN access point, like the one above
        "main infrastructure",
        "192.168.1.1/24",
        "main infrastructure",
        dhcp=False,
    ),
    Office(
        "routeros-7.21-rb5009-terse-head.rsc",
        Line("wan A", DHCP),  # the excerpt stops before /ip address: the LAN's is its pool's
        "main-infrastructure-br",
        "192.168.90.1/24",
        "lan E",
    ),
    Office(
        "routeros-7.4-rb941-pppoe-l2tp.rsc",
        Line("ether1", pppoe("ppp01@isp01")),
        "ether3",
        "192.168.3.1/24",
        "ether4",
    ),
    Office(
        "routeros-7.4-rb941-recursive-failover.rsc",
        Line("ether1", pppoe("ppp01@isp01")),
        "ether3",
        "192.168.3.1/24",
        "ether4",
        backup=Line("ether2", pppoe("ppp01@isp02", key="kec-sukamaju-backup")),
        retire=True,
    ),
    Office(
        "routeros-7.9.2-chr-pcc-vlans-netwatch.rsc",
        Line("ether1", pppoe("ppp1")),
        "Bridge-VLAN-TRUNKs",
        "192.168.88.1/24",
        "ether3",
        backup=Line("ether2", pppoe("ppp2", key="kec-sukamaju-backup")),
        retire=True,
    ),
    Office(
        "routeros-7.x-pcc-hotspot-cake.rsc",
        Line("ether1-pldt", DHCP),
        "bridge-trunk",
        "10.10.100.1/24",
        "ether5",
        backup=Line("ether2-starlink", DHCP),
    ),
]


def _uplink(entry: dict[str, Any], line: Line) -> None:
    entry["interface"] = line.interface
    entry["addressing"] = line.addressing
    entry.pop("vlan", None)
    if line.vlan is not None:
        entry["vlan"] = line.vlan


def site_for(inventory: Path, office: Office) -> Path:
    """Edit the sample site of the office's platform in the inventory copy ``inventory``
    to describe ``office``; returns the site's file."""
    path = inventory / office.site_file
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    (site,) = [s for s in data["sites"] if s["id"] == office.site_id]
    if office.mgmt is not None:
        site["router"]["mgmt_address"] = office.mgmt
    site["lan"] = {"interface": office.lan, "address": office.lan_address, "dhcp": office.dhcp}
    if office.extra_subnets:
        site["lan"]["extra_subnets"] = list(office.extra_subnets)
    _uplink(site["legacy_uplink"], office.legacy)
    if office.retire:
        site["legacy_uplink"]["policy_routing"] = "retire"
    site["central_uplink"]["interface"] = office.central
    if office.central_vlan is None:
        site["central_uplink"].pop("vlan", None)
    elif office.central_vlan:
        site["central_uplink"]["vlan"] = office.central_vlan
    if office.backup is None:
        site.pop("backup_uplink", None)
    else:
        backup = site.setdefault("backup_uplink", {"provider": "xl-home", "bandwidth_mbps": 30})
        _uplink(backup, office.backup)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


# IOS: the sample's DPRD office (tests/fixtures/real-configs/README.md: where each office has
# its uplink and LAN). Where the office has a Loopback0, it is its management address (netprov
# keeps the router's address on Loopback0: templates/cisco_ios/base.j2).
IOS_OFFICES = [
    Office(
        "ios-12.4-7200-nat-dhcp.cfg",
        Line("FastEthernet0/1", DHCP),
        "FastEthernet0/0.50",
        "192.168.10.202/30",
        "FastEthernet0/0",  # the LAN's trunk: the hand-off is one more VLAN there
        dhcp=False,
    ),
    Office(
        "ios-12.4-adsl-dialer-cbac-dhcp.cfg",
        Line("ATM0/0.32", pppoe("foo@isp.example", key="dprd")),
        "FastEthernet0/0",
        "172.16.2.1/24",
        "FastEthernet0/1",
        dhcp=False,
        mgmt="172.16.0.1",
    ),
    Office(
        "ios-15.1-2901-ospf-logging-legacy.cfg",
        Line("GigabitEthernet0/0", static("192.168.3.1/30", "192.168.3.2")),
        "FastEthernet0/0/0",
        "10.93.0.1/24",
        "GigabitEthernet0/0",
        dhcp=False,
    ),
    Office(
        "ios-15.2-2901-ospf-vty-5-15.cfg",
        Line("GigabitEthernet0/1", static("192.168.2.2/30", "192.168.2.1")),
        "FastEthernet0/0/0",
        "10.92.0.1/24",
        "GigabitEthernet0/1",
        dhcp=False,
        mgmt="10.2.0.5",
    ),
    Office(
        "ios-15.4-881-nat-lists-static.cfg",
        Line("FastEthernet4", static("10.0.0.250/24", "10.0.0.1")),
        "Vlan1",
        "10.31.2.1/24",
        "Vlan1102",  # an SVI: the 881's switch ports carry VLANs
        central_vlan=None,
        mgmt="10.2.0.3",
    ),
    Office(
        "ios-15.4-881-office-vlans-dhcp.cfg",
        Line("FastEthernet4", static("10.0.0.254/24", "10.0.0.1")),
        "Vlan200",
        "10.20.0.1/24",
        "Vlan1102",
        central_vlan=None,
    ),
    Office(
        "ios-15.4-iosv-zbf-eigrp-static-nat.cfg",
        Line("GigabitEthernet0/6", static("172.17.17.2/30", "172.17.17.1")),
        "GigabitEthernet0/1",
        "172.16.100.1/30",
        "GigabitEthernet0/4",  # shut, unused
        dhcp=False,
    ),
    Office(
        "ios-15.5-881-crypto-map-bgp-snmp.cfg",
        Line("FastEthernet4", static("10.220.88.20/24", "10.220.88.1")),
        "Vlan1",  # no address yet: the inventory gives it its LAN
        "10.31.2.1/24",
        "Vlan1102",
        central_vlan=None,
    ),
    Office(
        "ios-15.7-2901-ospf-t1-syslog.cfg",
        Line("GigabitEthernet0/1", static("10.0.6.1/30", "10.0.6.2")),
        "GigabitEthernet0/0",
        "10.90.0.1/24",
        "GigabitEthernet0/1",
        dhcp=False,
        mgmt="10.2.0.4",
    ),
    Office(
        "iosxe-16.8-c1111-pki-wsma.cfg",
        Line("GigabitEthernet0/0/0", static("10.220.88.22/24", "10.220.88.1")),
        "GigabitEthernet0/0/1",  # shut, unused: the LAN the inventory gives it
        "10.31.2.1/24",
        "GigabitEthernet0/0/0",
    ),
    Office(
        "iosxe-16.12-c1111-secret9-acl.cfg",
        Line("GigabitEthernet0/0/0", static("10.220.88.22/24", "10.220.88.1")),
        "GigabitEthernet0/0/1",
        "10.31.2.1/24",
        "GigabitEthernet0/0/0",
    ),
    Office(
        "iosxe-isr4321.cfg",
        Line("Serial0/1/0", static("172.16.2.1/24", "172.16.2.2")),
        "GigabitEthernet0/0/0",
        "172.16.3.1/24",
        "GigabitEthernet0/0/1",
        dhcp=False,
    ),
]


def office_router(inventory: Path, office: Office, extra: str = "") -> RosDevice:
    """The RouterOS office's router as the twin models it, booted from its real config
    (``extra``: lines the office adds), for the inventory copy :func:`site_for` edited."""
    loaded = load_inventory(inventory, today=TODAY)
    site = loaded.site(ROS_SITE)
    simulated = driver_for(Platform.MIKROTIK_ROUTEROS).simulator
    device = simulated(site, site_world(site, loaded.organisation.central_services))
    assert isinstance(device, RosDevice)
    text = office.path.read_text(encoding="utf-8").rstrip() + "\n" + extra
    assert device.load_initial(text) == []
    device.boot()
    return device
