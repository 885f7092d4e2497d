"""The Nornir inventory plugin and the render task run through Nornir's own runner."""

from __future__ import annotations

from pathlib import Path

from nornir import InitNornir
from nornir.core.filter import F

from netprov.inventory import load_inventory
from netprov.models import Phase, Site
from netprov.nornir_inventory import make_nornir
from netprov.render import Renderer
from netprov.tasks.render import render_config
from tests.conftest import SAMPLE, TEMPLATES, TODAY


def test_plugin_loads_through_init_nornir_entry_point(tmp_path: Path) -> None:
    nr = InitNornir(
        inventory={
            "plugin": "NetprovInventory",
            "options": {"inventory_dir": str(SAMPLE), "today": TODAY.isoformat()},
        },
        logging={"enabled": False},
    )
    assert len(nr.inventory.hosts) == 82
    host = nr.inventory.hosts["setda"]
    assert isinstance(host.data["site"], Site)
    assert host.platform == "cisco_ios"
    assert host.get_connection_parameters("napalm").platform == "ios"
    assert nr.inventory.hosts["desa-balokang"].get_connection_parameters("napalm").platform == "ros"
    assert host.password is None  # secrets are resolved only when connecting
    canary = nr.filter(F(groups__contains="wave:0"))
    assert set(canary.inventory.hosts) == {
        "diskominfo",
        "dinsos",
        "kel-hegarsari",
        "desa-balokang",
        "pkm-cibeureum",
        "hotspot-alun-alun-kota",
    }


def test_render_task_through_threaded_runner(tmp_path: Path) -> None:
    loaded = load_inventory(SAMPLE, today=TODAY)
    nr = make_nornir(loaded, workers=4, site_ids=["setda", "desa-balokang"])
    results = nr.run(
        task=render_config, phases=[Phase.LEGACY, Phase.CENTRAL], renderer=Renderer(TEMPLATES)
    )
    assert not results.failed
    setda = results["setda"][0].result
    assert set(setda) == {Phase.LEGACY, Phase.CENTRAL}
    assert setda[Phase.CENTRAL].startswith("hostname smj-setda-r1\n")
    assert "100.72.1.1" not in setda[Phase.LEGACY]
    assert (
        "/system identity set name=smj-desa-balokang-r1"
        in results["desa-balokang"][0].result[Phase.CENTRAL]
    )
