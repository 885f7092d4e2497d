"""Validate as a reviewer would (issue 36): each mistake an engineer makes at the change
window is one located line (``file:line: field: message``) with a suggestion where one
helps, in text and in ``--json``, and one round shows every problem."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netprov.cli import app
from netprov.errors import InventoryError, Problem, Severity
from netprov.inventory.loader import load_inventory
from netprov.secrets import site_secret_refs
from tests.conftest import SAMPLE, TODAY, Edit, line_of

DESA = "sites/desa.yaml"
OPD = "sites/opd.yaml"
KEC = "sites/kecamatan-kelurahan.yaml"
ORG = "organisation.yaml"
DAY = ("--today", TODAY.isoformat())

# made-up values the tests hand to `validate`: none may ever appear in its output
ROUTER_PASSWORD = "rtr-Pw-7f3a91"  # noqa: S105 - made up for the test
COMMUNITY = "snmp-Cm-55e0b2"


def problems(root: Path) -> list[Problem]:
    with pytest.raises(InventoryError) as caught:
        load_inventory(root, today=TODAY)
    return caught.value.problems


def at(found: list[Problem], file_suffix: str, field: str) -> list[Problem]:
    return [p for p in found if p.file.endswith(file_suffix) and p.field == field]


def one(found: list[Problem], file_suffix: str, field: str) -> Problem:
    matches = at(found, file_suffix, field)
    assert len(matches) == 1, f"{file_suffix} {field}: {[(p.field, p.message) for p in found]}"
    return matches[0]


def error_lines(stderr: str, needle: str) -> list[str]:
    return [line for line in stderr.splitlines() if needle in line]


# --- host addresses ----------------------------------------------------------------------


def test_a_lan_network_address_is_one_located_line_with_the_first_host(
    inventory_copy: Path, edit: Edit, cli: CliRunner
) -> None:
    """10.31.44.0/24 is the network address: rendered, it would be the router's address
    and the DHCP gateway of every office PC."""
    path = edit(DESA, "address: 10.31.44.1/24}", "address: 10.31.44.0/24}")
    line = line_of(path, "10.31.44.0/24")
    result = cli.invoke(app, ["validate", "--inventory", str(inventory_copy), *DAY])
    assert result.exit_code == 1
    lines = error_lines(result.stderr, "sites[0].lan.address")
    assert len(lines) == 1, result.stderr
    assert f"desa.yaml:{line}: sites[0].lan.address: " in lines[0]
    assert "network address of 10.31.44.0/24" in lines[0]
    assert "did you mean 10.31.44.1/24?" in lines[0]

    result = cli.invoke(app, ["validate", "--inventory", str(inventory_copy), "--json", *DAY])
    found = [
        p for p in json.loads(result.stdout)["problems"] if p["field"] == "sites[0].lan.address"
    ]
    assert len(found) == 1
    assert found[0]["line"] == line
    assert found[0]["severity"] == "error"
    assert found[0]["suggestion"] == "10.31.44.1/24"


@pytest.mark.parametrize(
    ("file", "old", "new", "field", "words", "suggestion"),
    [
        (
            DESA,
            "address: 10.31.44.1/24}",
            "address: 10.31.44.255/24}",
            "sites[0].lan.address",
            "broadcast address of 10.31.44.0/24",
            "10.31.44.254/24",
        ),
        (
            DESA,
            "address: 100.72.44.2/30, gateway: 100.72.44.1}",
            "address: 100.72.44.0/30, gateway: 100.72.44.1}",
            "sites[0].central_uplink.addressing.address",
            "network address of 100.72.44.0/30",
            "100.72.44.2/30",
        ),
        (
            DESA,
            "address: 100.72.44.2/30, gateway: 100.72.44.1}",
            "address: 100.72.44.2/30, gateway: 100.72.44.3}",
            "sites[0].central_uplink.addressing.gateway",
            "broadcast address of the uplink subnet 100.72.44.0/30",
            "100.72.44.1",
        ),
        (
            DESA,
            "mgmt_address: 10.251.0.44",
            "mgmt_address: 224.0.0.5",
            "sites[0].router.mgmt_address",
            "multicast",
            None,
        ),
        (
            DESA,
            "mgmt_address: 10.251.0.44",
            "mgmt_address: 10.250.10.255",
            "sites[0].router.mgmt_address",
            "broadcast address of the management network 10.250.10.0/24",
            None,
        ),
        (
            DESA,
            "address: 10.250.1.10, port: 443}",
            "address: 10.250.0.0, port: 443}",
            "sites[0].services[0].address",
            "network address of the central services 10.250.0.0/20",
            None,
        ),
        (
            ORG,
            "ntp_servers: [10.250.0.123,",
            "ntp_servers: [10.250.15.255,",
            "ntp_servers[0]",
            "broadcast address of the central services 10.250.0.0/20",
            None,
        ),
        (
            ORG,
            "collector: 10.250.0.55",
            "collector: 0.0.0.0",
            "flow.collector",
            "not a host address",
            None,
        ),
    ],
)
def test_network_and_broadcast_addresses_are_refused_where_a_host_is_needed(
    inventory_copy: Path,
    edit: Edit,
    file: str,
    old: str,
    new: str,
    field: str,
    words: str,
    suggestion: str | None,
) -> None:
    path = edit(file, old, new)
    problem = one(problems(inventory_copy), file, field)
    assert problem.severity is Severity.ERROR
    assert problem.line == line_of(path, new.split(",", maxsplit=1)[0])
    assert words in problem.message
    assert problem.suggestion == suggestion
    if suggestion is not None:
        assert f"did you mean {suggestion}?" in problem.message


# --- names: groups, kinds, platforms, providers, fields -----------------------------------


@pytest.mark.parametrize(
    ("file", "old", "new", "field", "suggestion"),
    [
        (OPD, "groups: [opd-utama]", "groups: [opd-utamaa]", "sites[0].groups[0]", "opd-utama"),
        (DESA, "  kind: desa\n", "  kind: desaa\n", "sites[0].kind", "desa"),
        (
            DESA,
            "platform: mikrotik_routeros",
            "platform: mikrotik-routeros",
            "sites[0].router.platform",
            "mikrotik_routeros",
        ),
        (
            DESA,
            "provider: langit7",
            "provider: langit-7",
            "sites[0].central_uplink.provider",
            "langit7",
        ),
        (
            DESA,
            "provider: sukamaju-net",
            "provider: sukamaju-nett",
            "sites[0].legacy_uplink.provider",
            "sukamaju-net",
        ),
        (
            DESA,
            "addressing: {mode: dhcp}",
            "addressing: {mode: dhpc}",
            "sites[0].legacy_uplink.addressing",
            "dhcp",
        ),
        (
            DESA,
            "lastmile: biznet",
            "lastmile: biznett",
            "sites[1].central_uplink.lastmile",
            "biznet",
        ),
        (DESA, "  wave: 0\n", "  wav: 0\n", "sites[0].wav", "wave"),
        (ORG, "ntp_servers: [", "ntp_server: [", "ntp_server", "ntp_servers"),
        (DESA, "sites:\n", "site:\n", "site", "sites"),
    ],
)
def test_a_misspelt_name_gets_did_you_mean(
    inventory_copy: Path, edit: Edit, file: str, old: str, new: str, field: str, suggestion: str
) -> None:
    path = edit(file, old, new)
    problem = one(problems(inventory_copy), file, field)
    assert problem.severity is Severity.ERROR
    assert problem.line == line_of(path, new.strip())
    assert problem.suggestion == suggestion
    assert f"did you mean '{suggestion}'?" in problem.message


def test_the_misspelt_group_is_located_at_its_line(inventory_copy: Path, edit: Edit) -> None:
    path = edit(OPD, "groups: [opd-utama]", "groups: [opd-utamaa]")
    problem = one(problems(inventory_copy), OPD, "sites[0].groups[0]")
    assert problem.line == line_of(path, "opd-utamaa")
    assert "unknown group 'opd-utamaa'" in problem.message


def test_a_group_missing_from_the_regions_map_is_misspelt_too(
    inventory_copy: Path, edit: Edit
) -> None:
    edit(ORG, "timezone: Asia/Jakarta\n", "timezone: Asia/Jakarta\nregions: {opd-utamma: pusat}\n")
    problem = one(problems(inventory_copy), ORG, "regions.opd-utamma")
    assert problem.suggestion == "opd-utama"


def test_without_declared_groups_a_near_miss_is_a_warning(inventory_copy: Path, edit: Edit) -> None:
    """An organisation that declares no groups: a group one site uses that looks like one
    others use is probably that one (a warning: it may be meant)."""
    edit(ORG, "groups: [opd-utama]\n", "")
    edit(OPD, "groups: [opd-utama]", "groups: [opd-utamaa]")
    loaded = load_inventory(inventory_copy, today=TODAY)
    problem = one(loaded.warnings, OPD, "sites[0].groups[0]")
    assert problem.severity is Severity.WARNING
    assert problem.suggestion == "opd-utama"


def test_a_field_typo_is_one_line_that_names_the_missing_field(
    inventory_copy: Path, edit: Edit, cli: CliRunner
) -> None:
    """Not "unknown field" and "Field required" side by side: the unknown one is probably
    the required one."""
    path = edit(DESA, "demand_mbps: 8", "demand_mbs: 8")
    found = problems(inventory_copy)
    assert not at(found, DESA, "sites[0].central_uplink.demand_mbps")
    problem = one(found, DESA, "sites[0].central_uplink.demand_mbs")
    assert problem.line == line_of(path, "demand_mbs: 8")
    assert problem.suggestion == "demand_mbps"
    assert "did you mean 'demand_mbps'?" in problem.message
    assert "required" in problem.message

    result = cli.invoke(app, ["validate", "--inventory", str(inventory_copy), *DAY])
    lines = error_lines(result.stderr, "sites[0].central_uplink.demand_mb")
    assert len(lines) == 1, result.stderr
    assert "Field required" not in result.stderr


def test_a_field_typo_inside_a_union_branch_names_the_missing_field(
    inventory_copy: Path, edit: Edit
) -> None:
    edit(OPD, "gateway: 203.0.113.9}", "gatway: 203.0.113.9}")
    found = [p for p in problems(inventory_copy) if "sites[1].legacy_uplink.addressing" in p.field]
    assert [p.field for p in found] == ["sites[1].legacy_uplink.addressing.gatway"]
    assert found[0].suggestion == "gateway"


# --- one round shows every problem ---------------------------------------------------------


def test_a_site_with_a_schema_error_still_takes_part_in_the_cross_checks(
    inventory_copy: Path, edit: Edit
) -> None:
    """desa-balokang has a typo; desa-cujang's VLAN and another office's management address
    clash with it: all three in the first round, not one round each."""
    path = edit(DESA, "demand_mbps: 8", "demand_mbs: 8")
    edit(DESA, "vlan: 1146", "vlan: 1144")
    edit(DESA, "mgmt_address: 10.251.0.47", "mgmt_address: 10.251.0.44")
    found = problems(inventory_copy)
    one(found, DESA, "sites[0].central_uplink.demand_mbs")
    vlan = one(found, DESA, "sites[2].central_uplink.vlan")
    assert f"'desa-balokang' at inventory/sites/desa.yaml:{line_of(path, 'id: desa-balokang')}" in (
        vlan.message
    )
    mgmt = one(found, DESA, "sites[3].router.mgmt_address")
    assert "'desa-balokang'" in mgmt.message


def test_a_part_written_but_invalid_is_unknown_to_the_cross_checks_not_its_default(
    inventory_copy: Path, edit: Edit
) -> None:
    """desa-cibeureum-girang's last mile is invalid: its VLAN 1144 may be Biznet's, so it
    is not called desa-balokang's duplicate (as if langit7 handed it off itself)."""
    edit(
        DESA,
        "    lastmile: biznet\n    interface: ether5\n    vlan: 1145",
        "    lastmile: 'Biz net'\n    interface: ether5\n    vlan: 1144",
    )
    edit(DESA, "mgmt_address: 10.251.0.45", "mgmt_address: 10.251.0.44")
    found = problems(inventory_copy)
    assert "lastmile" in one(found, DESA, "sites[1].central_uplink.lastmile").field
    assert not at(found, DESA, "sites[1].central_uplink.vlan")
    assert "'desa-balokang'" in one(found, DESA, "sites[1].router.mgmt_address").message


def test_a_site_with_a_schema_error_is_checked_against_the_organisation(
    inventory_copy: Path, edit: Edit
) -> None:
    """The same site's misspelt provider and its LAN over another office's, with its typo."""
    edit(DESA, "demand_mbps: 8", "demand_mbs: 8")
    edit(DESA, "provider: langit7", "provider: langit-7")
    edit(DESA, "address: 10.31.44.1/24}", "address: 10.31.45.1/24}")
    found = problems(inventory_copy)
    assert one(found, DESA, "sites[0].central_uplink.provider").suggestion == "langit7"
    assert "overlaps" in one(found, DESA, "sites[1].lan.address").message


# --- secrets --------------------------------------------------------------------------------


def write_pppoe_secrets(root: Path, skip: str | None = None) -> dict[str, str]:
    """secrets/pppoe.yaml with a made-up password for every PPPoE key the inventory names."""
    loaded = load_inventory(root, today=TODAY)
    keys = sorted(
        {
            ref.key
            for site in loaded.sites
            for ref in site_secret_refs(site, loaded.organisation)
            if ref.key is not None and ref.key != skip
        }
    )
    values = {key: f"ppp-{index:03d}-x9" for index, key in enumerate(keys)}
    (root / "secrets" / "pppoe.yaml").write_text(
        "".join(f"{key}: {value}\n" for key, value in values.items()), encoding="utf-8"
    )
    return values


def environment(**overrides: str | None) -> dict[str, str | None]:
    env: dict[str, str | None] = {
        "NETPROV_ROUTER_PASSWORD": ROUTER_PASSWORD,
        "NETPROV_SNMP_COMMUNITY": COMMUNITY,
        "NETPROV_SECRETS": None,  # the default: every reference resolved
    }
    env.update(overrides)
    return env


def validate(cli: CliRunner, root: Path, *extra: str, **env: str | None) -> tuple[int, str]:
    result = cli.invoke(
        app, ["validate", "--inventory", str(root), *DAY, *extra], env=environment(**env)
    )
    return result.exit_code, result.stdout + result.stderr


def assert_no_value(output: str, values: dict[str, str]) -> None:
    for value in [ROUTER_PASSWORD, COMMUNITY, *values.values()]:
        assert value not in output


def test_the_sample_city_s_references_all_resolve_where_the_secrets_are(
    inventory_copy: Path, cli: CliRunner
) -> None:
    values = write_pppoe_secrets(inventory_copy)
    code, output = validate(cli, inventory_copy)
    assert code == 0, output
    assert_no_value(output, values)
    code, output = validate(cli, inventory_copy, "--json")
    assert code == 0, output
    document = json.loads(output)
    assert document["secrets"] == {"mode": "resolve", "references": 1 + 82 + len(values)}


def test_an_unset_variable_is_one_line_for_all_its_references(
    inventory_copy: Path, cli: CliRunner
) -> None:
    values = write_pppoe_secrets(inventory_copy)
    code, output = validate(cli, inventory_copy, NETPROV_ROUTER_PASSWORD=None)
    assert code == 1
    lines = error_lines(output, "NETPROV_ROUTER_PASSWORD")
    assert len(lines) == 1, output
    first = line_of(inventory_copy / DESA, "{env: NETPROV_ROUTER_PASSWORD}")
    assert f"desa.yaml:{first}: sites[0].router.credentials.password: " in lines[0]
    assert "not set in this environment" in lines[0]
    assert "82 sites" in lines[0]
    assert_no_value(output, values)


def test_a_misspelt_variable_gets_did_you_mean(
    inventory_copy: Path, edit: Edit, cli: CliRunner
) -> None:
    values = write_pppoe_secrets(inventory_copy)
    path = edit(KEC, "{env: NETPROV_ROUTER_PASSWORD}", "{env: NETPROV_ROUTER_PASWORD}")
    code, output = validate(cli, inventory_copy, "--json")
    assert code == 1
    (problem,) = json.loads(output)["problems"]
    assert problem["line"] == line_of(path, "NETPROV_ROUTER_PASWORD")
    assert problem["field"] == "sites[0].router.credentials.password"
    assert problem["suggestion"] == "NETPROV_ROUTER_PASSWORD"
    assert "did you mean NETPROV_ROUTER_PASSWORD?" in problem["message"]
    assert_no_value(output, values)


def test_a_missing_secrets_file_is_one_line(inventory_copy: Path, cli: CliRunner) -> None:
    code, output = validate(cli, inventory_copy)
    assert code == 1
    lines = error_lines(output, "secrets/pppoe.yaml")
    assert len(lines) == 1, output
    first = line_of(inventory_copy / DESA, "{file: secrets/pppoe.yaml")  # desa-cujang's
    assert f"desa.yaml:{first}: sites[2].legacy_uplink.addressing.password: " in lines[0]
    assert "cannot be read" in lines[0]


def test_a_misspelt_key_or_file_gets_did_you_mean(
    inventory_copy: Path, edit: Edit, cli: CliRunner
) -> None:
    values = write_pppoe_secrets(inventory_copy)
    path = edit(KEC, "key: kec-sukamaju}", "key: kec-sukamju}")
    edit(KEC, "{file: secrets/pppoe.yaml, key: kel-", "{file: secrets/ppoe.yaml, key: kel-")
    code, output = validate(cli, inventory_copy, "--json")
    assert code == 1
    found = {p["suggestion"]: p for p in json.loads(output)["problems"]}
    assert set(found) == {"kec-sukamaju", "secrets/pppoe.yaml"}
    key = found["kec-sukamaju"]
    assert key["line"] == line_of(path, "kec-sukamju")
    assert "no key 'kec-sukamju'" in key["message"]
    assert "did you mean 'kec-sukamaju'?" in key["message"]
    assert "did you mean secrets/pppoe.yaml?" in found["secrets/pppoe.yaml"]["message"]
    assert_no_value(output, values)


def test_a_value_unsafe_on_a_router_cli_is_refused_without_showing_it(
    inventory_copy: Path, cli: CliRunner
) -> None:
    values = write_pppoe_secrets(inventory_copy)
    code, output = validate(cli, inventory_copy, NETPROV_SNMP_COMMUNITY="pub lic;reboot")
    assert code == 1
    (line,) = error_lines(output, "NETPROV_SNMP_COMMUNITY")
    assert "organisation.yaml" in line
    assert "snmp.community" in line
    assert "unsafe" in line
    assert "reboot" not in output
    assert_no_value(output, values)


def test_check_resolves_the_references_too(inventory_copy: Path, cli: CliRunner) -> None:
    write_pppoe_secrets(inventory_copy, skip="kec-sukamaju")
    result = cli.invoke(
        app,
        ["check", "--inventory", str(inventory_copy), "--no-backups", "--json", *DAY],
        env=environment(),
    )
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    (problem,) = [p for p in document["problems"] if p["severity"] == "error"]
    assert problem["field"] == "sites[0].legacy_uplink.addressing.password"
    assert "no key 'kec-sukamaju'" in problem["message"]
    assert document["secrets"] == {"mode": "resolve", "references": 116}


def test_without_the_secret_store_skip_says_so_and_passes(cli: CliRunner) -> None:
    """CI's pull-request job has no secrets: `--secrets skip` (or NETPROV_SECRETS=skip)
    checks the references' form only and says the values were not resolved."""
    code, output = validate(cli, SAMPLE, NETPROV_ROUTER_PASSWORD=None, NETPROV_SNMP_COMMUNITY=None)
    assert code == 1
    code, output = validate(
        cli, SAMPLE, "--secrets", "skip", NETPROV_ROUTER_PASSWORD=None, NETPROV_SNMP_COMMUNITY=None
    )
    assert code == 0, output
    assert "secrets not resolved (--secrets skip)" in output
    code, output = validate(
        cli,
        SAMPLE,
        NETPROV_SECRETS="skip",
        NETPROV_ROUTER_PASSWORD=None,
        NETPROV_SNMP_COMMUNITY=None,
    )
    assert code == 0, output
