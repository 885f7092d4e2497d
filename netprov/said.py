"""netprov's own words as data: what a check is called, what it expected and saw, why a
change was refused or failed, each a :class:`Said` (a stable id and its parameters)
rendered in English (``en``) or Bahasa Indonesia (``id``) from one catalogue,
``texts.toml``, where each id has both texts side by side.

The journal and ``--json`` keep the English as before (``name``, ``detail``, ...) and the
ids beside it; the managers' report renders by id. A parameter is a value as the router or
the inventory has it (an address, an interface, a router's own error text: the same in both
languages) or another :class:`Said` (rendered in the same language). Pure.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Literal

Lang = Literal["en", "id"]


class CheckId(StrEnum):
    """What a check proves (the check's name)."""

    MANAGEMENT_SESSION = "management_session"
    NEW_MANAGEMENT_SESSION = "new_management_session"
    MANAGEMENT_RESTRICTED = "management_restricted"
    UPLINK_UP = "uplink_up"
    PING_GATEWAY = "ping_gateway"
    DEFAULT_ROUTE = "default_route"
    INTERNET_PROBE = "internet_probe"
    INTERNET_PROBE_VIA = "internet_probe_via"
    RESOLVER_PING = "resolver_ping"
    PATH_MTU = "path_mtu"
    EGRESS = "egress"
    SERVICE = "service"
    DNS_RESOLVES = "dns_resolves"
    DNS_BLOCKS = "dns_blocks"
    DNS_FORCED = "dns_forced"
    DHCP = "dhcp"
    SHAPING = "shaping"
    FAILOVER_ROUTE = "failover_route"
    DRILL_TRAFFIC = "drill_traffic"
    DRILL_CONFIG = "drill_config"
    PROBE = "probe"


class ReasonId(StrEnum):
    """Why a change was refused or failed (a failure's ``detail``)."""

    ERROR = "error"
    LOCKOUT_CUT = "lockout_cut"
    LOCKOUT_NEW_SESSIONS = "lockout_new_sessions"
    LOCKOUT_UNPROVEN_LINE = "lockout_unproven_line"
    CONFLICTS = "conflicts"
    REFUSED_BEFORE_PUSH = "refused_before_push"
    IMPORT_REFUSED = "import_refused"
    STALE = "stale"
    PUSH_INTERRUPTED = "push_interrupted"
    SITE_LOCKED = "site_locked"
    NOT_PUSHED = "not_pushed"
    NOT_SHOWN = "not_shown"
    NO_PHASE = "no_phase"
    NO_PHASE_NOT_DRILLED = "no_phase_not_drilled"


class PhraseId(StrEnum):
    """A part of what a check expected or saw, or of a reason."""

    VALUE = "value"
    AND_THEN = "and_then"
    BUT = "but"
    VIA = "via"
    ROLE_LEGACY = "role_legacy"
    ROLE_CENTRAL = "role_central"
    ROLE_BACKUP = "role_backup"
    HOP = "hop"
    HOP_GATEWAY = "hop_gateway"
    HOP_DROPPED = "hop_dropped"
    NO_ROUTE = "no_route"
    LEAVES_BY = "leaves_by"
    TRAFFIC_LEAVES_BY = "traffic_leaves_by"
    ANSWERS = "answers"
    NO_ANSWER = "no_answer"
    NO_ANSWER_BECAUSE = "no_answer_because"
    ANSWERED_IN = "answered_in"
    EMPTY_ANSWER = "empty_answer"
    OPENS_AND_ANSWERS = "opens_and_answers"
    REFUSED_BECAUSE = "refused_because"
    OPENED_IN = "opened_in"
    LOSS_AT_MOST = "loss_at_most"
    REPLIES = "replies"
    RUNNING = "running"
    PRESENT = "present"
    AN_ADDRESS = "an_address"
    SINKHOLE = "sinkhole"
    OTHER_RESOLVERS_REFUSED = "other_resolvers_refused"
    IN_FORCE = "in_force"
    NOT_IN_RUNNING_CONFIG = "not_in_running_config"
    ADDRESS_OF = "address_of"
    ADDRESS_OF_RANGES = "address_of_ranges"
    NO_RANGES = "no_ranges"
    DHCP_EXPECTED = "dhcp_expected"
    DHCP_NO_SERVER = "dhcp_no_server"
    LEASES_UNREADABLE = "leases_unreadable"
    LEASES_BOUND = "leases_bound"
    CEILING_ON = "ceiling_on"
    CEILING = "ceiling"
    NOT_ATTACHED = "not_attached"
    DOWNLOAD = "download"
    UNLIMITED = "unlimited"
    NO_SHAPER = "no_shaper"
    BYPASSED = "bypassed"
    TAKEN_FIRST = "taken_first"
    RESTRICTED = "restricted"
    MANAGEMENT_ONLY = "management_only"
    FAILOVER_EXPECTED = "failover_expected"
    RULE = "rule"
    DROPPED = "dropped"
    REFUSED = "refused"
    END_OF_PLAN = "end_of_plan"
    CANNOT_CONNECT = "cannot_connect"
    CANNOT_CONNECT_TO = "cannot_connect_to"
    PROBE_ANSWERS = "probe_answers"
    DRILL_SEEN = "drill_seen"
    WITHIN = "within"
    AFTER = "after"
    NOT_WITHIN = "not_within"
    MISSING_ROUTE = "missing_route"
    ROUTE_DISABLED = "route_disabled"
    ROUTE_WRONG = "route_wrong"
    MISSING_LINE = "missing_line"
    FASTTRACK_ENABLED = "fasttrack_enabled"
    QUEUE_DISABLED = "queue_disabled"
    QUEUE_ABOVE = "queue_above"
    NO_TARGET = "no_target"
    IDENTICAL_TO_BACKUP = "identical_to_backup"
    IDENTICAL = "identical"
    DIFFERS = "differs"


TextId = CheckId | ReasonId | PhraseId
KINDS: dict[str, type[CheckId] | type[ReasonId] | type[PhraseId]] = {
    "check": CheckId,
    "reason": ReasonId,
    "phrase": PhraseId,
}
CATALOGUE_FILE = Path(__file__).with_name("texts.toml")


@cache
def catalogue() -> dict[str, dict[str, dict[str, str]]]:
    """``texts.toml``: kind (check, reason, phrase) -> id -> language -> text."""
    with CATALOGUE_FILE.open("rb") as file:
        return tomllib.load(file)


def _kind(text_id: TextId) -> str:
    return next(kind for kind, ids in KINDS.items() if isinstance(text_id, ids))


# every id by its value: the values are unique across the kinds (tests/test_said.py)
_BY_VALUE: dict[str, TextId] = {member.value: member for ids in KINDS.values() for member in ids}


def _known(value: str) -> TextId | None:
    """The id a stored string names (None: one this netprov does not know)."""
    return _BY_VALUE.get(value)


@dataclass(frozen=True)
class Said:
    """Words netprov says: an id of the catalogue and the values it is rendered with.

    Examples:
        >>> ping = Said(CheckId.PING_GATEWAY, {"role": role("central"), "gateway": "10.0.0.1"})
        >>> str(ping), ping.text("id")
        ('ping central gateway 10.0.0.1', 'ping gateway jalur pusat 10.0.0.1')
    """

    id: TextId
    params: Mapping[str, str | Said] = field(default_factory=dict)

    def text(self, lang: Lang = "en") -> str:
        """The words in ``lang``, every parameter rendered in it too."""
        template = catalogue()[_kind(self.id)][self.id.value][lang]
        values = {k: v.text(lang) if isinstance(v, Said) else v for k, v in self.params.items()}
        return template.format(**values)

    def __str__(self) -> str:
        return self.text("en")

    def as_dict(self) -> dict[str, object]:
        """As the journal and ``--json`` keep it: ``{"id": ..., "params": {...}}``."""
        params = {k: v.as_dict() if isinstance(v, Said) else v for k, v in self.params.items()}
        return {"id": self.id.value, "params": params}

    @classmethod
    def from_dict(cls, data: object) -> Said | None:
        """A stored :meth:`as_dict` back (None: not one, or an id this netprov does not
        know, e.g. written by a newer one: its English is shown as stored)."""
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            return None
        known = _known(data["id"])
        stored = data.get("params")
        if known is None or not isinstance(stored, dict):
            return None
        params: dict[str, str | Said] = {}
        for key, value in stored.items():
            nested = Said.from_dict(value) if isinstance(value, dict) else None
            if isinstance(value, dict) and nested is None:
                return None
            params[str(key)] = nested if nested is not None else str(value)
        said = cls(known, params)
        try:  # every parameter its texts name is there
            said.text("en")
            said.text("id")
        except (KeyError, IndexError):
            return None
        return said


Params = Mapping[str, str | Said]  # what words are rendered with


def say(text_id: TextId, **params: str | Said) -> Said:
    """``Said(text_id, params)``, the values by name."""
    return Said(text_id, params)


def value(text: object) -> Said:
    """A value said as it is, in every language (a router's own words, a name)."""
    return Said(PhraseId.VALUE, {"value": str(text)})


def role(name: str) -> Said:
    """A line by its role (``legacy``, ``central``, ``backup``)."""
    return Said(PhraseId(f"role_{name}"))


def but(seen: Said, why: Said) -> Said:
    """``seen``, but ``why`` (what was seen, and what makes it not count)."""
    return Said(PhraseId.BUT, {"seen": seen, "why": why})


def joined(parts: list[Said], empty: Said) -> Said:
    """``parts`` one after the other, separated by semicolons (``empty`` when none)."""
    if not parts:
        return empty
    said = parts[0]
    for part in parts[1:]:
        said = Said(PhraseId.AND_THEN, {"first": said, "then": part})
    return said


def error_reason(exc: BaseException) -> Said:
    """A failure that is an error (``exc``), as a reason."""
    return Said(ReasonId.ERROR, {"error": of_error(exc)})


def of_error(exc: BaseException) -> Said:
    """An error as netprov said it (a :class:`~netprov.errors.DeviceError` may carry its
    words), else its text as it is."""
    said = getattr(exc, "said", None)
    return said if isinstance(said, Said) else value(exc)
