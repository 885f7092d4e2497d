"""netprov's IOS plans load configs as hier_config's own IOS driver does, only faster."""

from __future__ import annotations

from pathlib import Path

import pytest
from hier_config import Platform, get_hconfig_fast_load

from netprov.inventory.loader import load_inventory
from netprov.models import Phase
from netprov.platforms.ios.plan import _DRIVER, _substituted
from netprov.render.config import Renderer
from tests.conftest import SAMPLE, TEMPLATES, TODAY

FIXTURES = Path(__file__).parent / "fixtures"
# every per-line rule of the stock driver has something to do here
NOISE = """Building configuration...

Current configuration : 1234 bytes
! Last configuration change at 10:01:02 WIB Mon Nov 23 2026 by netprov
! NVRAM config last updated at 10:01:02 WIB Mon Nov 23 2026
version 15.2
ntp clock-period 17179860
crypto key generate rsa general-keys modulus 2048
interface GigabitEthernet0/0/3
 no ip address
 logging event link-status
 logging event subif-link-status
 ipv6 unreachables disable
 shutdown
! a comment
ip access-list extended X
 remark ours
 10 permit ip any any
end
"""


def _sample_ios() -> str:
    loaded = load_inventory(SAMPLE, today=TODAY)
    site = next(s for s in loaded.sites if s.id == "setda")
    allocation = loaded.allocations.get(site.id)
    return Renderer(TEMPLATES).render(site, loaded.organisation, Phase.DUAL, allocation).text


@pytest.mark.parametrize(
    "text",
    [
        NOISE,
        (FIXTURES / "brownfield" / "ios-dialer-nat.cfg").read_text(encoding="utf-8"),
        (
            FIXTURES
            / "real/cisco_ios/show_running-config_interface"
            / "cisco_ios_show_running-config_interface.raw"
        ).read_text(encoding="utf-8"),
        _sample_ios(),
    ],
    ids=["every-rule", "brownfield", "real-interface", "rendered"],
)
def test_loading_matches_the_stock_ios_driver(text: str) -> None:
    stock = get_hconfig_fast_load(Platform.CISCO_IOS, text)
    ours = get_hconfig_fast_load(_DRIVER, _substituted(text))
    assert ours.dump_simple() == stock.dump_simple()
    assert ours.dump_simple()  # something was loaded
