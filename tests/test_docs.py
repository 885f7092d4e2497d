"""What the README and the code point at exists in a clone (issue 12, item 9)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_readme_points_only_at_files_in_the_repository() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "../" not in readme
    paths = set(
        re.findall(r"`((?:docs|interop|scenarios|tests|bench|templates)/[\w./-]+)`", readme)
    )
    assert paths, "the README names files"
    missing = sorted(p for p in paths if not (ROOT / p).exists())
    assert missing == []


def test_no_module_cites_a_file_outside_the_repository() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("netprov", "tests", "bench", "interop")
        for path in (ROOT / folder).rglob("*.py")
        if re.search(r"\bshared/", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def _commands() -> dict[str, set[str]]:
    from typer.main import get_command

    from netprov.cli import app

    found: dict[str, set[str]] = {}

    def walk(command: object, prefix: str) -> None:
        for name, sub in getattr(command, "commands", {}).items():
            if getattr(sub, "commands", None):
                walk(sub, f"{prefix}{name} ")
            else:
                found[prefix + name] = {o for p in sub.params for o in getattr(p, "opts", [])}

    walk(get_command(app), "")
    return found


def test_the_readme_option_claims_are_true() -> None:
    """Issue 12 (8): the README claimed every command took --inventory and --json."""
    commands = _commands()
    no_inventory = {name for name, opts in commands.items() if "--inventory" not in opts}
    no_json = {name for name, opts in commands.items() if "--json" not in opts}
    assert no_inventory == {"schema", "runs", "run", "unlock", "worker"}
    assert no_json == {"schema", "report", "evidence", "twin up", "worker"}
    selecting = {n for n, opts in commands.items() if {"--limit", "--kind"} <= opts}
    assert {"render", "status", "plan", "apply", "cutover", "twin up"} <= selecting
    assert "--phase" in commands["cutover"]  # --to stays as an alias
