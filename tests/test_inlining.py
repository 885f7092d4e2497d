"""Includes spliced at load time render exactly what Jinja's includes render."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from netprov.render.config import Renderer
from netprov.render.inlining import InliningLoader
from tests.conftest import TEMPLATES


def _env(loader: jinja2.BaseLoader) -> jinja2.Environment:
    """The renderer's environment settings and filters, on another loader."""
    return Renderer(TEMPLATES).env.overlay(loader=loader)


@pytest.mark.parametrize("platform", ["cisco_ios", "mikrotik_routeros"])
def test_every_fragment_of_the_shipped_templates_is_spliced(platform: str) -> None:
    loader = InliningLoader(str(TEMPLATES))
    source, filename, _ = loader.get_source(_env(loader), f"{platform}/main.j2")
    assert "{% include" not in source
    fragments = {
        Path(name).name
        for name, _ in (loader.origin(filename, n) for n in range(1, source.count("\n") + 1))
    }
    assert {"base.j2", "lan.j2", "routing.j2", "nat.j2", "dns.j2"} <= fragments


def _loader_over(root: Path, files: dict[str, str]) -> InliningLoader:
    """An inlining loader over a folder holding ``files``."""
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return InliningLoader(str(root))


def test_a_fragment_reading_a_siblings_variable_stays_included(tmp_path: Path) -> None:
    # b.j2 sees no `x` when included (a sibling's `set` does not reach it); spliced it would,
    # and so would a b.j2 left included after a spliced a.j2
    loader = _loader_over(
        tmp_path,
        {
            "main.j2": '{% include "a.j2" %}\n{% include "b.j2" %}\n{% include "c.j2" %}\nend\n',
            "a.j2": "{% set x = 1 %}\na {{ x }}\n",
            "b.j2": "b {{ 'set' if x is defined else 'unset' }}\n",
            "c.j2": "{% for x in [2] %}\nc {{ x }}\n{% endfor %}\n",
        },
    )
    plain = _env(jinja2.FileSystemLoader(str(tmp_path))).get_template("main.j2").render()
    spliced_env = _env(loader)
    assert spliced_env.get_template("main.j2").render() == plain == "a 1\nb unset\nc 2\nend\n"
    source, _, _ = loader.get_source(spliced_env, "main.j2")
    assert source.startswith('{% include "a.j2" %}')  # none spliced: b would see a's `x`


def test_an_error_in_a_spliced_fragment_names_the_fragment_and_its_line(tmp_path: Path) -> None:
    loader = _loader_over(
        tmp_path,
        {
            "main.j2": '{# entry #}\n{% include "a.j2" %}\n{% include "b.j2" %}\n',
            "a.j2": "one\ntwo\n",
            "b.j2": "three\n{{ missing.value }}\n",
        },
    )
    with pytest.raises(jinja2.UndefinedError) as caught:
        _env(loader).get_template("main.j2").render()
    frames = [f for f in caught.traceback if str(f.path).endswith(".j2")]
    filename, line = loader.origin(str(frames[-1].path), frames[-1].lineno + 1)
    assert (Path(filename).name, line) == ("b.j2", 2)


def test_a_fragment_that_does_not_parse_alone_stays_included(tmp_path: Path) -> None:
    loader = _loader_over(
        tmp_path,
        {
            "main.j2": '{% include "a.j2" %}\n{% include "b.j2" %}\n',
            "a.j2": "{% if true %}\nopen\n",
            "b.j2": "{% endif %}\n",
        },
    )
    with pytest.raises(jinja2.TemplateSyntaxError) as caught:
        _env(loader).get_template("main.j2").render()
    assert Path(caught.value.filename or "").name == "a.j2"


def test_a_loop_variable_of_one_fragment_does_not_stop_splicing(tmp_path: Path) -> None:
    loader = _loader_over(
        tmp_path,
        {
            "main.j2": '{% include "a.j2" %}\n{% include "c.j2" %}\n',
            "a.j2": "{% for x in [1] %}\na {{ x }}\n{% endfor %}\n",
            "c.j2": "{% for x in [2] %}\nc {{ x }}\n{% endfor %}\n",
        },
    )
    env = _env(loader)
    assert env.get_template("main.j2").render() == "a 1\nc 2\n"
    assert "{% include" not in loader.get_source(env, "main.j2")[0]
