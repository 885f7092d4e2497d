"""Rendered configs of representative sites, both platforms, all phases, against golden files.

Refresh after an intended template change with ``pytest tests/test_render_golden.py --update``
and review the diff in git.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hier_config import Platform as HierPlatform
from hier_config import get_hconfig

from netprov.inventory.loader import LoadedInventory, load_inventory
from netprov.models import Phase, Platform
from netprov.render.config import Renderer
from tests.conftest import SAMPLE, TEMPLATES, TODAY

GOLDEN = Path(__file__).parent / "golden"

# IOS with static legacy + DHCP backup; IOS on a static ICONNET line; RouterOS on PPPoE;
# RouterOS on DHCP with a backup line; a hotspot with two LAN subnets; a puskesmas on the
# second central provider.
SITES = ["setda", "mpp", "kel-hegarsari", "dishub", "hotspot-alun-alun-kota", "pkm-sukamaju1"]


@pytest.fixture(scope="module")
def loaded() -> LoadedInventory:
    return load_inventory(SAMPLE, today=TODAY)


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer(TEMPLATES)


def render(loaded: LoadedInventory, renderer: Renderer, site_id: str, phase: Phase) -> str:
    site = loaded.site(site_id)
    return renderer.render(site, loaded.organisation, phase, loaded.allocations[site_id]).text


@pytest.mark.parametrize("phase", list(Phase))
@pytest.mark.parametrize("site_id", SITES)
def test_golden(
    loaded: LoadedInventory, renderer: Renderer, site_id: str, phase: Phase, update_golden: bool
) -> None:
    text = render(loaded, renderer, site_id, phase)
    path = GOLDEN / phase.value / f"{site_id}.cfg"
    if update_golden:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}; run pytest --update"
    assert text == path.read_text(encoding="utf-8")


def test_golden_set_covers_both_platforms_and_all_addressing_modes(loaded: LoadedInventory) -> None:
    sites = [loaded.site(s) for s in SITES]
    assert {s.router.platform for s in sites} == set(Platform)
    assert {s.legacy_uplink.addressing.mode for s in sites} == {"static", "dhcp", "pppoe"}
    assert any(s.backup_uplink for s in sites if s.router.platform is Platform.CISCO_IOS)
    assert any(s.backup_uplink for s in sites if s.router.platform is Platform.MIKROTIK_ROUTEROS)


def test_every_ios_config_parses_with_hier_config(
    loaded: LoadedInventory, renderer: Renderer
) -> None:
    """hier_config must see the intended structure: every uplink interface, route and SLA."""
    ios_sites = [s for s in loaded.sites if s.router.platform is Platform.CISCO_IOS]
    assert ios_sites
    for site in ios_sites:
        for phase in Phase:
            text = render(loaded, renderer, site.id, phase)
            config = get_hconfig(HierPlatform.CISCO_IOS, text)
            top = {child.text for child in config.children}
            assert f"hostname {site.router.hostname}" in top
            assert f"interface {site.lan.interface}" in top
            legacy = f"interface {site.legacy_uplink.interface}"
            assert (legacy in top) == phase.has_legacy, (site.id, phase)
            central = site.central_uplink
            assert (f"interface {central.interface}.{central.vlan}" in top) == phase.has_central
            primary_uplink = site.central_uplink if phase.central_primary else site.legacy_uplink
            if primary_uplink.addressing.mode == "dhcp":
                iface = config.get_child(equals=f"interface {primary_uplink.interface}")
                assert iface is not None
                assert (
                    iface.get_child(equals="ip dhcp client default-router distance 1") is not None
                )
            else:
                defaults = [line for line in top if line.startswith("ip route 0.0.0.0 0.0.0.0 ")]
                # the primary default route carries no distance (IOS shows none for 1)
                assert any(len(line.split()) == 7 and " track " in line for line in defaults), (
                    defaults
                )
            lan_if = config.get_child(equals=f"interface {site.lan.interface}")
            assert lan_if is not None
            assert lan_if.get_child(equals="ip access-group NETPROV-LAN-IN in") is not None


def test_phases_move_the_default_route(loaded: LoadedInventory, renderer: Renderer) -> None:
    legacy_gw = "203.0.113.5"
    central_gw = "100.72.1.1"
    texts = {phase: render(loaded, renderer, "setda", phase) for phase in Phase}
    assert f"ip route 0.0.0.0 0.0.0.0 {legacy_gw} track 10" in texts[Phase.LEGACY]
    assert central_gw not in texts[Phase.LEGACY]
    assert f"ip route 0.0.0.0 0.0.0.0 {legacy_gw} track 10" in texts[Phase.DUAL]
    assert f"ip route 0.0.0.0 0.0.0.0 {central_gw} 5 track 20" in texts[Phase.DUAL]
    assert f"ip route 0.0.0.0 0.0.0.0 {central_gw} track 20" in texts[Phase.CENTRAL]
    assert f"ip route 0.0.0.0 0.0.0.0 {legacy_gw} 5 track 10" in texts[Phase.CENTRAL]
    assert legacy_gw not in texts[Phase.FINAL]
    assert "ip dhcp client default-router distance 10" in texts[Phase.FINAL]  # backup stays


def test_routeros_objects_are_all_tagged(loaded: LoadedInventory, renderer: Renderer) -> None:
    """Every object netprov adds carries a netprov: comment, so a plan can find it later."""
    for site in loaded.sites:
        if site.router.platform is not Platform.MIKROTIK_ROUTEROS:
            continue
        for phase in Phase:
            for line in render(loaded, renderer, site.id, phase).splitlines():
                if " add " in line:
                    assert "comment=netprov:" in line or 'comment="netprov:' in line, line


def test_secrets_are_masked_and_resolved_only_on_request(
    loaded: LoadedInventory, renderer: Renderer, tmp_path: Path
) -> None:
    from netprov.secrets import EnvironmentSecrets

    site = loaded.site("kel-hegarsari")
    masked_text = render(loaded, renderer, site.id, Phase.LEGACY)
    assert "password=SECRET-pppoe-kel-hegarsari" in masked_text
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "pppoe.yaml").write_text("kel-hegarsari: pp-42\nkec-sukamaju: other\n")
    resolver = EnvironmentSecrets(tmp_path, {"NETPROV_SNMP_COMMUNITY": "c0mm"})
    real = renderer.render(
        site, loaded.organisation, Phase.LEGACY, loaded.allocations[site.id], resolver
    ).text
    assert "password=pp-42" in real
    assert "name=c0mm" in real
    assert "SECRET-" not in real


def test_ios_pppoe_uplink_uses_a_dialer(loaded: LoadedInventory, renderer: Renderer) -> None:
    from netprov.models import PppoeAddressing, SecretRef

    site = loaded.site("setda")
    pppoe = PppoeAddressing(
        mode="pppoe", username="setda@indihome.co.id", password=SecretRef(env="X")
    )
    site = site.model_copy(
        update={"legacy_uplink": site.legacy_uplink.model_copy(update={"addressing": pppoe})}
    )
    text = renderer.render(site, loaded.organisation, Phase.DUAL, loaded.allocations["setda"]).text
    config = get_hconfig(HierPlatform.CISCO_IOS, text)
    dialer = config.get_child(equals="interface Dialer1")
    assert dialer is not None
    assert dialer.get_child(equals="dialer pool 1") is not None
    assert dialer.get_child(equals="ppp chap hostname setda@indihome.co.id") is not None
    assert dialer.get_child(equals="ppp chap password 0 SECRET-X") is not None
    port = config.get_child(equals="interface GigabitEthernet0/0/0")
    assert port is not None
    assert port.get_child(equals="pppoe-client dial-pool-number 1") is not None
    assert "ip route 0.0.0.0 0.0.0.0 Dialer1 track 10" in text
    assert "ip nat inside source route-map NETPROV-NAT-LEGACY interface Dialer1 overload" in text
