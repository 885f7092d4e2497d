"""Where inventory documents read from Nautobot came from: each part of a document is
traced to the Nautobot object (type, name, web page) and field that held it, so a problem
names them the way a YAML problem names the file and line."""

from __future__ import annotations

from dataclasses import dataclass, field

from netprov.inventory.sourcemap import Loc, Where, is_union_tag

Path = tuple[str | int, ...]

# where each object type's page is in Nautobot's web UI (the API's path without /api)
WEB_PATHS = {
    "dcim.location": "dcim/locations",
    "dcim.device": "dcim/devices",
    "dcim.interface": "dcim/interfaces",
    "circuits.circuit": "circuits/circuits",
    "extras.configcontext": "extras/config-contexts",
}


@dataclass(frozen=True, slots=True)
class NautobotObject:
    """One object of Nautobot's, as a problem names it."""

    kind: str  # its content type, e.g. "dcim.interface"
    name: str  # what Nautobot displays it as
    url: str  # its page in Nautobot's web UI

    @classmethod
    def at(cls, base_url: str, kind: str, object_id: str, name: str) -> NautobotObject:
        return cls(kind, name, f"{base_url.rstrip('/')}/{WEB_PATHS[kind]}/{object_id}/")

    def label(self) -> str:
        return f"{self.kind} {self.name} <{self.url}>"


def dotted(path: Loc) -> str:
    """A path as a field reads in a problem.

    Examples:
        >>> dotted(("sites", 3, "lan", "address"))
        'sites[3].lan.address'
        >>> dotted(())
        ''
    """
    text = ""
    for element in path:
        text += f"[{element}]" if isinstance(element, int) else (f".{element}" if text else element)
    return text


@dataclass
class ObjectMap:
    """A :class:`~netprov.inventory.sourcemap.Source` for documents built from Nautobot objects.

    :meth:`place` records which object a part of the document came from and the Nautobot
    field behind each of its values; :meth:`where` answers with the object of the longest
    recorded prefix of a path and the field, deeper elements appended (a JSON custom
    field's inner keys).
    """

    name: str
    fallback: NautobotObject | None = None
    _objects: dict[Path, NautobotObject] = field(default_factory=dict)
    _fields: dict[Path, str] = field(default_factory=dict)

    def place(self, prefix: Path, obj: NautobotObject, **fields: str) -> None:
        """``prefix`` came from ``obj``; each keyword is a field below it (``a__b`` for
        ``a.b``; ``""`` for the prefix itself) and the Nautobot field that holds it."""
        self._objects[prefix] = obj
        for name, nautobot_field in fields.items():
            self._fields[(*prefix, *(name.split("__") if name else ()))] = nautobot_field

    def where(self, loc: Loc) -> Where:
        path = tuple(e for e in loc if not (isinstance(e, str) and is_union_tag(e)))
        obj, depth = self.fallback, 0
        for end in range(len(path), -1, -1):
            if path[:end] in self._objects:
                obj, depth = self._objects[path[:end]], end
                break
        where = self.name if obj is None else obj.label()
        for end in range(len(path), depth - 1, -1):
            if path[:end] in self._fields:
                rest = dotted(path[end:])
                joint = "." if rest and not rest.startswith("[") else ""
                return where, None, self._fields[path[:end]] + joint + rest
        return where, None, dotted(path[depth:])

    def scalar_line(self, key: str, value: str) -> int | None:
        """Objects have no lines."""
        return None
