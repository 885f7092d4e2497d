"""The command line as CI and engineers use it: outputs, exit codes, all-or-nothing writes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netprov.cli import app
from tests.conftest import TEMPLATES

TODAY = ["--today", "2026-11-22"]


def test_render_writes_every_site_and_phase(
    cli: CliRunner, inventory_copy: Path, tmp_path: Path
) -> None:
    out = tmp_path / "configs"
    result = cli.invoke(
        app, ["render", "-i", str(inventory_copy), "--out", str(out), "--json", *TODAY]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document == {
        "command": "render",
        "ok": True,
        "out": str(out),
        "site_count": 82,
        "phases": ["legacy", "dual", "central", "final"],
        "files": 328,
    }
    assert len(list(out.glob("*/*.cfg"))) == 328
    assert (out / "final" / "setda.cfg").read_text().startswith("hostname smj-setda-r1\n")
    assert not list(tmp_path.glob(".configs.staging-*"))


def test_render_selection_by_kind_and_phase(cli: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "configs"
    result = cli.invoke(
        app, ["render", "--kind", "puskesmas", "--phase", "central", "--out", str(out), *TODAY]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.parent.name for p in out.glob("*/*.cfg")) == ["central"] * 10


def test_template_error_names_template_and_line_and_writes_nothing(
    cli: CliRunner, tmp_path: Path
) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    lan = templates / "mikrotik_routeros" / "lan.j2"
    original = lan.read_text()
    lan.write_text(original + "{{ site.lan.vlan_typo }}\n")
    typo_line = len(original.splitlines()) + 1
    out = tmp_path / "configs"
    out.mkdir()
    (out / "keep.txt").write_text("untouched")
    result = cli.invoke(
        app, ["render", "--templates", str(templates), "--out", str(out), "--json", *TODAY]
    )
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    assert len(problems) == 70  # every RouterOS site, none of the IOS ones
    assert {(p["file"], p["line"]) for p in problems} == {
        ("templates/mikrotik_routeros/lan.j2", typo_line)
    }
    assert "vlan_typo" in problems[0]["message"]
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]


def test_template_syntax_error(cli: CliRunner, tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    (templates / "cisco_ios" / "nat.j2").write_text("{% for x in %}\n")
    result = cli.invoke(
        app, ["render", "--templates", str(templates), "--out", str(tmp_path / "o"), *TODAY]
    )
    assert result.exit_code == 1
    assert "templates/cisco_ios/nat.j2:1" in result.stderr
    assert not (tmp_path / "o").exists()


def test_usage_errors_exit_2(cli: CliRunner) -> None:
    assert cli.invoke(app, ["render", "--phase", "halfway"]).exit_code == 2
    assert cli.invoke(app, ["validate", "--today", "yesterday"]).exit_code == 2
    assert cli.invoke(app, ["no-such-command"]).exit_code == 2


def test_unknown_site_in_limit_is_an_error(cli: CliRunner, tmp_path: Path) -> None:
    result = cli.invoke(
        app, ["render", "--limit", "setda,atlantis", "--out", str(tmp_path / "o"), *TODAY]
    )
    assert result.exit_code == 2  # a usage error, as in every command
    assert "atlantis" in result.stderr


@pytest.mark.parametrize("command", [["render"], ["status"], ["backup", "--twin"], ["plan"]])
def test_a_misspelt_site_gets_did_you_mean(
    cli: CliRunner, tmp_path: Path, command: list[str]
) -> None:
    """Issue 36: an unknown --limit names the site probably meant, in 80 columns, exit 2,
    no traceback; with --json the usage document carries it as ``suggestion``."""
    args = [*command, "--limit", "kec-sukamajuu", "--db", f"sqlite:///{tmp_path / 'j.db'}"]
    if command == ["render"]:
        args = ["render", "--limit", "kec-sukamajuu", "--out", str(tmp_path / "o")]
    result = cli.invoke(app, [*args, *TODAY])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "unknown site id 'kec-sukamajuu'\n  did you mean 'kec-sukamaju'?" in result.stderr
    assert max(len(line) for line in result.stderr.splitlines()) <= 80, result.stderr
    result = cli.invoke(app, [*args, *TODAY, "--json"])
    assert result.exit_code == 2
    (problem,) = json.loads(result.stdout)["problems"]
    assert (problem["field"], problem["suggestion"]) == ("--limit", "kec-sukamaju")
    assert not (tmp_path / "o").exists()


def test_validate_and_allocate_json(cli: CliRunner) -> None:
    result = cli.invoke(app, ["validate", "--json", *TODAY])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["site_count"] == 82
    result = cli.invoke(app, ["allocate", "--json", *TODAY])
    rows = json.loads(result.stdout)["sites"]
    astinet = [r for r in rows if r["provider"] == "telkom-astinet"]
    assert len(astinet) == 10
    assert sum(r["guaranteed_kbps"] for r in astinet) <= 100_000


def test_schema_describes_both_files(cli: CliRunner) -> None:
    sites = json.loads(cli.invoke(app, ["schema", "sites"]).stdout)
    assert "sites" in sites["properties"]
    assert "Site" in sites["$defs"]
    assert set(sites["$defs"]["Platform"]["enum"]) == {"cisco_ios", "mikrotik_routeros"}
    organisation = json.loads(cli.invoke(app, ["schema", "organisation"]).stdout)
    assert "central_providers" in organisation["properties"]
    assert cli.invoke(app, ["schema", "bogus"]).exit_code == 2


def test_allocate_writes_the_providers_cir_pir_sheet(cli: CliRunner, tmp_path: Path) -> None:
    """Issue 10: a guarantee is enforced upstream; the provider gets each hand-off's CIR/PIR."""
    import csv

    sheet = tmp_path / "cir.csv"
    result = cli.invoke(app, ["allocate", "--csv", str(sheet), "--json", *TODAY])
    assert result.exit_code == 0, result.output
    expected = {i["site"]: i for i in json.loads(result.stdout)["sites"]}
    rows = list(csv.DictReader(sheet.open(encoding="utf-8")))
    assert len(rows) == len(expected) == 82
    for row in rows:
        assert int(row["cir_kbps"]) == expected[row["site"]]["guaranteed_kbps"]
        assert int(row["pir_kbps"]) == expected[row["site"]]["ceiling_kbps"]
        assert row["provider"] == expected[row["site"]]["provider"]
    assert {r["port"] for r in rows if r["site"] == "kel-hegarsari"} == {"ether5"}
