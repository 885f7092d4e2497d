"""``netprov promote`` writes the desired phase into the inventory files as a reviewable diff:
only ``desired_phase`` lines change, comments and layout stay, a skipped phase is refused."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from netprov.cli import app
from netprov.inventory.loader import load_inventory
from netprov.models import Phase
from tests.conftest import SAMPLE


def texts(root: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted((root / "sites").glob("*.yaml"))}


def changed_lines(before: dict[str, str], after: dict[str, str]) -> list[str]:
    lines = []
    for name, old in before.items():
        new = after[name].splitlines()
        removed = [line for line in old.splitlines() if line not in new]
        added = [line for line in new if line not in old.splitlines()]
        lines += [f"-{line}" for line in removed] + [f"+{line}" for line in added]
    return lines


def test_promote_writes_only_the_phase_lines(cli: CliRunner, tmp_path: Path) -> None:
    root = tmp_path / "inventory"
    shutil.copytree(SAMPLE, root)
    before = texts(root)
    wave0 = {s.id for s in load_inventory(root).sites if s.wave == 0}
    result = cli.invoke(
        app, ["promote", "--inventory", str(root), "--wave", "0", "--to", "dual", "--json"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert {s["site"] for s in document["sites"]} == wave0
    after = texts(root)
    # one added line per wave-0 site, nothing else: comments, order and flow style kept
    assert changed_lines(before, after) == ["+  desired_phase: dual"] * len(wave0)
    assert sum(t.count("\n") for t in after.values()) == sum(
        t.count("\n") for t in before.values()
    ) + len(wave0)
    phases = {s.id: s.desired_phase for s in load_inventory(root).sites}
    assert {i for i, p in phases.items() if p is Phase.DUAL} == wave0
    assert all(p is Phase.LEGACY for i, p in phases.items() if i not in wave0)

    again = cli.invoke(app, ["promote", "--inventory", str(root), "--wave", "0", "--to", "dual"])
    assert again.exit_code == 0, again.output
    assert texts(root) == after  # already there: no edit

    site = sorted(wave0)[0]
    back = cli.invoke(app, ["promote", "--inventory", str(root), "--limit", site, "--to", "legacy"])
    assert back.exit_code == 0, back.output
    assert changed_lines(after, texts(root)) == [
        "-  desired_phase: dual",
        "+  desired_phase: legacy",
    ]


def test_promote_refuses_a_skipped_phase_and_writes_nothing(cli: CliRunner, tmp_path: Path) -> None:
    root = tmp_path / "inventory"
    shutil.copytree(SAMPLE, root)
    before = texts(root)
    skipped = cli.invoke(
        app, ["promote", "--inventory", str(root), "--limit", "setda", "--to", "central"]
    )
    assert skipped.exit_code == 1
    assert "setda: legacy -> central skips dual; promote to dual first" in skipped.output
    dry = cli.invoke(
        app, ["promote", "--inventory", str(root), "--limit", "setda", "--to", "dual", "--dry-run"]
    )
    assert dry.exit_code == 0, dry.output
    assert "+  desired_phase: dual" in dry.output  # the diff it would write
    assert texts(root) == before


def test_promote_never_reformats_a_file_it_cannot_keep(cli: CliRunner, tmp_path: Path) -> None:
    """A file laid out otherwise (here: list items indented under ``sites:``) would be
    rewritten beyond its phase lines: refused, naming the file, nothing written."""
    root = tmp_path / "inventory"
    shutil.copytree(SAMPLE, root)
    path = root / "sites" / "opd.yaml"
    indented = (
        "\n".join(
            ("  " + line) if line[:1] in ("-", " ") else line
            for line in path.read_text().splitlines()
        )
        + "\n"
    )
    path.write_text(indented)
    before = texts(root)
    result = cli.invoke(
        app, ["promote", "--inventory", str(root), "--limit", "setda", "--to", "dual"]
    )
    assert result.exit_code == 1, result.output
    assert "opd.yaml: promoting would also rewrite" in result.output
    assert texts(root) == before
