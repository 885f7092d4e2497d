"""What is valid of a document that failed its schema: each field validated on its own,
a model's fields one level further in. The cross-checks take a site's valid parts from
here, so a typo in one of its fields no longer hides its duplicate VLAN or management
address (one round shows every problem). Never loaded: the site is still refused.
"""

from __future__ import annotations

from functools import cache
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from netprov.suggest import is_model, type_members

M = TypeVar("M", bound=BaseModel)


def salvage(model: type[M], data: object) -> M | None:
    """A ``model`` built (unvalidated as a whole) from the fields of ``data`` that are
    valid on their own, or salvaged in turn where they are models. A field written but
    invalid is absent (reading it raises AttributeError: never its default, which would
    say something the document does not); one not written has its default. None:
    ``data`` is no mapping.

    Examples:
        >>> from netprov.models import Router
        >>> part = salvage(Router, {"hostname": "r1", "mgmt_address": "10.0.0.1",
        ...                         "platform": "junos", "credentials": {}})
        >>> str(part.mgmt_address), hasattr(part, "platform")
        ('10.0.0.1', False)
        >>> from netprov.models import CentralUplink
        >>> hasattr(salvage(CentralUplink, {"vlan": 5000}), "vlan")  # not None: unknown
        False
    """
    if not isinstance(data, dict):
        return None
    values: dict[str, Any] = {}
    invalid = []
    for name, info in model.model_fields.items():
        if name not in data:
            continue
        try:
            values[name] = _adapter(model, name).validate_python(data[name])
        except ValidationError:
            inner = type_members(info.annotation)
            found = (
                salvage(inner[0], data[name]) if len(inner) == 1 and is_model(inner[0]) else None
            )
            if found is None:
                invalid.append(name)
            else:
                values[name] = found
    built = model.model_construct(**values)
    for name in invalid:  # not its default: unknown
        built.__dict__.pop(name, None)
    return built


@cache
def _adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    return TypeAdapter(model.model_fields[name].rebuild_annotation())
