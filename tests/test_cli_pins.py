"""The CLI's surface, pinned: every command's ``--help`` text and the shape of every
``--json`` document (issue 25: the CLI is restructured without changing either; CI jobs
and scripts read these). A change meant to alter them rewrites the pins deliberately:
``NETPROV_REPIN=1 pytest tests/test_cli_pins.py``, then review the diff in git.
"""

from __future__ import annotations

import json
import os
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

PINS = Path(__file__).parent / "fixtures" / "cli"
HELP_ENV = {"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}
REPIN = os.environ.get("NETPROV_REPIN") == "1"


def _commands(group: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name, command in group.commands.items():
        yield (*prefix, name)
        if hasattr(command, "commands"):
            yield from _commands(command, (*prefix, name))


def _help_text(cli: CliRunner, words: tuple[str, ...]) -> str:
    result = cli.invoke(app, [*words, "--help"], env=HELP_ENV, terminal_width=100)
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
    text = _help_text(cli, words)
    assert text == _pinned(name, text)


def shape(value: Any) -> Any:
    """A JSON value's shape: each key's shape, a list's elements merged into one shape, a
    scalar's type name (``str|null`` where it varies)."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in sorted(value.items())}
    if isinstance(value, list):
        merged: Any = None
        for item in value:
            merged = shape(item) if merged is None else _merge(merged, shape(item))
        return [] if merged is None else [merged]
    return "null" if value is None else type(value).__name__


def _merge(a: Any, b: Any) -> Any:
    if isinstance(a, dict) and isinstance(b, dict):
        return {
            key: _merge(a[key], b[key]) if key in a and key in b else a.get(key, b.get(key))
            for key in sorted(a.keys() | b.keys())
        }
    if isinstance(a, list) and isinstance(b, list):
        return a or b if not (a and b) else [_merge(a[0], b[0])]
    if isinstance(a, str) and isinstance(b, str):
        return "|".join(sorted(set(a.split("|")) | set(b.split("|"))))
    return "|".join(sorted({json.dumps(a, sort_keys=True), json.dumps(b, sort_keys=True)}))


def test_shape_merges_the_elements_of_a_list() -> None:
    document = {"sites": [{"site": "a", "plan": None}, {"site": "b", "plan": {"n": 1}}]}
    assert shape(document) == {"sites": [{"plan": '"null"|{"n": "int"}', "site": "str"}]}
    assert shape({"items": [], "ok": True}) == {"items": [], "ok": "bool"}


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

    def run(name: str, *args: str, codes: tuple[int, ...] = (0,)) -> dict[str, Any]:
        result = cli.invoke(app, [*args, "--json"])
        assert result.exit_code in codes, (name, result.output)
        document: dict[str, Any] = json.loads(result.stdout)
        shapes[name] = shape(document)
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

    text = json.dumps(shapes, indent=1, sort_keys=True) + "\n"
    assert text == _pinned("json-shapes.json", text)
