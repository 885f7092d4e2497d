"""The CLI's surface, pinned: every command's ``--help`` text and the shape of every
``--json`` document (issue 25: the CLI is restructured without changing either; CI jobs
and scripts read these). A change meant to alter them rewrites the pins deliberately:
``NETPROV_REPIN=1 pytest tests/test_cli_pins.py``, then review the diff in git.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from netprov.cli import app
from netprov.twin.pytest_plugin import TwinFactory
from tests.conftest import SAMPLE, TODAY
from tests.json_paths import disagreements, documented, flat

PINS = Path(__file__).parent / "fixtures" / "cli"
DOCS = Path(__file__).parent.parent / "docs"
HELP_ENV = {"COLUMNS": "80", "NO_COLOR": "1", "TERM": "dumb"}  # a standard terminal
REPIN = os.environ.get("NETPROV_REPIN") == "1"


def _commands(group: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name, command in group.commands.items():
        yield (*prefix, name)
        if hasattr(command, "commands"):
            yield from _commands(command, (*prefix, name))


def help_text(cli: CliRunner, words: tuple[str, ...]) -> str:
    """``netprov WORDS --help`` as an 80-column terminal shows it."""
    result = cli.invoke(app, [*words, "--help"], env=HELP_ENV, terminal_width=80)
    assert result.exit_code == 0, result.output
    return "\n".join(line.rstrip() for line in result.output.splitlines()) + "\n"


def _pinned(name: str, text: str) -> str:
    path = PINS / name
    if REPIN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return path.read_text(encoding="utf-8")


ALL_COMMANDS = [(), *_commands(typer.main.get_command(app))]


@pytest.mark.parametrize("words", ALL_COMMANDS, ids=lambda w: " ".join(w) or "netprov")
def test_help_text_is_pinned(cli: CliRunner, words: tuple[str, ...]) -> None:
    name = "help/" + ("-".join(words) or "netprov") + ".txt"
    text = help_text(cli, words)
    assert text == _pinned(name, text)


def test_paths_merge_the_elements_of_a_list() -> None:
    document = {"sites": [{"site": "a", "plan": None}, {"site": "b", "plan": {"n": 1}}]}
    assert flat([document]) == {
        "sites": "list",
        "sites[]": "object",
        "sites[].plan": "null|object",
        "sites[].plan.n": "int",
        "sites[].site": "str",
    }
    assert flat([{"items": [], "ok": True}]) == {"items": "list", "ok": "bool"}


# a time in a JSON value: ISO 8601 with its offset, never a bare or space-separated one
TIME = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d")
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d([+-]\d\d:\d\d)$")


def _times(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _times(item)
    elif isinstance(value, list):
        for item in value:
            yield from _times(item)
    elif isinstance(value, str) and TIME.match(value):
        yield value


SITES = "kec-sukamaju,setda"  # one RouterOS, one IOS office


@pytest.mark.twin
@pytest.mark.slow
def test_json_shapes_are_pinned(
    cli: CliRunner, tmp_path: Path, twin_factory: TwinFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each command with ``--json``, run the way an engineer would on a twin of two
    offices; the shape of what it prints is compared with the pin."""
    monkeypatch.setenv("NETPROV_TWIN_TIME_SCALE", "30")
    inventory = tmp_path / "inventory"
    shutil.copytree(SAMPLE, inventory)
    twin = twin_factory(SITES.split(","), inventory=inventory)
    hosts = tmp_path / "hosts.yaml"
    twin.write_hosts_file(hosts)
    db = ("--db", f"sqlite:///{tmp_path / 'j.db'}")
    today = ("--today", TODAY.isoformat())
    where = ("--inventory", str(inventory), *today, "--limit", SITES)
    aimed = ("--hosts-file", str(hosts), *db, "--backups", str(tmp_path / "b"))
    routers = (*where, *aimed)
    window = ("--now", "2026-11-24T02:00")
    shapes: dict[str, Any] = {}
    docs = documented((DOCS / "json.md").read_text(encoding="utf-8"))

    def run(name: str, *args: str, codes: tuple[int, ...] = (0,)) -> dict[str, Any]:
        result = cli.invoke(app, [*args, "--json"])
        assert result.exit_code in codes, (name, result.output)
        document: dict[str, Any] = json.loads(result.stdout)
        # docs/json.md: `ok` is the exit status as a boolean (drift and plan said true on 2)
        assert document["ok"] is (result.exit_code == 0), (name, result.exit_code)
        shapes[name] = flat([document])
        assert [t for t in _times(document) if not ISO_WITH_OFFSET.match(t)] == [], name
        if not REPIN:  # docs/json.md describes what the command really prints
            assert disagreements(docs.get(name, {}), shapes[name]) == [], name
        return document

    run("validate", "validate", "--inventory", str(inventory), *today)
    run("allocate", "allocate", "--inventory", str(inventory), *today)
    run("render", "render", *where, "--phase", "dual", "--out", str(tmp_path / "out"))
    run("backup", "backup", *routers)
    run("check", "check", "--inventory", str(inventory), *today, "--backups", str(tmp_path / "b"))
    run("plan", "plan", *routers, "--phase", "dual", codes=(2,))
    applied = run("apply", "apply", *routers, "--phase", "dual", "--yes")
    run("verify", "verify", *routers, "--phase", "dual")
    run("drift", "drift", *routers, codes=(2,))
    run("adopt", "adopt", *routers, "--phase", "dual", "--yes")
    run("status", "status", *where, *db)
    run("runs", "runs", *db)
    run("run", "run", applied["run_id"], *db)
    run("rollback", "rollback", *routers, "--run", applied["run_id"], "--yes")
    run("cutover", "cutover", *routers, "--to", "dual", *window, "--yes")
    run(
        "drill",
        "drill",
        "--inventory",
        str(inventory),
        *today,
        *aimed,
        "--limit",
        "setda",
        *window,
        "--yes",
    )
    run("finalize", "finalize", *routers, "--soak", "1h", "--yes", codes=(0, 1))
    run("promote", "promote", *where, "--to", "dual")
    run(
        "trust",
        "trust",
        *where,
        "--hosts-file",
        str(hosts),
        "--known-hosts",
        str(tmp_path / "known_hosts"),
    )
    run("unlock", "unlock", "setda", "--run", "nosuch", *db, codes=(0, 1))
    cached = str(tmp_path / "cached")
    run("inventory export", "inventory", "export", "--inventory", str(inventory), "--to", cached)

    run("usage error", "plan", "--phase", "bogus", codes=(2,))

    text = json.dumps(shapes, indent=1, sort_keys=True) + "\n"
    assert text == _pinned("json-shapes.json", text)


def test_docs_json_describes_every_pinned_document() -> None:
    """docs/json.md against the pin of what each command prints (the twin test above keeps
    the pin true): every field documented with its type, nothing documented that is not."""
    docs = documented((DOCS / "json.md").read_text(encoding="utf-8"))
    pinned = json.loads((PINS / "json-shapes.json").read_text(encoding="utf-8"))
    wrong = {
        name: disagreements(docs.get(name, {}), real)
        for name, real in pinned.items()
        if disagreements(docs.get(name, {}), real)
    }
    assert wrong == {}
    assert sorted(docs) == sorted(pinned)
