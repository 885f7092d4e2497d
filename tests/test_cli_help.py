"""``--help`` read in a standard terminal, 80 columns (issue 39, item 3): the types an
engineer reads (PHASE, SITE,..., N), not Python's (``<bool>``, ``<list[str]>``, ``<int
range> [1<=x<=200]``); no reStructuredText backticks; every line within 80 columns,
nothing cut (the ``--db`` default whole); the phases listed where a phase is asked for;
one example per command. The texts themselves are pinned in tests/test_cli_pins.py."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from tests.test_cli_pins import ALL_COMMANDS, HELP_ENV, help_text

COMMANDS = [words for words in ALL_COMMANDS if words not in {(), ("inventory",), ("twin",)}]


def _name(words: tuple[str, ...]) -> str:
    return " ".join(words) or "netprov"


@pytest.mark.parametrize("words", ALL_COMMANDS, ids=_name)
def test_help_reads_as_an_engineer_expects(cli: CliRunner, words: tuple[str, ...]) -> None:
    text = help_text(cli, words)
    assert HELP_ENV["COLUMNS"] == "80"
    assert [line for line in text.splitlines() if len(line) > 80] == []
    assert re.findall(r"<(?:bool|str|int|float|path|list|text)[^>]*>", text) == []
    assert re.findall(r"\w<=|<=x|x>=", text) == []  # click's ranges: said in words
    assert "`" not in text  # neither reStructuredText's ``x`` nor Markdown's `x`
    assert "…" not in text
    assert "SQLAlchemy" not in text  # a Python library: say what the URL looks like
    cut = [line for line in text.splitlines() if line.rstrip().endswith("...")]
    assert [line for line in cut if not line.startswith("Usage:")] == []


@pytest.mark.parametrize("words", COMMANDS, ids=_name)
def test_every_command_has_an_example(cli: CliRunner, words: tuple[str, ...]) -> None:
    text = help_text(cli, words)
    examples = text.split("Example")[1:]
    assert examples, "no example"
    assert f"netprov {' '.join(words)}" in examples[0]


@pytest.mark.parametrize(
    "words", [w for w in COMMANDS if w and w[0] in {"plan", "apply", "verify", "adopt", "render"}]
)
def test_phase_options_list_the_phases(cli: CliRunner, words: tuple[str, ...]) -> None:
    text = " ".join(help_text(cli, words).split())
    assert "legacy, dual, central" in text


def test_the_db_default_is_shown_whole(cli: CliRunner) -> None:
    text = " ".join(help_text(cli, ("status",)).split())
    assert "sqlite:///.netprov/state.db" in text
