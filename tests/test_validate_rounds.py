"""Validate as a reviewer would (issue 36), found in review: a LAN too small for the DHCP
pool netprov renders passed (an inverted RouterOS pool, IOS exclusions outside the subnet),
and a broken secret reference showed only in the round after every other problem was
mended."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netprov.cli import app
from tests.conftest import Edit, line_of
from tests.test_validate_review import (
    DAY,
    DESA,
    KEC,
    OPD,
    assert_no_value,
    environment,
    error_lines,
    problems,
    validate,
    write_pppoe_secrets,
)


@pytest.mark.parametrize("prefix", [29, 30, 31, 32])
def test_a_lan_without_an_address_to_lease_is_one_located_line(
    inventory_copy: Path, edit: Edit, cli: CliRunner, prefix: int
) -> None:
    """The pool starts after the first ``dhcp_reserved`` (10) hosts: a /29 has 6 hosts,
    so RouterOS got ranges=10.31.31.11-10.31.31.6 and IOS an exclusion past the subnet."""
    path = edit(KEC, "address: 10.31.31.1/24}", f"address: 10.31.31.1/{prefix}}}")
    (problem,) = [p for p in problems(inventory_copy) if p.field == "sites[0].lan.address"]
    assert problem.line == line_of(path, f"10.31.31.1/{prefix}")
    assert "no address to lease" in problem.message
    assert "dhcp_reserved" in problem.message
    assert problem.suggestion == "10.31.31.1/28"


def test_a_lan_that_leaves_the_pool_an_address_or_serves_none_is_valid(
    inventory_copy: Path, edit: Edit, cli: CliRunner
) -> None:
    edit(KEC, "address: 10.31.31.1/24}", "address: 10.31.31.1/28}")  # leases .11-.14
    edit(OPD, "address: 10.31.1.1/24}", "address: 10.31.1.1/30, dhcp: false}")
    code, output = validate(cli, inventory_copy, "--secrets", "skip")
    assert code == 0, output


def test_a_broken_secret_reference_shows_in_the_same_round(
    inventory_copy: Path, edit: Edit, cli: CliRunner
) -> None:
    """A misspelt key beside a misspelt group, and one in a site that fails its schema:
    every problem in the first round."""
    values = write_pppoe_secrets(inventory_copy)
    edit(OPD, "groups: [opd-utama]", "groups: [opd-utamaa]")
    kec = edit(KEC, "key: kec-sukamaju}", "key: kec-sukamju}")
    edit(KEC, "kind: kecamatan", "kind: kecamtan")  # the same site fails its schema
    desa = edit(DESA, "{file: secrets/pppoe.yaml", "{file: secrets/ppoe.yaml")
    code, output = validate(cli, inventory_copy, "--json")
    assert code == 1, output
    found = {p["suggestion"]: p for p in json.loads(output)["problems"]}
    assert {"opd-utama", "kecamatan", "kec-sukamaju", "secrets/pppoe.yaml"} <= set(found)
    assert found["kec-sukamaju"]["line"] == line_of(kec, "kec-sukamju")
    assert found["secrets/pppoe.yaml"]["line"] == line_of(desa, "secrets/ppoe.yaml")
    assert_no_value(output, values)
    code, text = validate(cli, inventory_copy)
    assert len(error_lines(text, "no key 'kec-sukamju'")) == 1, text
    assert_no_value(text, values)


def test_check_shows_them_in_the_same_round_too(
    inventory_copy: Path, edit: Edit, cli: CliRunner
) -> None:
    values = write_pppoe_secrets(inventory_copy)
    edit(OPD, "groups: [opd-utama]", "groups: [opd-utamaa]")
    edit(KEC, "key: kec-sukamaju}", "key: kec-sukamju}")
    result = cli.invoke(
        app,
        ["check", "--inventory", str(inventory_copy), "--no-backups", *DAY],
        env=environment(),
    )
    assert result.exit_code == 1, result.output
    output = result.stdout + result.stderr
    assert len(error_lines(output, "no key 'kec-sukamju'")) == 1, output
    assert len(error_lines(output, "unknown group 'opd-utamaa'")) == 1, output
    assert_no_value(output, values)
