"""Nautobot as the inventory (issue 26), against a real Nautobot 3.2.7 on loopback with its
PostgreSQL and Redis (tests/nautobot_server.py; `make nautobot`, CI=true asks for it): the
sample city exported and read back renders byte-identical configs; a second export changes
nothing; a broken object is a located problem; promote writes the phase field alone; the
router commands, the offline check and an organisation kept in git work from it.

The tests share one Nautobot and run in this order; each leaves the sample city in it.
"""

from __future__ import annotations

import filecmp
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from typer.testing import CliRunner

from netprov.cli import app
from netprov.inventory.loader import inventory_digest, load_inventory
from tests.conftest import SAMPLE, TODAY, twin_cli_args
from tests.nautobot_server import RunningNautobot, running_nautobot, skip_or_fail_without_servers

pytestmark = [pytest.mark.nautobot, pytest.mark.slow, pytest.mark.xdist_group("nautobot")]


@pytest.fixture(scope="module")
def nautobot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningNautobot]:
    skip_or_fail_without_servers()
    with running_nautobot(tmp_path_factory.mktemp("nautobot")) as server:
        yield server


@pytest.fixture(autouse=True)
def token(nautobot: RunningNautobot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NAUTOBOT_TOKEN", nautobot.token)


def netprov(*args: str) -> Any:
    return CliRunner().invoke(app, [*args])


def export_sample(nautobot: RunningNautobot) -> dict[str, Any]:
    result = netprov(
        "inventory", "export", "--inventory", str(SAMPLE), "--to", nautobot.spec, "--json"
    )
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


@pytest.fixture(scope="module")
def seeded(nautobot: RunningNautobot) -> RunningNautobot:
    """The sample city exported into Nautobot once (each test leaves it so)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NAUTOBOT_TOKEN", nautobot.token)
        first = export_sample(nautobot)
    assert first["changed"] > 82 * 10  # every site's objects were created
    return nautobot


def api(nautobot: RunningNautobot, method: str, path: str, **kwargs: Any) -> Any:
    answer = requests.request(
        method,
        f"{nautobot.url}/api/{path}",
        headers={"Authorization": f"Token {nautobot.token}", "Accept": "application/json"},
        timeout=60,
        **kwargs,
    )
    answer.raise_for_status()
    return answer.json() if answer.content else None


def changelog(nautobot: RunningNautobot) -> int:
    """How many changes Nautobot has recorded (its change log)."""
    return int(api(nautobot, "GET", "extras/object-changes/?limit=1")["count"])


def render(inventory: str | Path, out: Path) -> list[Path]:
    result = netprov(
        "render",
        "--inventory",
        str(inventory),
        "--phase",
        "all",
        "--out",
        str(out),
        "--today",
        TODAY.isoformat(),
    )
    assert result.exit_code == 0, result.output
    return sorted(out.rglob("*.cfg"))


def test_the_city_read_back_from_nautobot_renders_byte_identical_configs(
    seeded: RunningNautobot, tmp_path: Path
) -> None:
    expected = render(SAMPLE, tmp_path / "yaml")
    assert len(expected) == 82 * 4
    read_back = render(seeded.spec, tmp_path / "nautobot")
    relative = [p.relative_to(tmp_path / "nautobot") for p in read_back]
    assert relative == [p.relative_to(tmp_path / "yaml") for p in expected]
    _, mismatch, errors = filecmp.cmpfiles(
        tmp_path / "yaml", tmp_path / "nautobot", [str(r) for r in relative], shallow=False
    )
    assert (mismatch, errors) == ([], [])
    loaded, sample = load_inventory(seeded.spec, today=TODAY), load_inventory(SAMPLE, today=TODAY)
    assert loaded.organisation == sample.organisation
    assert sorted(loaded.sites, key=lambda s: s.id) == sorted(sample.sites, key=lambda s: s.id)
    # and back to YAML for review in git: the same configs again
    cached = tmp_path / "cached"
    result = netprov("inventory", "export", "--inventory", seeded.spec, "--to", str(cached))
    assert result.exit_code == 0, result.output
    again = render(cached, tmp_path / "from-cache")
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in expected]


def test_a_second_export_changes_nothing(seeded: RunningNautobot) -> None:
    before = changelog(seeded)
    second = export_sample(seeded)
    assert (second["changed"], second["items"]) == (0, [])
    assert changelog(seeded) == before  # not one object saved again


def _site_interface(nautobot: RunningNautobot, hostname: str, name: str) -> dict[str, Any]:
    found = api(nautobot, "GET", f"dcim/interfaces/?device={hostname}&name={name}")["results"]
    assert len(found) == 1
    interface: dict[str, Any] = found[0]
    return interface


def test_broken_objects_are_located_problems_all_at_once_and_an_export_mends_them(
    seeded: RunningNautobot,
) -> None:
    """desa-balokang's central hand-off loses its address; desa-mulyasari's is moved onto
    desa-cujang's VLAN 1146 (both langit7's own hand-offs); then desa-sinartanjung's router
    loses its tag and desa-binangun's LAN its role: what cannot become a site at all."""
    balokang = _site_interface(seeded, "smj-desa-balokang-r1", "ether5")
    links = api(seeded, "GET", f"ipam/ip-address-to-interface/?interface={balokang['id']}")
    for link in links["results"]:
        api(seeded, "DELETE", f"ipam/ip-address-to-interface/{link['id']}/")
    mulyasari = _site_interface(seeded, "smj-desa-mulyasari-r1", "ether5")
    location = mulyasari["device"]
    device = api(seeded, "GET", f"dcim/devices/{location['id']}/")
    vlan = api(seeded, "POST", "ipam/vlans/", json={"vid": 1146, "name": "dup", "status": "Active"})
    api(
        seeded,
        "POST",
        "ipam/vlan-location-assignments/",
        json={"vlan": vlan["id"], "location": device["location"]["id"]},
    )
    api(seeded, "PATCH", f"dcim/interfaces/{mulyasari['id']}/", json={"tagged_vlans": [vlan["id"]]})

    result = netprov("validate", "--inventory", seeded.spec)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    page = f"{seeded.url}/dcim/interfaces"
    assert (
        f"error dcim.interface smj-desa-balokang-r1 ether5 <{page}/{balokang['id']}/>: "
        "ip_addresses: Field required"
    ) in lines
    cujang = api(seeded, "GET", "dcim/locations/?cf_netprov_site_id=desa-cujang")["results"][0]
    assert (
        f"error dcim.interface smj-desa-mulyasari-r1 ether5 <{page}/{mulyasari['id']}/>: "
        "tagged_vlans: duplicate central hand-off VLAN 1146 of langit7: already used by site "
        f"'desa-cujang' at dcim.location Kantor Desa Cujang "
        f"<{seeded.url}/dcim/locations/{cujang['id']}/>"
    ) in lines
    assert lines[-1].startswith(f"✗ {seeded.spec}: 2 error(s)")
    document = json.loads(netprov("validate", "--inventory", seeded.spec, "--json").stdout)
    assert {(p["field"], p["line"]) for p in document["problems"]} == {
        ("ip_addresses", None),
        ("tagged_vlans", None),
    }

    device = api(seeded, "GET", "dcim/devices/?name=smj-desa-sinartanjung-r1")["results"][0]
    api(seeded, "PATCH", f"dcim/devices/{device['id']}/", json={"tags": []})
    lan = _site_interface(seeded, "smj-desa-binangun-r1", "ether2")
    api(seeded, "PATCH", f"dcim/interfaces/{lan['id']}/", json={"role": None})
    result = netprov("validate", "--inventory", seeded.spec)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    sinartanjung = device["location"]["id"]
    assert (
        "error dcim.location Kantor Desa Sinartanjung "
        f"<{seeded.url}/dcim/locations/{sinartanjung}/>: devices: needs exactly one device "
        "tagged 'netprov' (its router); found none"
    ) in lines
    binangun = lan["device"]["id"]
    assert (
        f"error dcim.device smj-desa-binangun-r1 <{seeded.url}/dcim/devices/{binangun}/>: "
        "interfaces: no interface has role 'LAN'"
    ) in lines
    assert lines[-1].startswith(f"✗ {seeded.spec}: 4 error(s)")  # and the two above

    mended = export_sample(seeded)
    # the address assigned again, the hand-off's VLAN back, the tag, the role
    assert mended["changed"] >= 4
    assert netprov("validate", "--inventory", seeded.spec).exit_code == 0


def test_a_refused_token_is_one_line_and_exit_1(
    seeded: RunningNautobot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NAUTOBOT_TOKEN", "0" * 40)
    result = netprov("plan", "--inventory", seeded.spec, "--twin", "--limit", "setda")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"error: Nautobot {seeded.spec} refused the API token (403): check "
        "env:NAUTOBOT_TOKEN; nothing was read"
    ]


def test_promote_writes_the_phase_field_and_nothing_else(seeded: RunningNautobot) -> None:
    """And a region worker would see it: the inventory's digest (what a task carries) is
    stable between two reads and moves with the promotion."""
    wave0 = sorted(s.id for s in load_inventory(SAMPLE, today=TODAY).sites if s.wave == 0)
    digest = inventory_digest(seeded.spec)
    assert inventory_digest(seeded.spec) == digest
    before = changelog(seeded)
    result = netprov(
        "promote",
        "--inventory",
        seeded.spec,
        "--wave",
        "0",
        "--to",
        "dual",
        "--json",
        "--today",
        TODAY.isoformat(),
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert [s["site"] for s in document["sites"]] == wave0
    assert all(page.startswith(f"{seeded.url}/dcim/locations/") for page in document["items"])
    assert changelog(seeded) == before + len(wave0)  # one change per location, no more
    loaded = load_inventory(seeded.spec, today=TODAY)
    phases = {s.id: s.desired_phase.value for s in loaded.sites}
    assert {site for site, phase in phases.items() if phase == "dual"} == set(wave0)
    assert inventory_digest(seeded.spec) != digest
    skipped = netprov("promote", "--inventory", seeded.spec, "--limit", wave0[0], "--to", "final")
    assert skipped.exit_code == 1
    assert "skips central" in skipped.stderr
    back = netprov("promote", "--inventory", seeded.spec, "--wave", "0", "--to", "legacy")
    assert back.exit_code == 0, back.output
    assert {s.desired_phase.value for s in load_inventory(seeded.spec, today=TODAY).sites} == {
        "legacy"
    }


def test_router_commands_plan_the_same_from_nautobot_as_from_yaml(
    seeded: RunningNautobot, twin_factory: Any, tmp_path: Path
) -> None:
    twin = twin_factory(["setda", "desa-balokang"])
    plans = {}
    for name, inventory in (("yaml", SAMPLE), ("nautobot", Path(seeded.spec))):
        (tmp_path / name).mkdir()
        args = twin_cli_args(twin, tmp_path / name, "setda,desa-balokang", inventory)
        args[args.index("--inventory") + 1] = str(inventory) if name == "yaml" else seeded.spec
        result = netprov("plan", *args, "--phase", "dual", "--json")
        assert result.exit_code == 2, result.output  # changes pending
        plans[name] = {s["site"]: s["plan"]["commands"] for s in json.loads(result.stdout)["sites"]}
    assert plans["nautobot"] == plans["yaml"]
    assert all(plans["yaml"].values())


def test_an_organisation_in_git_with_its_sites_in_nautobot(
    seeded: RunningNautobot, tmp_path: Path
) -> None:
    folder = tmp_path / "inventory"
    folder.mkdir()
    text = (SAMPLE / "organisation.yaml").read_text(encoding="utf-8")
    pointer = f"source_of_truth:\n  nautobot: {seeded.spec}\n  token: {{env: NAUTOBOT_TOKEN}}\n"
    (folder / "organisation.yaml").write_text(text + pointer, encoding="utf-8")
    loaded = load_inventory(folder, today=TODAY)
    sample = load_inventory(SAMPLE, today=TODAY)
    assert loaded.source == seeded.spec
    assert sorted(loaded.sites, key=lambda s: s.id) == sorted(sample.sites, key=lambda s: s.id)
    shutil.copytree(SAMPLE / "sites", folder / "sites")
    result = netprov("validate", "--inventory", str(folder))
    assert result.exit_code == 1
    assert "this file would be ignored" in result.stderr


def test_ci_checks_a_cached_export_offline_as_the_yaml_it_came_from(
    seeded: RunningNautobot, tmp_path: Path
) -> None:
    cached = tmp_path / "cached"
    exported = netprov("inventory", "export", "--inventory", seeded.spec, "--to", str(cached))
    assert exported.exit_code == 0, exported.output

    backups = SAMPLE.parent / "backups"  # beside the sample, not beside the export

    def checked(inventory: Path) -> dict[str, Any]:
        result = netprov(
            "check", "--inventory", str(inventory), "--backups", str(backups), "--json",
            "--today", TODAY.isoformat(),
        )  # fmt: skip
        document: dict[str, Any] = json.loads(result.stdout)
        return {
            s["site"]: (s["phase"], s["planned_commands"], [f["message"] for f in s["findings"]])
            for s in document["sites"]
        } | {"exit": result.exit_code}

    from_nautobot, from_git = checked(cached), checked(SAMPLE)
    assert from_nautobot == from_git
    assert len(from_git) == 82 + 1
    assert any(planned for _, planned, _ in list(from_git.values())[:-1])
