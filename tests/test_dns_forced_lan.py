"""Issue 36: "LAN DNS forced to the filtering resolvers" proves what it names. On IOS the
LAN ACL filters only where it is applied, inbound (Cisco IOS Security Configuration Guide,
"IP Access List Overview": an ACL applied with ``ip access-group NAME in`` filters the
packets arriving on that interface): the check accepted the ACL applied on any interface,
in either direction. On RouterOS the DNS redirects are dstnat rules matching the LAN's
``in-interface`` (MikroTik manual, "Firewall: NAT"): one matching another interface
redirects nothing the office sends."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from netprov.inventory.loader import load_inventory
from netprov.models import Phase
from netprov.platforms import driver_for
from netprov.render.config import Renderer
from tests.conftest import SAMPLE, TODAY

LOADED = load_inventory(SAMPLE, today=TODAY)
RESOLVERS = [str(r) for r in LOADED.organisation.dns.filtering_resolvers]


def _rendered(site_id: str) -> str:
    site = LOADED.site(site_id)
    allocation = LOADED.allocations.get(site_id)
    renderer = Renderer(Path("templates"))
    return renderer.render(site, LOADED.organisation, Phase.DUAL, allocation).text


def _forced(site_id: str, text: str) -> bool:
    site = LOADED.site(site_id)
    return driver_for(site.router.platform).dns_forced(text, RESOLVERS, site.lan.interface)


def test_ios_the_lan_acl_counts_only_inbound_on_the_lan_interface() -> None:
    site = LOADED.site("setda")
    text = _rendered("setda")
    assert _forced("setda", text)
    lan = f"interface {site.lan.interface}\n"
    applied = " ip access-group NETPROV-LAN-IN in\n"
    assert text.count(applied) == 1
    assert lan in text
    outbound = text.replace(applied, " ip access-group NETPROV-LAN-IN out\n")
    assert not _forced("setda", outbound)
    # the same line, on the central line's interface instead of the LAN's
    elsewhere = text.replace(applied, "")
    uplink = re.search(r"^interface (\S+)\n description netprov:legacy", text, re.M)
    assert uplink is not None
    header = f"interface {uplink[1]}\n"
    elsewhere = elsewhere.replace(header, header + applied, 1)
    assert applied in elsewhere
    assert not _forced("setda", elsewhere)


@pytest.mark.parametrize("site_id", ["kec-sukamaju"])
def test_routeros_the_redirects_count_only_on_the_lan_interface(site_id: str) -> None:
    site = LOADED.site(site_id)
    text = _rendered(site_id)
    assert _forced(site_id, text)
    lan = f"in-interface={site.lan.interface} "
    assert lan in text
    elsewhere = text.replace(lan, "in-interface=ether1 ")
    assert not _forced(site_id, elsewhere)
