"""Issue 37 (3): on IOS netprov owns objects by name and identity, as RouterOS owns by its
``netprov:`` comments, and leaves the office's alone or refuses naming them.

The router is a real Cisco 881 in service (tests/fixtures/real-configs/ios-15.4-c881-
nat-lists.cfg: three NAT overload lists and three static NATs onto FastEthernet4, its own
default route, a logging host, five NTP servers, an SNMP community, OSPF towards three
inside routers). It is the sample inventory's DPRD office, the site edited only where this
router requires it: its loopback is the management address, its ISP line is FastEthernet4
with the address it has, its LAN is the 881's ``Vlan1``, the central line an SVI
(``Vlan1102``: the 881's switch ports carry VLANs, the port's ``switchport`` lines are the
office's), and the LAN gets netprov's DHCP (``lan.dhcp: true``).
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from netprov.change.pipeline import Pipeline
from netprov.checks.gate import _offline_plan
from netprov.inventory.loader import load_inventory
from netprov.models import Phase, Platform
from netprov.plan import SitePlan
from netprov.platforms import driver_for
from netprov.platforms.ios.scope import INTERFACE_KINDS, Scope
from netprov.render.config import Renderer
from netprov.sim.ios.config import IosConfig
from netprov.sim.ios.router import IosDevice
from netprov.sim.world import site_world
from netprov.twin.pytest_plugin import TwinFactory
from netprov.twin.scenario import Scenario
from tests.conftest import SAMPLE, TEMPLATES, TODAY, Edit

REAL = Path(__file__).parent / "fixtures" / "real-configs" / "ios-15.4-881-nat-lists-static.cfg"
SITE = "dprd"
IOS = driver_for(Platform.CISCO_IOS)
TAKES_OVER = "takes over what the inventory describes: "
OFFICE_NAT = [
    "ip nat inside source list 20 interface FastEthernet4 overload",
    "ip nat inside source list 100 interface FastEthernet4 overload",
    "ip nat inside source list 101 interface FastEthernet4 overload",
    "ip nat inside source static 10.10.0.10 10.0.0.10",
    "ip nat inside source static 10.20.0.35 10.0.0.35",
    "ip nat inside source static 10.20.0.57 10.0.0.57",
]
# what the issue saw removed: each stays, as the router shows it
OFFICE_LINES = [
    *OFFICE_NAT,
    "logging host 10.20.0.28",
    "ntp server 74.6.168.73",
    "ntp server 69.89.207.99",
    "ntp server 97.107.128.165",
    "ntp server 68.183.107.237 minpoll 10",
    "ntp server 162.248.241.94 minpoll 10",
    "snmp-server community public RO",
    "access-list 20 permit 10.10.0.0 0.0.0.255",
    "access-list 100 permit udp any any eq ntp log",
    "router ospf 1",
    "username admin privilege 15 secret 5 $1$.0Rt$.VTpvF2G3AchRh.o.suWX0",
]
# what the inventory describes of this router: netprov takes it over and says so
TAKEN_AT_LEGACY = [
    "hostname wan",
    "ip domain name thunderhouse.com",
    "interface Loopback0",
    "interface FastEthernet4",
    "ip route 0.0.0.0 0.0.0.0 10.0.0.1",
]


@pytest.fixture
def c881(edit: Edit, inventory_copy: Path) -> Path:
    sites = "sites/opd.yaml"
    edit(sites, "mgmt_address: 10.251.0.2", "mgmt_address: 10.2.0.3")
    edit(
        sites,
        "lan: {interface: GigabitEthernet0/0/2, address: 10.31.2.1/24}",
        "lan: {interface: Vlan1, address: 10.31.2.1/24, dhcp: true}",
    )
    edit(
        sites,
        "    interface: GigabitEthernet0/0/0\n"
        "    addressing: {mode: static, address: 203.0.113.10/30, gateway: 203.0.113.9}",
        "    interface: FastEthernet4\n"
        "    addressing: {mode: static, address: 10.0.0.250/24, gateway: 10.0.0.1}",
    )
    edit(sites, "    interface: GigabitEthernet0/0/1\n    vlan: 1102", "    interface: Vlan1102")
    return inventory_copy


def _intended(inventory: Path, phase: Phase, site_id: str = SITE) -> str:
    loaded = load_inventory(inventory, today=TODAY)
    site = loaded.site(site_id)
    renderer = Renderer(TEMPLATES)
    return renderer.render(site, loaded.organisation, phase, loaded.allocations.get(site_id)).text


def _router(inventory: Path, config: str, site_id: str = SITE) -> IosDevice:
    loaded = load_inventory(inventory, today=TODAY)
    site = loaded.site(site_id)
    device = IOS.simulator(site, site_world(site, loaded.organisation.central_services))
    assert isinstance(device, IosDevice)
    assert device.load_initial(config) == []
    return device


def _plan(inventory: Path, router: IosDevice, phase: Phase, site_id: str = SITE) -> SitePlan:
    """The plan as ``apply`` makes it (in-service policies included), on the router's
    listing as a backup holds it."""
    site = load_inventory(inventory, today=TODAY).site(site_id)
    running = IOS.with_references(router.running_text(), {})
    return _offline_plan(site, running, _intended(inventory, phase, site_id), phase)


def _taken(plan: SitePlan) -> list[str]:
    notice = [w for w in plan.warnings if w.startswith(TAKES_OVER)]
    return notice[0].removeprefix(TAKES_OVER).split("; ") if notice else []


def _sections(listing: str) -> dict[str, list[str]]:
    """Each top-level line of a listing with the lines under it (the twin's own order).
    ``no ip address`` is display (IOS prints it under an interface without an address;
    hier_config drops it when it reads a config, so a candidate never carries it)."""
    config = IosConfig()
    assert config.load(listing) == []
    sections: dict[str, list[str]] = {}
    header = ""
    for line in config.lines():
        if line in {"!", " no ip address"}:
            continue
        if line.startswith(" "):
            sections[header].append(line)
        else:
            header = line
            sections[header] = []
    return sections


def _untouched(before: dict[str, list[str]], after: dict[str, list[str]], taken: set[str]) -> None:
    """Every section of the office's is there as it was (vty lines only gain netprov's
    access class); a section netprov took over keeps the office's own lines in it (or goes
    whole, a line taken away)."""
    for header, lines in before.items():
        if header in taken:
            kept = after.get(header, [])
            if header.startswith("interface ") and any("netprov:" in line for line in kept):
                office = [line for line in lines if not INTERFACE_KINDS.match(line.strip())]
                assert [line for line in office if line not in after[header]] == [], header
            continue
        if header.startswith("interface ") and set(lines) <= {" shutdown"}:
            continue  # an unused port is nobody's yet: netprov may take it without a word
        if header.startswith("line vty "):
            assert [line for line in lines if line not in after[header]] == [], header
            continue
        assert after.get(header) == lines, header


def _apply(router: IosDevice, plan: SitePlan) -> None:
    """What the push does (the lockout guard's simulation): preparation, configure replace
    of the candidate, the NAT releases after it."""
    steps = IOS.simulate_plan(router, plan)
    assert [step.rejected for step in steps if step.rejected] == []


def test_the_881s_legacy_plan_touches_only_what_netprov_owns(c881: Path) -> None:
    """Before: `no ip nat inside source list 20|100|101 ...`, `no logging host`, five
    `no ntp server`, `no hostname`, `no ip domain name`, `no snmp-server community`. Now the
    plan takes over what the inventory describes, says so, and leaves the rest."""
    router = _router(c881, REAL.read_text())
    before = _sections(router.running_text())
    plan = _plan(c881, router, Phase.LEGACY)
    assert plan.conflicts == []
    assert sorted(_taken(plan)) == sorted(TAKEN_AT_LEGACY)
    removed = [c for c in plan.commands if IOS.removes(c) and not c.startswith(" ")]
    assert removed == ["no ip route 0.0.0.0 0.0.0.0 10.0.0.1"]  # replaced by the tracked one
    assert not [c for c in plan.commands if c.startswith(("no hostname", "no ip domain"))]
    assert plan.candidate is not None
    for line in OFFICE_LINES:
        assert f"\n{line}\n" in plan.candidate, line
    _apply(router, plan)
    after = _sections(router.running_text())
    _untouched(before, after, set(TAKEN_AT_LEGACY))
    # the office's own lines in what netprov took over are still there
    assert after["interface FastEthernet4"][-3:] == [
        " ip virtual-reassembly in",
        " duplex auto",
        " speed auto",
    ]
    assert " ip flow ingress" in after["interface Loopback0"]
    assert _plan(c881, router, Phase.LEGACY).commands == []


def test_the_881_is_refused_naming_each_translation_that_stands_in_a_phases_way(
    c881: Path,
) -> None:
    """From legacy on: dual adds the central line, and list 100 (udp any any eq ntp)
    translates the LAN's NTP to FastEthernet4's address whichever line it leaves by;
    central moves the default route, stranding the office's subnets and published servers
    on FastEthernet4; final takes FastEthernet4 away under all six. Nothing is pushed."""
    router = _router(c881, REAL.read_text())
    _apply(router, _plan(c881, router, Phase.LEGACY))
    named = {
        phase: [c.split(": ")[0] for c in _plan(c881, router, phase).conflicts]
        for phase in (Phase.DUAL, Phase.CENTRAL, Phase.FINAL)
    }
    assert named == {
        Phase.DUAL: [OFFICE_NAT[1]],
        Phase.CENTRAL: OFFICE_NAT,
        Phase.FINAL: OFFICE_NAT,
    }
    (dual,) = _plan(c881, router, Phase.DUAL).conflicts
    assert "translates the LAN's traffic (any source) to FastEthernet4's address" in dual
    central = _plan(c881, router, Phase.CENTRAL).conflicts
    assert "the office's 10.10.0.0/24, 10.30.0.0/24" in central[0]
    assert "would leave by Vlan1102 in this phase" in central[0]
    assert "the office's 10.10.0.10/32 would leave by Vlan1102" in central[3]
    final = _plan(c881, router, Phase.FINAL).conflicts
    assert all("translates onto FastEthernet4, which this phase takes away" in c for c in final)


def _office_after_refusals(tmp_path: Path) -> Path:
    """The 881 once the office took its translations onto FastEthernet4 off (what the
    refusals asked): everything else of its own is still there."""
    text = REAL.read_text()
    for line in OFFICE_NAT:
        text = text.replace(line + "\n", "")
    path = tmp_path / "c881-office.cfg"
    path.write_text(text)
    return path


def test_every_phase_leaves_the_offices_objects_and_converges(c881: Path, tmp_path: Path) -> None:
    router = _router(c881, _office_after_refusals(tmp_path).read_text())
    start = _sections(router.running_text())
    taken: set[str] = set()
    for phase in (Phase.LEGACY, Phase.DUAL, Phase.CENTRAL, Phase.FINAL):
        before = _sections(router.running_text())
        plan = _plan(c881, router, phase)
        assert plan.conflicts == [], (phase, plan.conflicts)
        taken |= set(_taken(plan))
        _apply(router, plan)
        _untouched(start, _sections(router.running_text()), taken)
        again = _plan(c881, router, phase)
        assert again.commands == [], (phase, again.commands)
        assert _taken(again) == []
        assert before != _sections(router.running_text())
    assert taken == set(TAKEN_AT_LEGACY)
    listing = router.running_text()
    # the old line, back to its defaults (a router port is shut by default)
    assert _sections(listing)["interface FastEthernet4"] == [" shutdown"]
    assert "ip route 0.0.0.0 0.0.0.0 10.0.0.1" not in listing


def _applied(inventory: Path, config: Path) -> str:
    """The listing after netprov's legacy phase on a router started from ``config``."""
    router = _router(inventory, config.read_text())
    _apply(router, _plan(inventory, router, Phase.LEGACY))
    return router.running_text()


@pytest.mark.twin
def test_the_881_on_the_twin_through_every_phase(
    twin_factory: TwinFactory, c881: Path, tmp_path: Path
) -> None:
    """The real 881 on the twin: legacy confirmed with its checks, dual refused naming list
    100 and the router left as it was; the office takes its translations off; then dual,
    central and final each confirmed, the office's objects unchanged after each, and a
    second plan empty."""
    from netprov.state.journal import Journal
    from tests.test_pipeline import make_pipeline

    office = _office_after_refusals(tmp_path)
    loaded = load_inventory(c881, today=TODAY)
    site = loaded.site(SITE)
    twin = twin_factory([SITE], inventory=c881, scenario=Scenario(configs={SITE: str(REAL)}))
    device = twin.devices[SITE]
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "b")

    def pipeline() -> Pipeline:
        return make_pipeline(twin, journal, loaded=loaded)

    start = _sections(device.running_config())
    assert pipeline().apply(site, Phase.LEGACY, adopt=True).status == "confirmed"
    legacy = pipeline().apply(site, Phase.LEGACY)
    assert legacy.status == "confirmed", legacy.as_dict()
    assert legacy.plan is not None
    taken = set(_taken(legacy.plan))
    _untouched(start, _sections(device.running_config()), taken)
    held = device.running_config()
    dual = pipeline().apply(site, Phase.DUAL)
    assert dual.status == "refused", dual.as_dict()
    assert OFFICE_NAT[1] in dual.detail
    assert _sections(device.running_config()) == _sections(held)
    # the office's answer on the router; then the cutover goes on
    state = device.state
    assert isinstance(state, IosDevice)

    def answer() -> None:
        for line in OFFICE_NAT:
            state.running.apply(f"no {line}", [state.running.root])

    twin.call(answer)
    assert _sections(device.stored_config()) == _sections(_applied(c881, office))
    start = {h: lines for h, lines in start.items() if h not in OFFICE_NAT}
    for phase in (Phase.DUAL, Phase.CENTRAL, Phase.FINAL):
        outcome = pipeline().apply(site, phase)
        assert outcome.status == "confirmed", (phase, outcome.as_dict())
        assert outcome.plan is not None
        taken |= set(_taken(outcome.plan))
        _untouched(start, _sections(device.running_config()), taken)
        again = pipeline().plan_only(site, phase)
        assert again.plan is not None, (phase, again.as_dict())
        assert again.plan.commands == [], (phase, again.as_dict())


# --- what netprov takes over, leaves, refuses: each kind on the dialer office ---------------

DIALER = Path(__file__).parent / "fixtures" / "brownfield" / "ios-dialer-nat.cfg"
IOS_PPPOE = (
    "addressing: {mode: pppoe, username: dprd@iconnet.example, "
    "password: {env: NETPROV_PPPOE_PASSWORD}}"
)


@pytest.fixture
def dialer(edit: Edit, inventory_copy: Path) -> Path:
    edit(
        "sites/opd.yaml",
        "addressing: {mode: static, address: 203.0.113.10/30, gateway: 203.0.113.9}",
        IOS_PPPOE,
    )
    lan = "lan: {interface: GigabitEthernet0/0/2, address: 10.31.2.1/24}"
    edit("sites/opd.yaml", lan, lan.replace("}", ", dhcp: true}"))
    return inventory_copy


def _dialer_router(inventory: Path, change: tuple[str, str] = ("", "")) -> IosDevice:
    text = DIALER.read_text()
    assert change[0] in text
    return _router(inventory, text.replace(change[0], change[1], 1) if change[0] else text)


def test_the_dialer_offices_lan_translation_is_taken_over_and_said(dialer: Path) -> None:
    """`ip nat inside source list 1 interface Dialer1 overload` translates the LAN and
    nothing else (access-list 1 permits 10.31.2.0/24): what the inventory describes.
    netprov's per-line rule replaces it, and the plan says so."""
    plan = _plan(dialer, _dialer_router(dialer), Phase.LEGACY)
    assert plan.conflicts == []
    taken = _taken(plan)
    assert "ip nat inside source list 1 interface Dialer1 overload" in taken
    assert "ip route 0.0.0.0 0.0.0.0 Dialer1" in taken
    assert "ip name-server 8.8.8.8" in taken  # the router resolves through the filters
    assert "ip route 192.168.50.0 255.255.255.0 10.31.2.254" not in taken


@pytest.mark.parametrize(
    ("change", "refused_at"),
    [
        (  # translates every source: the LAN's traffic too, onto Dialer1 whatever the line
            ("access-list 1 permit 10.31.2.0 0.0.0.255", "access-list 1 permit any"),
            {Phase.DUAL, Phase.CENTRAL, Phase.FINAL},
        ),
        (  # tied to its line by match interface: in the way only once the default moves
            (
                "ip nat inside source list 1 interface Dialer1 overload",
                "ip nat inside source route-map OFFICE interface Dialer1 overload\n"
                "route-map OFFICE permit 10\n match ip address 1\n match interface Dialer1\n"
                "access-list 2 permit 192.168.50.0 0.0.0.255\n"
                "route-map OFFICE permit 20\n match ip address 2\n match interface Dialer1",
            ),
            {Phase.CENTRAL, Phase.FINAL},
        ),
        (  # a partner network through the ISP line: dead once the line goes
            (
                "ip route 192.168.50.0",
                "ip route 172.20.0.0 255.255.0.0 Dialer1\nip route 192.168.50.0",
            ),
            {Phase.FINAL},
        ),
        (  # a default route of the office's that is no uplink of the inventory's
            (
                "ip route 192.168.50.0",
                "ip route 0.0.0.0 0.0.0.0 10.31.2.254\nip route 192.168.50.0",
            ),
            {Phase.LEGACY, Phase.DUAL, Phase.CENTRAL, Phase.FINAL},
        ),
        (  # a floating one (a 3G modem behind the LAN) is in nobody's way
            (
                "ip route 192.168.50.0",
                "ip route 0.0.0.0 0.0.0.0 10.31.2.254 250\nip route 192.168.50.0",
            ),
            set(),
        ),
        (  # the office filters its LAN: netprov's filter would take the place
            (" ip nat inside\n!", " ip access-group 110 in\n ip nat inside\n!"),
            {Phase.LEGACY, Phase.DUAL, Phase.CENTRAL, Phase.FINAL},
        ),
    ],
    ids=[
        "permit-any",
        "route-map-per-line",
        "partner-route",
        "office-default",
        "floating",
        "lan-acl",
    ],
)
def test_each_office_object_is_left_or_refused_by_name(
    dialer: Path, change: tuple[str, str], refused_at: set[Phase]
) -> None:
    router = _dialer_router(dialer, change)
    office = next(line for line in change[1].splitlines() if line not in DIALER.read_text())
    refused = set()
    for phase in (Phase.LEGACY, Phase.DUAL, Phase.CENTRAL, Phase.FINAL):
        plan = _plan(dialer, router, phase)
        if plan.conflicts:
            refused.add(phase)
            assert plan.conflicts, phase
            continue
        assert office.strip() not in _taken(plan)
        assert not [c for c in plan.commands if c.strip() == f"no {office.strip()}"]
        _apply(router, plan)
        assert office in router.running_text() or office.startswith("access-list")
    assert refused == refused_at


def test_a_refusal_names_the_object_as_the_router_shows_it(dialer: Path) -> None:
    router = _dialer_router(
        dialer, ("access-list 1 permit 10.31.2.0 0.0.0.255", "access-list 1 permit any")
    )
    _apply(router, _plan(dialer, router, Phase.LEGACY))
    (conflict,) = _plan(dialer, router, Phase.DUAL).conflicts
    assert conflict.startswith(
        "ip nat inside source list 1 interface Dialer1 overload: translates the LAN's "
        "traffic (any source) to Dialer1's address whichever line it leaves by"
    )


# --- invariants over everything netprov renders ----------------------------------------------


def _ios_sites() -> list[str]:
    loaded = load_inventory(SAMPLE, today=TODAY)
    return [s.id for s in loaded.sites if s.router.platform is Platform.CISCO_IOS]


@pytest.mark.parametrize("site_id", _ios_sites())
def test_netprov_knows_its_own_lines_from_every_phase_in_every_other(site_id: str) -> None:
    """A line netprov rendered in one phase is netprov's in the next (or the plan could
    never take it away): every top-level line of each phase's config is owned when the
    next phase is planned on it, and every line under an interface is of a kind netprov
    compares there."""
    from hier_config import get_hconfig_fast_load

    from netprov.platforms.ios.plan import _DRIVER, _substituted

    phases = list(Phase)
    texts = {phase: _intended(SAMPLE, phase, site_id) for phase in phases}
    for earlier, later in itertools.pairwise(phases):
        full = get_hconfig_fast_load(_DRIVER, _substituted(texts[earlier]))
        target = get_hconfig_fast_load(_DRIVER, _substituted(texts[later]))
        scope = Scope.of(full, target)
        unowned = [c.text for c in full.children if not scope.owns(c, full)]
        assert unowned == [], (earlier, later)
        assert [c.text for c in full.children if scope.taken_over(c, full)] == []
        for child in full.children:
            if child.text.startswith("interface "):
                lines = [c.text for c in child.children if not INTERFACE_KINDS.match(c.text)]
                assert lines == [], child.text


def test_the_ios_dhcp_pool_leases_what_the_routeros_pool_leases(
    edit: Edit, inventory_copy: Path
) -> None:
    """IOS leases every address of a pool's subnet unless excluded (Cisco IOS IP Addressing
    Configuration Guide, "Configuring the Cisco IOS DHCP Server"); the RouterOS pool starts
    after lan.dhcp_reserved: the same addresses stay free for printers, servers and the
    router, whose own address is excluded wherever it sits."""
    lan = "lan: {interface: GigabitEthernet0/0/2, address: 10.31.1.1/24}"
    edit(
        "sites/opd.yaml",
        lan,
        "lan: {interface: GigabitEthernet0/0/2, address: 10.31.1.254/24, "
        "extra_subnets: [10.33.1.1/24], dhcp_reserved: 20}",
    )
    text = _intended(inventory_copy, Phase.LEGACY, "setda")
    excluded = re.findall(r"^ip dhcp excluded-address (.*)$", text, re.M)
    assert excluded == ["10.31.1.1 10.31.1.20", "10.31.1.254", "10.33.1.1 10.33.1.20"]
    loaded = load_inventory(inventory_copy, today=TODAY)
    ranges = loaded.site("setda").lan.dhcp_ranges
    assert [str(first) for first, _ in ranges] == ["10.31.1.21", "10.33.1.21"]
    router = _router(inventory_copy, text, "setda")
    assert "ip dhcp excluded-address 10.31.1.254\n" in router.running_text()
