"""The inventory's source of truth, offline: a Nautobot spec, where a Nautobot problem is,
the YAML a source of truth is exported to, and a Nautobot that cannot be reached. The same
against a real Nautobot: tests/test_nautobot.py."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netprov.cli import app
from netprov.errors import InventoryError, SourceError
from netprov.inventory.files import inventory_files, write_inventory
from netprov.inventory.loader import load_inventory
from netprov.inventory.nautobot import mapping
from netprov.inventory.nautobot.client import NautobotSpec
from netprov.inventory.nautobot.located import NautobotObject, ObjectMap
from netprov.twin.pytest_plugin import TwinFactory
from tests.conftest import SAMPLE, TODAY, Edit, twin_cli_args


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_exported_folder_loads_back_to_the_same_inventory(tmp_path: Path) -> None:
    loaded = load_inventory(SAMPLE, today=TODAY)
    files = inventory_files(loaded.organisation, loaded.sites, "inventory")
    write_inventory(files, tmp_path / "copy")
    again = load_inventory(tmp_path / "copy", today=TODAY)
    assert again.organisation == loaded.organisation
    assert sorted(again.sites, key=lambda s: s.id) == sorted(loaded.sites, key=lambda s: s.id)
    assert again.allocations == loaded.allocations


def test_an_export_to_a_folder_replaces_its_site_files_and_nothing_else(tmp_path: Path) -> None:
    target = tmp_path / "cached"
    (target / "sites").mkdir(parents=True)
    (target / "sites" / "gone.yaml").write_text("sites: []\n")
    (target / "README.md").write_text("kept\n")
    result = CliRunner().invoke(
        app, ["inventory", "export", "--inventory", str(SAMPLE), "--to", str(target), "--json"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["ok"]
    assert len(document["items"]) == 9
    assert not (target / "sites" / "gone.yaml").exists()
    assert (target / "README.md").read_text() == "kept\n"
    assert "source_of_truth" not in (target / "organisation.yaml").read_text()


def test_an_organisation_pointing_at_nautobot_is_not_exported_with_the_pointer(
    inventory_copy: Path, tmp_path: Path
) -> None:
    """A folder written from a Nautobot inventory stands on its own (CI checks it offline):
    the pointer to Nautobot stays behind."""
    loaded = load_inventory(SAMPLE, today=TODAY)
    pointed = loaded.organisation.model_copy(
        update={"source_of_truth": {"nautobot": "nautobot+https://nb.example"}}
    )
    files = inventory_files(pointed, loaded.sites, "nautobot+https://nb.example")
    assert "source_of_truth" not in files["organisation.yaml"]
    assert files["organisation.yaml"].startswith(
        "# Written by `netprov inventory export` from nautobot+https://nb.example"
    )


@pytest.mark.parametrize(
    "spec",
    [
        "nautobot+ftp://nb",
        "nautobot+https://",
        "nautobot+https://u:p@nb",
        "nautobot+https://nb?x=1",
    ],
)
def test_a_nautobot_spec_that_is_not_one_is_refused(spec: str) -> None:
    with pytest.raises(ValueError, match="is not nautobot\\+https://HOST"):
        NautobotSpec.parse(spec)


def test_a_malformed_nautobot_spec_is_one_located_problem() -> None:
    with pytest.raises(InventoryError) as caught:
        load_inventory("nautobot+gopher://nb", today=TODAY)
    assert [p.file for p in caught.value.problems] == ["nautobot+gopher://nb"]


def test_a_nautobot_problem_names_the_object_and_field() -> None:
    source = ObjectMap("Nautobot http://nb")
    location = NautobotObject.at("http://nb/", "dcim.location", "u1", "Kantor Desa X")
    interface = NautobotObject.at("http://nb", "dcim.interface", "u2", "r1 ether5")
    circuit = NautobotObject.at("http://nb", "circuits.circuit", "u3", "L7-1")
    source.place(("sites", 0), location, wave="custom_fields.netprov_wave", id="custom_fields.x")
    source.place(("sites", 0, "central_uplink"), interface, addressing__address="ip_addresses")
    source.place(("sites", 0, "central_uplink", "bandwidth_mbps"), circuit, **{"": "commit_rate"})
    assert source.where(("sites", 0, "wave")) == (
        "dcim.location Kantor Desa X <http://nb/dcim/locations/u1/>",
        None,
        "custom_fields.netprov_wave",
    )
    # pydantic's union branch ("static") is no field of the object's
    assert source.where(("sites", 0, "central_uplink", "addressing", "static", "address")) == (
        "dcim.interface r1 ether5 <http://nb/dcim/interfaces/u2/>",
        None,
        "ip_addresses",
    )
    assert source.where(("sites", 0, "central_uplink", "bandwidth_mbps"))[2] == "commit_rate"
    # inside a JSON custom field, and a path nobody placed: the nearest object
    assert source.where(("sites", 0, "maintenance_window", "days", 0)) == (
        location.label(),
        None,
        "maintenance_window.days[0]",
    )


def test_the_mapping_table_in_the_docs_lists_every_custom_field() -> None:
    text = (Path(__file__).parent.parent / "docs" / "source-of-truth.md").read_text()
    for field in mapping.CUSTOM_FIELDS:
        assert f"`{field.key}`" in text, field.key
    for name in (*mapping.INTERFACE_ROLES.values(), *mapping.CIRCUIT_TYPES.values()):
        assert name in text, name
    assert mapping.ORGANISATION_CONTEXT in text
    assert f"`{mapping.ROUTER_TAG}`" in text


@pytest.mark.twin
def test_nautobot_down_is_one_line_and_exit_1_before_any_router(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, twin_factory: TwinFactory
) -> None:
    """Nothing listens where Nautobot should be: the command stops at the inventory with
    one line, no traceback; the router (a twin, aimed at by a hosts file) never sees a
    session and no run is journaled."""
    monkeypatch.setenv("NAUTOBOT_TOKEN", "0123456789abcdef")
    twin = twin_factory(["setda"])
    spec = f"nautobot+http://127.0.0.1:{_closed_port()}"
    args = twin_cli_args(twin, tmp_path, "setda")
    args[args.index("--inventory") + 1] = spec
    result = CliRunner().invoke(app, ["backup", *args])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"error: Nautobot {spec} cannot be reached: Connection refused; nothing was read"
    ]
    assert twin.devices["setda"].ssh_sessions == 0
    assert not (tmp_path / "j.db").exists()
    document = CliRunner().invoke(app, ["validate", "--inventory", spec, "--json"])
    assert document.exit_code == 1
    problem = json.loads(document.stdout)["problems"][0]
    assert problem["file"] == spec
    assert "cannot be reached" in problem["message"]


def test_a_token_that_is_not_set_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NAUTOBOT_TOKEN", raising=False)
    with pytest.raises(SourceError, match="NAUTOBOT_TOKEN is not set"):
        load_inventory(f"nautobot+http://127.0.0.1:{_closed_port()}", today=TODAY)


def test_sites_both_in_files_and_in_nautobot_are_refused(
    inventory_copy: Path, edit: Edit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """organisation.yaml names Nautobot as where the sites are: site files beside it would
    be silently ignored, so each is named instead (before Nautobot is asked)."""
    monkeypatch.setenv("NAUTOBOT_TOKEN", "0123456789abcdef")
    edit(
        "organisation.yaml",
        "short_name: sukamaju\n",
        f"short_name: sukamaju\nsource_of_truth: {{nautobot: 'nautobot+http://127.0.0.1:"
        f"{_closed_port()}'}}\n",
    )
    with pytest.raises(InventoryError) as caught:
        load_inventory(inventory_copy, today=TODAY)
    assert sorted(Path(p.file).name for p in caught.value.problems) == sorted(
        path.name for path in (inventory_copy / "sites").glob("*.yaml")
    )
    assert all("this file would be ignored" in p.message for p in caught.value.problems)
