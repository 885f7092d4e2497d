"""Issue 37: what netprov must never do to a router in service, checked on every office of
the corpus (tests/fixtures/real-configs, each a real config with its source): a rehearsal
on the twin through legacy -> dual -> central -> final, the sample city's site edited only
where the office's interfaces require it (tests/corpus_offices.py).

At each phase, before the change itself, the same change with one check failing (the
filtering resolvers answer a blocked name: "DNS blocks ..." fails) is rolled back and
leaves the router byte-identical to what it held (f); the plan that renames the router
(its identity is the office's, the inventory names it otherwise) keeps verification and
the revert working (g). Then the change is confirmed and:
(a) every line of the office's starting config netprov does not own is there, unchanged
    and in its order, but what a plan listed as taken over (tests/corpus_invariants.py);
(b) the traffic netprov promises is taken by its rules and queues (or the office's, to the
    same end), and the office's own LANs by none of netprov's;
(c) every interface a command names is on the router or made by the plan;
(e) a second plan is empty, and ``backup`` + ``check`` plans nothing.
(d) no secret the office's config holds in the clear (read as tests/test_secret_corpus.py
    reads them, which checks the masking itself over the same configs) is in a file the
    rehearsal left (backups, the journal and its database) or in an outcome as reported.

An office netprov refuses at a phase (its policy routing: NP015, issue 40 migrates it;
an access point, which has no routed LAN; a version netprov does not write for) is refused
there naming what stands in the way, and the router is left byte-identical; the table below
says which and why, so that no refusal goes silent.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from netprov.change.outcome import Outcome
from netprov.cli import app
from netprov.errors import InventoryError
from netprov.inventory.loader import LoadedInventory, load_inventory
from netprov.models import Phase
from netprov.platforms import driver_for
from netprov.sim.ios.router import IosDevice
from netprov.sim.routeros.router import RosDevice
from netprov.state.journal import Journal
from netprov.twin.build import resolver_answers
from netprov.twin.pytest_plugin import TwinFactory
from netprov.twin.running import Twin
from netprov.twin.scenario import Scenario, SiteFaults
from tests.conftest import TODAY
from tests.corpus_invariants import (
    ios_office_kept,
    ios_promises_kept,
    office_lines_kept,
    promises_kept,
)
from tests.corpus_offices import IOS_OFFICES, ROUTEROS_OFFICES, Office, site_for
from tests.test_pipeline import make_pipeline
from tests.test_secret_corpus import ios_secrets, ros_secrets

pytestmark = [pytest.mark.twin, pytest.mark.corpus]

PHASES = (Phase.LEGACY, Phase.DUAL, Phase.CENTRAL, Phase.FINAL)
POLICY = "policy routing in service: "  # NP015: what netprov cannot migrate, named
# issue 40: final removes the office lines only where the inventory says retire
KEPT_LINES = "final would take away office lines the router's policy routing names"
RETIRE = "say policy_routing: retire on each office line"
CLASHES = "the router holds what clashes with the inventory: "
NAT_IN_THE_WAY = "whichever line it leaves by"  # an office NAT rule onto its ISP's line


@dataclass(frozen=True)
class Refused:
    """Where netprov stops with an office, and the words naming what stands in the way."""

    phase: Phase | None  # None: the inventory cannot describe it (validate refuses)
    names: tuple[str, ...]
    why: str


# the offices netprov refuses, and why (every other one goes through every phase)
REFUSED = {
    "routeros-6.40-rb750g-defconf.rsc": Refused(
        Phase.LEGACY,
        ("the router runs RouterOS 6.40.4: netprov writes for RouterOS 6.41 and later",),
        "older than netprov's RouterOS (interface lists in the MAC server: 6.41)",
    ),
    "routeros-6.47.8-cap2nd-capsman-cap.rsc": Refused(
        None,
        ("legacy_uplink.interface", "interface ether1 is already used by lan on this router"),
        "an access point: no routed LAN",
    ),
    "routeros-6.49.2-hapac2-village-pppoe-wireless.rsc": Refused(
        None,
        ("legacy_uplink.interface", "interface LAN-CLIENT is already used by lan on this router"),
        "its ISP's PPPoE runs on the LAN bridge",
    ),
    "routeros-6.49.6-rb4011-terse-head.rsc": Refused(
        Phase.CENTRAL,
        (CLASHES, POLICY + "routing rule lookup mark-telegram (dst-address=149.154.167.0/24"),
        "a routing rule sends the LAN's Telegram traffic to a table of its own, whatever "
        "the marks say (NP015)",
    ),
    "routeros-7.18.2-hapac2-bridge-ap.rsc": Refused(
        None,
        ("legacy_uplink.interface", "interface bridge is already used by lan on this router"),
        "an access point: no routed LAN",
    ),
    "routeros-7.20.1-capxl-terse-cap.rsc": Refused(
        None,
        (
            "legacy_uplink.interface",
            "interface main infrastructure is already used by lan on this router",
        ),
        "an access point: no routed LAN",
    ),
    "routeros-6.47.9-rb750gr3-three-isp-failover.rsc": Refused(
        Phase.CENTRAL,
        (CLASHES, "netwatch 8.8.4.4 (comment=isp2 cek)", "mangle prerouting mark-routing isp2"),
        "its netwatch scripts switch the marks central disables on again (NP015)",
    ),
    "routeros-6.48.6-rb750gr3-vpn-clients-netwatch.rsc": Refused(
        Phase.CENTRAL,
        (CLASHES, "netwatch 10.123.223.1 (comment=MNET-VPN)", "mark-routing MNET"),
        "its netwatch script switches the VPN mark central disables on again (NP015)",
    ),
    "routeros-7.x-pcc-hotspot-cake.rsc": Refused(
        Phase.FINAL,
        (CLASHES, KEPT_LINES, RETIRE),
        "PCC over two lines kept (policy_routing: keep): stays at central",
    ),
    "routeros-6.48.6-rb750g-rtrw-hotspot-arp.rsc": Refused(
        Phase.CENTRAL,
        (CLASHES, "netwatch 149.112.112.112 (comment=ISP 2)", "mark-routing isp2"),
        "its netwatch script switches the marks central disables on again (NP015)",
    ),
    "ios-12.4-7200-nat-dhcp.cfg": Refused(
        Phase.DUAL,
        ("ip nat inside source list 1 interface FastEthernet0/1 overload", NAT_IN_THE_WAY),
        "its NAT rule (192.168.0.0/16) would translate the LAN onto its ISP's line over "
        "the central one too",
    ),
    "ios-12.4-adsl-dialer-cbac-dhcp.cfg": Refused(
        Phase.LEGACY,
        ("FastEthernet0/0 filters what comes in with ip access-group ETH0_0_IN in",),
        "the LAN port holds the office's inbound list where netprov puts its own",
    ),
    "ios-15.1-2901-ospf-logging-legacy.cfg": Refused(
        Phase.LEGACY,
        ("ip route 0.0.0.0 0.0.0.0 10.2.0.3: a default route of the office's beside netprov's",),
        "its default route goes through the campus core (OSPF), beside netprov's",
    ),
    "ios-15.2-2901-ospf-vty-5-15.cfg": Refused(
        Phase.LEGACY,
        ("ip route 0.0.0.0 0.0.0.0 10.2.0.3: a default route of the office's beside netprov's",),
        "its default route goes through the campus core (OSPF), beside netprov's",
    ),
    "ios-15.4-881-nat-lists-static.cfg": Refused(
        Phase.DUAL,
        ("ip nat inside source list 100 interface FastEthernet4 overload", NAT_IN_THE_WAY),
        "its NAT rules onto its ISP's line (tests/test_ios_ownership.py takes them off)",
    ),
    "ios-15.4-881-office-vlans-dhcp.cfg": Refused(
        Phase.CENTRAL,
        (
            "ip nat inside source list 1 interface FastEthernet4 overload: the office's "
            "10.1.0.0/24 would leave by Vlan1102",
        ),
        "its other VLANs would lose the internet when the default route moves",
    ),
    "ios-15.4-iosv-zbf-eigrp-static-nat.cfg": Refused(
        Phase.DUAL,
        ("ip nat inside source list 100 interface GigabitEthernet0/6 overload", NAT_IN_THE_WAY),
        "its NAT rule would translate the LAN onto its ISP's line over the central one too",
    ),
    "ios-15.7-2901-ospf-t1-syslog.cfg": Refused(
        Phase.LEGACY,
        ("ip route 0.0.0.0 0.0.0.0 10.2.0.3: a default route of the office's beside netprov's",),
        "its default route goes through the campus core (OSPF), beside netprov's",
    ),
}


def _held(export: str) -> str:
    """A config as the router holds it: a RouterOS export's first line is the time it was
    printed."""
    lines = export.splitlines()
    return "\n".join(lines[1:] if lines and " by RouterOS " in lines[0] else lines)


def _desired(inventory: Path, office: Office, phase: Phase) -> None:
    path = inventory / office.site_file
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    (site,) = [s for s in data["sites"] if s["id"] == office.site_id]
    site["desired_phase"] = phase.value
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


class Rehearsal:
    """One office's router on the twin, and what netprov did to it so far."""

    def __init__(self, twin: Twin, office: Office, inventory: Path, tmp_path: Path) -> None:
        self.twin, self.office, self.inventory, self.tmp = twin, office, inventory, tmp_path
        self.device = twin.devices[office.site_id]
        self.loaded: LoadedInventory = load_inventory(inventory, today=TODAY)
        self.site = self.loaded.site(office.site_id)
        self.driver = driver_for(self.site.router.platform)
        self.taken: set[str] = set()  # IOS: the sections a plan said it took over
        self.journal = Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "journal")
        self.start = self.running()
        self.adopted: list[str] = []
        self.commands: list[str] = []
        self.secrets = _secrets(self.start, self.driver.mask_secrets, ios=office.ios)

    def unleaked(self, phase: Phase, outcome: Outcome) -> None:
        """(d): no secret of the office in what the rehearsal wrote (a backup read as a
        config, any other file or the outcome as text: a value long enough to be one)."""
        read = ios_secrets if self.office.ios else ros_secrets
        found = {
            f"{path.relative_to(self.tmp)}: {finding}"
            for path in self.tmp.glob("backups-*/*.cfg")
            for finding in read(path.read_text(encoding="utf-8"))
        }
        # a lower-case word ("mikrotik", a wireless key) is netprov's own text too: the
        # backups' reading above finds it where it would be a secret
        distinct = {v for v in self.secrets if len(v) >= 8 and (not v.isalpha() or v.isupper())}
        found |= {
            f"{path.relative_to(self.tmp)}: {value}"
            for path in self.tmp.rglob("*")
            if path.is_file() and path.relative_to(self.tmp).parts[0] != "inventory"
            for value in distinct
            if value.encode() in path.read_bytes()
        }
        reported = json.dumps(outcome.as_dict())
        found |= {f"outcome: {value}" for value in distinct if value in reported}
        assert sorted(found) == [], phase

    def running(self) -> str:
        return str(self.twin.call(self.device.running_config))

    def apply(self, phase: Phase) -> Outcome:
        return make_pipeline(self.twin, self.journal, loaded=self.loaded).apply(self.site, phase)

    def state(self, change: Callable[[RosDevice | IosDevice], None]) -> None:
        state = self.device.state
        assert isinstance(state, RosDevice | IosDevice)
        self.twin.call(lambda: change(state))

    def resolvers(self, *, unfiltered: bool) -> None:
        names = resolver_answers(self.loaded.organisation, unfiltered=unfiltered)
        self.state(lambda router: setattr(router.world, "names", names))

    def in_band(self) -> None:
        """New management sessions come from the NOC over the lines, through the router's
        routes and filtering, from now on."""
        faults = self.device.faults.model_copy(update={"management": "reachable"})
        self.twin.call(lambda: setattr(self.device, "faults", faults))

    def failing_check(self, phase: Phase) -> None:
        """(f), (g): the change with "DNS blocks ..." failing is rolled back, byte-identical."""
        before = self.running()
        self.resolvers(unfiltered=True)
        try:
            outcome = self.apply(phase)
        finally:
            self.resolvers(unfiltered=False)
        assert outcome.status == "rolled_back", (phase, outcome.detail)
        failed = [c.name for c in outcome.checks if not c.ok]
        assert [name.split()[:2] for name in failed] == [["DNS", "blocks"]], (phase, failed)
        assert outcome.restored_identical, (phase, outcome.as_dict())
        assert self.driver.comparable(self.running()) == self.driver.comparable(before), phase

    def converged(self, phase: Phase, cli: CliRunner) -> None:
        """(e): a second plan is empty; ``backup`` + ``check`` plan nothing."""
        again = make_pipeline(self.twin, self.journal, loaded=self.loaded).plan_only(
            self.site, phase
        )
        assert again.plan is not None, (phase, again.as_dict())
        assert again.plan.commands == [], (phase, again.plan.commands)
        hosts, backups = self.tmp / "hosts.yaml", self.tmp / f"backups-{phase.value}"
        self.twin.write_hosts_file(hosts)
        common = ["--inventory", str(self.inventory), "--today", TODAY.isoformat()]
        backed = cli.invoke(
            app,
            [
                "backup",
                *common,
                *("--hosts-file", str(hosts), "--limit", self.site.id, "--backups", str(backups)),
                *("--db", f"sqlite:///{self.tmp / 'cli.db'}"),
            ],
        )
        assert backed.exit_code == 0, backed.output
        _desired(self.inventory, self.office, phase)
        checked = cli.invoke(app, ["check", *common, "--backups", str(backups), "--json"])
        assert "Traceback" not in checked.output
        sites = json.loads(checked.stdout)["sites"]
        (site,) = [s for s in sites if s["site"] == self.site.id]
        assert site["planned_commands"] == [], (phase, site)

    def kept(self, phase: Phase, outcome: Outcome, before: str) -> None:
        """(a), (b), (c) after a confirmed change."""
        assert outcome.plan is not None
        missing = self.driver.missing_interfaces(before, outcome.plan.commands)
        assert missing == [], (phase, missing)
        self.adopted += outcome.plan.adopted
        self.commands += outcome.plan.commands
        org, now = self.loaded.organisation, self.running()
        # the office's own objects its policy routing's migration changes (issue 40: the
        # default routes shifted below netprov's, the classification disabled), declared
        self.adopted += self.driver.policy_migration(
            before, self.site, phase, org.central_services
        ).commands
        state = self.device.state
        if isinstance(state, IosDevice):
            self.taken |= {
                part
                for warning in outcome.plan.warnings
                if warning.startswith(TAKES_OVER)
                for part in warning.removeprefix(TAKES_OVER).split("; ")
            }
            lost = ios_office_kept(self.start, now, self.taken)
            broken = ios_promises_kept(now, self.site, org, phase)
        else:
            assert isinstance(state, RosDevice)
            lost = office_lines_kept(self.start, now, self.adopted, self.commands)
            broken = self.twin.call(lambda: promises_kept(state, self.site, org, phase))
        assert lost == [], (phase, lost)
        assert broken == [], (phase, broken)


TAKES_OVER = "takes over what the inventory describes: "


def _secrets(running: str, mask: Callable[[str], str], *, ios: bool) -> set[str]:
    """The secrets a router's config holds in the clear, but a value the config also holds
    as something else (a user named as his password): what must reach no file."""
    masked = mask(running)
    if ios:
        values = {value for _, value in ios_secrets(running)}
    else:
        values = {value for _, _, value in ros_secrets(running)}
    return {value for value in values if value not in masked}


def _refused_at_validate(office: Office, refused: Refused, inventory: Path) -> None:
    with pytest.raises(InventoryError) as caught:
        load_inventory(inventory, today=TODAY)
    field, words = refused.names
    assert [(p.field, p.message) for p in caught.value.problems] == [
        (f"sites[0].{field}", words)
    ], office.file


@pytest.mark.parametrize("office", ROUTEROS_OFFICES + IOS_OFFICES, ids=lambda o: o.file)
def test_every_phase_keeps_what_netprov_must_never_touch(
    office: Office,
    twin_factory: TwinFactory,
    inventory_copy: Path,
    tmp_path: Path,
    cli: CliRunner,
) -> None:
    site_for(inventory_copy, office)
    refused = REFUSED.get(office.file)
    if refused is not None and refused.phase is None:
        _refused_at_validate(office, refused, inventory_copy)
        return
    # the first change comes over a console (the office's firewall keeps the NOC out
    # until netprov's rules let it in), every later one through the router's lines
    scenario = Scenario(
        configs={office.site_id: str(office.path)},
        sites={office.site_id: SiteFaults(management="out-of-band")},
    )
    twin = twin_factory([office.site_id], inventory=inventory_copy, scenario=scenario)
    rehearsal = Rehearsal(twin, office, inventory_copy, tmp_path)
    hostname = rehearsal.site.router.hostname
    named = f"hostname {hostname}\n" if office.ios else f"name={hostname}"
    assert named not in rehearsal.start  # the plan renames the router: (g)
    for phase in PHASES:
        before = rehearsal.running()
        if refused is not None and refused.phase is phase:
            outcome = rehearsal.apply(phase)
            assert outcome.status == "refused", outcome.as_dict()
            for words in refused.names:
                assert words in outcome.detail, (words, outcome.detail)
            assert _held(rehearsal.running()) == _held(before)
            rehearsal.unleaked(phase, outcome)
            return
        rehearsal.failing_check(phase)
        outcome = rehearsal.apply(phase)
        assert outcome.status == "confirmed", (phase, outcome.as_dict())
        assert named in rehearsal.running()
        if phase is Phase.LEGACY:
            rehearsal.in_band()
            verified = make_pipeline(rehearsal.twin, rehearsal.journal).verify(
                rehearsal.site, phase
            )
            failed = {c.name: c.observed for c in verified.checks if not c.ok}
            assert failed == {}, failed
        rehearsal.kept(phase, outcome, before)
        rehearsal.converged(phase, cli)
        rehearsal.unleaked(phase, outcome)
