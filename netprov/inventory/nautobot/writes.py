"""The generic steps of an export to Nautobot: find an object by its natural key, create
what is missing, change only what differs, delete netprov's own links that went away, and
count each kind of change per endpoint (:class:`ExportReport`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from netprov.inventory.nautobot.client import NautobotClient

Record = dict[str, Any]
K = TypeVar("K", bound=Hashable)


@dataclass
class ExportReport:
    """What an export changed, per endpoint, and the sites Nautobot has beyond the
    inventory (left as they are)."""

    changes: dict[str, Counter[str]] = field(default_factory=dict)
    beyond: list[str] = field(default_factory=list)

    def count(self, endpoint: str, kind: str, number: int = 1) -> None:
        if number:
            self.changes.setdefault(endpoint, Counter())[kind] += number

    @property
    def changed(self) -> int:
        return sum(sum(c.values()) for c in self.changes.values())

    def as_items(self) -> list[dict[str, Any]]:
        return [{"endpoint": e, **dict(sorted(c.items()))} for e, c in sorted(self.changes.items())]


def record_id(value: Any) -> Any:
    """A nested object's id (``{"id": ..., "object_type": ...}``), a choice's value
    (``{"value": ..., "label": ...}``), or the value itself.

    Examples:
        >>> record_id({"id": "u1", "object_type": "extras.status"})
        'u1'
        >>> record_id({"value": "tagged", "label": "Tagged"})
        'tagged'
    """
    if isinstance(value, dict) and "object_type" in value:
        return value.get("id")
    if isinstance(value, dict) and set(value) == {"value", "label"}:
        return value["value"]
    return value


def differs(record: Record, name: str, wanted: Any) -> bool:
    """Whether ``record``'s field differs from the wanted write value (custom fields: only
    the ones netprov writes; references by id; blank and null alike)."""
    have = record.get(name)
    if name == "custom_fields":
        have = have or {}
        return any(have.get(key) != value for key, value in wanted.items())
    if isinstance(wanted, list):
        return sorted(str(record_id(v)) for v in have or []) != sorted(map(str, wanted))
    have = record_id(have)
    if wanted in (None, "") and have in (None, ""):
        return False
    return bool(have != wanted)


class Writer:
    """Writes to one Nautobot through its client, counting what changed."""

    def __init__(self, client: NautobotClient) -> None:
        self.client = client
        self.report = ExportReport()

    def sync(
        self,
        endpoint: str,
        wanted: Mapping[K, Record],
        existing: Mapping[K, Record],
        on_create: Callable[[K], Record] | None = None,
    ) -> dict[K, Record]:
        """Create what is missing and change what differs; every wanted key's record (as
        it was, or as created)."""
        creates: list[Record] = []
        keys: list[K] = []
        updates: list[Record] = []
        for key, fields in wanted.items():
            record = existing.get(key)
            if record is None:
                creates.append(fields | (on_create(key) if on_create else {}))
                keys.append(key)
                continue
            diff = {name: value for name, value in fields.items() if differs(record, name, value)}
            if diff:
                updates.append({"id": record["id"], **diff})
        created = self.client.create(endpoint, creates)
        self.client.update(endpoint, updates)
        self.report.count(endpoint, "created", len(created))
        self.report.count(endpoint, "updated", len(updates))
        found = {key: existing[key] for key in wanted if key in existing}
        return found | dict(zip(keys, created, strict=True))

    def delete(self, endpoint: str, ids: Iterable[str]) -> None:
        ids = sorted(set(ids))
        self.client.delete(endpoint, ids)
        self.report.count(endpoint, "deleted", len(ids))

    def one(self, endpoint: str, key: dict[str, Any], fields: Record | None = None) -> Record:
        """The object ``key`` finds, created (with ``fields``) when there is none."""
        found = self.client.objects(endpoint, **key)
        if found:
            return found[0]
        return self.sync(endpoint, {"new": key | (fields or {})}, {})["new"]

    def with_content_type(self, endpoint: str, name: str, content_type: str) -> Record:
        """A named object (status, role, tag) that may be used on ``content_type``."""
        record = self.one(endpoint, {"name": name}, {"content_types": [content_type]})
        types = list(record.get("content_types") or [])
        if content_type not in types:
            self.sync(endpoint, {name: {"content_types": [*types, content_type]}}, {name: record})
        return record
