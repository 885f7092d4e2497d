"""Map a field path (as pydantic reports it) back to a line in the YAML file it came from.

Parsing with line information is several times slower than plain loading, so the node tree
is composed lazily: only when a problem has to be located.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import yaml
import yaml_rs

try:  # the C parser is ~10x faster; fall back to pure Python where libyaml is missing
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment,misc,unused-ignore]
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

Loc = Sequence[str | int]
# where a problem is: the file (or source object), its line if it has lines, the field
Where = tuple[str, int | None, str]


class Source(Protocol):
    """Where inventory documents came from, so a problem can name its place: a YAML file
    (file, line, field) or a source of truth's objects (object, no line, field)."""

    @property
    def name(self) -> str:
        """The whole source, for summary lines."""
        ...

    def where(self, loc: Loc) -> Where:
        """The place of the value at ``loc`` (a path as pydantic reports it)."""
        ...

    def scalar_line(self, key: str, value: str) -> int | None:
        """The line of ``key: value`` where a quick scan finds one, else None."""
        ...


class _StrictLoader(_Loader):  # type: ignore[misc,valid-type,unused-ignore]
    """Safe loader that refuses duplicate mapping keys (PyYAML keeps the last silently)."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[object, object]:
    loader.flatten_mapping(node)
    seen: dict[object, yaml.Node] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping",
                node.start_mark,
                f"found duplicate key {key!r} (first at line {seen[key].start_mark.line + 1})",
                key_node.start_mark,
            )
        seen[key] = key_node
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(text: str) -> object:
    """Parse YAML 1.2 fast (yaml-rs, ~20x PyYAML's constructor); refuse duplicate keys.

    On any parse error the text is parsed again with PyYAML's strict loader, whose
    exception carries the exact line (and, for a duplicate key, the first occurrence).
    """
    try:
        return yaml_rs.loads(text, duplicate_key_policy=yaml_rs.DuplicateKeyPolicy.Error)
    except yaml_rs.YAMLDecodeError as exc:
        yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass; raises with a mark
        raise yaml.YAMLError(str(exc).splitlines()[0]) from exc


@dataclass
class SourceFile:
    """One YAML file of the inventory: its display name, its text and (lazily) its nodes."""

    name: str
    text: str
    _root: yaml.Node | None = field(default=None, repr=False)
    _scalar_lines: dict[str, dict[str, int | None]] = field(default_factory=dict, repr=False)

    def scalar_line(self, key: str, value: str) -> int | None:
        """The line of ``key: value`` when the text has exactly one such block-style line,
        else None (then :meth:`locate` finds it in the node tree). A text scan, once per
        key: 10,000 sites' lines without composing 400,000 YAML nodes."""
        lines = self._scalar_lines.get(key)
        if lines is None:
            lines = self._scalar_lines[key] = {}
            pattern = re.compile(rf"^[ \t]*(?:-[ \t]+)*{re.escape(key)}:[ \t]+(.+?)[ \t]*$", re.M)
            line, counted = 1, 0
            for match in pattern.finditer(self.text):
                line += self.text.count("\n", counted, match.start())
                counted = match.start()
                found = match[1].strip("'\"") if match[1][0] in "'\"" else match[1]
                lines[found] = None if found in lines else line  # twice: not this way
        return lines.get(value)

    def _node_tree(self) -> yaml.Node | None:
        if self._root is None:
            try:
                self._root = yaml.compose(self.text, Loader=_Loader)
            except yaml.YAMLError:
                return None
        return self._root

    def where(self, loc: Loc) -> Where:
        """This file's name, and the line and dotted field :meth:`locate` finds."""
        return (self.name, *self.locate(loc))

    def locate(self, loc: Loc) -> tuple[int | None, str]:
        """Return (line, dotted field path) for ``loc``.

        Path elements that do not exist in the YAML (pydantic's union tags, or a missing
        field) are skipped for the line, which then points at the closest enclosing node.
        """
        node = self._node_tree()
        line = None if node is None else node.start_mark.line + 1
        parts: list[str] = []
        for element in loc:
            child = _child(node, element) if node is not None else None
            if child is None:
                if isinstance(element, str) and not is_union_tag(element):
                    parts.append(f".{element}" if parts else element)
                    node = None
                continue
            key_node, node = child
            line = (key_node or node).start_mark.line + 1
            parts.append(
                f"[{element}]"
                if isinstance(element, int)
                else (f".{element}" if parts else str(element))
            )
        return line, "".join(parts)


def is_union_tag(element: str) -> bool:
    """A path element pydantic adds for a union's branch (``static``, ``list[...]``), which
    no document holds."""
    return (
        element in {"static", "dhcp", "pppoe"}
        or "[" in element
        or element
        in {
            "str",
            "int",
            "float",
            "list",
            "dict",
            "none",
        }
    )


def _child(node: yaml.Node, element: str | int) -> tuple[yaml.Node | None, yaml.Node] | None:
    if isinstance(node, yaml.MappingNode) and isinstance(element, str):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == element:
                return key_node, value_node
    if (
        isinstance(node, yaml.SequenceNode)
        and isinstance(element, int)
        and 0 <= element < len(node.value)
    ):
        return None, node.value[element]
    return None
