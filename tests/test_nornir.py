"""The Nornir inventory plugin and the render task run through Nornir's own runner."""

from __future__ import annotations

import shutil
from pathlib import Path

from nornir import InitNornir
from nornir.core.filter import F
from nornir.core.inventory import Host

from netprov.errors import RenderError
from netprov.inventory.loader import load_inventory
from netprov.inventory.nornir_plugin import make_nornir
from netprov.models import Phase, Site
from netprov.render.config import Renderer
from netprov.render.forked_runner import ForkedRunner
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


class _Counting:
    """A processor counting completed hosts (as the progress bar does)."""

    def __init__(self) -> None:
        self.completed: list[str] = []

    def task_started(self, task: object) -> None: ...
    def task_completed(self, task: object, result: object) -> None: ...
    def task_instance_started(self, task: object, host: Host) -> None: ...
    def task_instance_completed(self, task: object, host: Host, result: object) -> None:
        self.completed.append(host.name)

    def subtask_instance_started(self, task: object, host: Host) -> None: ...
    def subtask_instance_completed(self, task: object, host: Host, result: object) -> None: ...


def test_forked_runner_renders_what_the_threaded_runner_renders(tmp_path: Path) -> None:
    loaded = load_inventory(SAMPLE, today=TODAY)
    renderer = Renderer(TEMPLATES)
    counting = _Counting()
    forked = (
        make_nornir(loaded)
        .with_runner(ForkedRunner(2, fork_from=1))  # the city is below the usual threshold
        .with_processors([counting])
    )
    threaded = make_nornir(loaded, workers=4)
    phases = [Phase.DUAL, Phase.FINAL]
    got = forked.run(task=render_config, phases=phases, renderer=renderer)
    want = threaded.run(task=render_config, phases=phases, renderer=renderer)
    assert not got.failed
    assert {name: multi[0].result for name, multi in got.items()} == {
        name: multi[0].result for name, multi in want.items()
    }
    assert got["setda"][0].host is forked.inventory.hosts["setda"]
    assert sorted(counting.completed) == sorted(s.id for s in loaded.sites)
    assert len(counting.completed) == 82


def test_forked_runner_brings_back_a_render_error_with_its_file_and_line(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    lan = templates / "mikrotik_routeros" / "lan.j2"
    lines = lan.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(1, "{{ site.no_such_field }}\n")
    lan.write_text("".join(lines), encoding="utf-8")
    loaded = load_inventory(SAMPLE, today=TODAY)
    nornir = make_nornir(loaded).with_runner(ForkedRunner(2, fork_from=1))
    results = nornir.run(task=render_config, phases=[Phase.LEGACY], renderer=Renderer(templates))
    failed = results["desa-balokang"][0]
    assert failed.failed
    assert isinstance(failed.exception, RenderError)
    assert (failed.exception.template, failed.exception.line) == (
        "templates/mikrotik_routeros/lan.j2",
        2,
    )
    assert not results["setda"].failed  # IOS does not use the broken fragment
