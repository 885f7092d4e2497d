"""Did you mean: the known name closest to a misspelt one, and what a schema model accepts
at a place of a document (to name the field a typo probably is)."""

from __future__ import annotations

import difflib
import types
from collections.abc import Iterable
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

# close enough to be offered: 'dhpc' -> 'dhcp' (0.75), not 'kampung' -> 'kecamatan' (0.5)
CUTOFF = 0.7


def closest(word: str, choices: Iterable[str], cutoff: float = CUTOFF) -> str | None:
    """The choice ``word`` is most probably a misspelling of, if any is close enough.

    Examples:
        >>> closest("opd-utamaa", ["opd-utama", "kecamatan"])
        'opd-utama'
        >>> closest("Mikrotik-RouterOS", ["cisco_ios", "mikrotik_routeros"])
        'mikrotik_routeros'
        >>> closest("kampung", ["desa", "kecamatan"]) is None
        True
    """
    known = sorted({c for c in choices if c != word})
    folded = {_fold(c): c for c in known}
    if _fold(word) in folded:  # only case or separators differ
        return folded[_fold(word)]
    found = difflib.get_close_matches(word, known, n=1, cutoff=cutoff)
    return found[0] if found else None


def _fold(word: str) -> str:
    return word.lower().replace("-", "_")


def did_you_mean(suggestion: str, *, quoted: bool = True) -> str:
    """The words a message ends with.

    Examples:
        >>> did_you_mean("dhcp")
        "did you mean 'dhcp'?"
    """
    return f"did you mean {suggestion!r}?" if quoted else f"did you mean {suggestion}?"


def fields_at(model: type[BaseModel], loc: Iterable[str | int]) -> list[str] | None:
    """The fields the model at ``loc`` (a path as pydantic reports it, union tags included)
    accepts, or None where the path leads to no model.

    Examples:
        >>> from netprov.models import Site
        >>> "demand_mbps" in (fields_at(Site, ["central_uplink"]) or [])
        True
        >>> fields_at(Site, ["legacy_uplink", "addressing", "static"])
        ['mode', 'address', 'gateway']
    """
    current: list[Any] = [model]
    for element in loc:
        current = _step(current, element)
        if not current:
            return None
    models = [t for t in current if is_model(t)]
    if len(models) != 1:
        return None
    return list(models[0].model_fields)


def _step(types_here: list[Any], element: str | int) -> list[Any]:
    """The types one path element further in: a field of a model, an item of a list, a
    value of a mapping, or the union member a tag names."""
    following: list[Any] = []
    for kind in (m for t in types_here for m in type_members(t)):
        if is_model(kind) and isinstance(element, str):
            if element in kind.model_fields:
                following.append(kind.model_fields[element].annotation)
            elif element in (kind.__name__, *_tags(kind)):
                following.append(kind)  # a union's branch, named by its tag
        elif get_origin(kind) in (list, tuple, set) and isinstance(element, int):
            following += get_args(kind)[:1]
        elif get_origin(kind) is dict:
            following += get_args(kind)[1:2]
    return following


def type_members(annotation: Any) -> list[Any]:
    """A type without its Annotated metadata, a union as its members (None dropped).

    Examples:
        >>> type_members(int | None)
        [<class 'int'>]
    """
    origin = get_origin(annotation)
    if origin is Annotated:
        return type_members(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return [m for arg in get_args(annotation) for m in type_members(arg)]
    return [] if annotation is type(None) else [annotation]


def _tags(model: type[BaseModel]) -> tuple[str, ...]:
    """The discriminator values a model's ``Literal`` fields give it (``mode: static``)."""
    values: list[str] = []
    for info in model.model_fields.values():
        if get_origin(info.annotation) is Literal:
            values += [str(v) for v in get_args(info.annotation)]
    return tuple(values)


def is_model(kind: Any) -> bool:
    """Whether ``kind`` is a pydantic model class."""
    return isinstance(kind, type) and issubclass(kind, BaseModel)
