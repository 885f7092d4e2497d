"""The CI examples in ``docs/ci/`` stay runnable: each file is valid YAML and every
``netprov`` command in them (and in their README) names options the CLI has."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from netprov.cli import app

DOCS = Path(__file__).parent.parent / "docs" / "ci"
NAMES = {c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands}
COMMAND = re.compile(r"\bnetprov ([a-z]+(?: [^|>&;`\n]*)?)")


def commands() -> list[tuple[str, str]]:
    found = []
    for path in sorted(DOCS.iterdir()):
        for match in COMMAND.finditer(path.read_text(encoding="utf-8")):
            words = shlex.split(match.group(1))
            if words[0] in NAMES:
                found.append((path.name, match.group(1).strip()))
    return found


def test_the_examples_are_valid_yaml_and_cover_the_flow() -> None:
    files = sorted(DOCS.glob("*.yml"))
    assert [p.name for p in files] == [
        "github-actions-deploy.yml",
        "github-actions.yml",
        "gitlab-ci.yml",
    ]
    for path in files:
        assert isinstance(yaml.safe_load(path.read_text(encoding="utf-8")), dict), path
    used = {(name, line.split()[0]) for name, line in commands()}
    for name in ("github-actions", "gitlab-ci"):
        steps = {cmd for file, cmd in used if file.startswith(name)}
        assert {"check", "cutover", "backup", "drift"} <= steps, name


@pytest.mark.parametrize(("file", "line"), commands())
def test_every_command_in_the_examples_parses(cli: CliRunner, file: str, line: str) -> None:
    result = cli.invoke(app, [*shlex.split(line), "--help"])
    assert result.exit_code == 0, f"{file}: netprov {line}\n{result.output}"
