"""A Jinja loader that resolves literal includes once, when a template is loaded.

Each ``{% include %}`` costs a template lookup and a copy of the whole context every time
a config is rendered (14 per config: over a quarter of the render time of a 10,000-site
inventory). ``main.j2`` only includes one fragment per concern, so the loader splices
each fragment's text in place of its ``{% include "name" %}`` line and compiles the
whole as one template. Errors still name the fragment and its line: :meth:`origin` maps
a line of the spliced text back to the file it came from.

A template's includes are spliced only when that cannot change what it renders;
otherwise all of them stay as written and Jinja includes them as usual:
- each fragment parses on its own (a syntax error is then reported by Jinja, in it);
- each ends with a line break and holds no ``extends``/``block``;
- no piece (a fragment, or the including template's own text) reads from the context a
  name another piece assigns: an included template cannot see the ``set``s of its
  siblings, a spliced one could.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import jinja2
from jinja2 import meta, nodes

_INCLUDE_LINE = re.compile(r'\{% include "([^"]+)" %\}\n?')
_LINE = re.compile(r"[^\n]*\n|[^\n]+$")  # Jinja counts lines by "\n" (the loader reads
# with universal newlines)

# one entry per line of a spliced template: the file and line the text came from
Origins = list[tuple[str, int]]


class InliningLoader(jinja2.FileSystemLoader):
    def __init__(self, searchpath: str) -> None:
        super().__init__(searchpath)
        self._origins: dict[str, Origins] = {}

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        spliced, self._origins[filename] = self._splice(environment, source, filename)
        return spliced, filename, uptodate

    def origin(self, filename: str, line: int) -> tuple[str, int]:
        """The file and line that line ``line`` of template file ``filename`` came from."""
        origins = self._origins.get(filename, [])
        return origins[line - 1] if 1 <= line <= len(origins) else (filename, line)

    def _splice(
        self, environment: jinja2.Environment, source: str, filename: str
    ) -> tuple[str, Origins]:
        lines = _LINE.findall(source)
        unspliced = (source, [(filename, n) for n in range(1, len(lines) + 1)])
        names = [m.group(1) if (m := _INCLUDE_LINE.fullmatch(line)) else None for line in lines]
        if not any(names):
            return unspliced
        fragments: dict[str, _Fragment] = {}
        for name in filter(None, names):
            fragment = self._fragment(environment, name)
            if fragment is None:
                return unspliced
            fragments[name] = fragment
        rest = "".join(line for line, name in zip(lines, names, strict=True) if name is None)
        try:
            own = _names(environment.parse(rest))
        except jinja2.TemplateError:
            return unspliced
        if _leaks([own, *(fragment.names for fragment in fragments.values())]):
            return unspliced
        parts: list[str] = []
        origins: Origins = []
        for number, (line, name) in enumerate(zip(lines, names, strict=True), start=1):
            if name is None:
                parts.append(line)
                origins.append((filename, number))
            else:
                parts.append(fragments[name].source)
                origins.extend(fragments[name].origins)
        return "".join(parts), origins

    def _fragment(self, environment: jinja2.Environment, name: str) -> _Fragment | None:
        """The fragment, spliced itself; None when it must stay an include."""
        try:
            source, filename, _ = self.get_source(environment, name)
            tree = environment.parse(source)
            names = _names(tree)
        except jinja2.TemplateError:
            return None  # Jinja reports it, at render time, as it always did
        if not source.endswith("\n") or tree.find(nodes.Extends) or tree.find(nodes.Block):
            return None
        return _Fragment(source, self._origins[filename], names)


@dataclass(frozen=True, slots=True)
class _Names:
    reads: frozenset[str]  # from the context
    stores: frozenset[str]  # anywhere (over-approximates what would leak out of it)


@dataclass(frozen=True, slots=True)
class _Fragment:
    source: str
    origins: Origins
    names: _Names


def _leaks(pieces: Sequence[_Names]) -> bool:
    """Whether any piece reads a name another assigns: spliced, it would see that value."""
    return any(
        a.reads & b.stores for i, a in enumerate(pieces) for j, b in enumerate(pieces) if i != j
    )


def _names(tree: nodes.Template) -> _Names:
    return _Names(frozenset(meta.find_undeclared_variables(tree)), frozenset(_stored(tree)))


def _stored(tree: nodes.Template) -> set[str]:
    names = {node.name for node in tree.find_all(nodes.Name) if node.ctx in ("store", "param")}
    names |= {node.name for node in tree.find_all(nodes.Macro)}
    for imported in tree.find_all(nodes.FromImport):
        names |= {n if isinstance(n, str) else n[1] for n in imported.names}
    names |= {node.target for node in tree.find_all(nodes.Import)}
    return names
