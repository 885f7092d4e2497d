"""String types for values that reach a router's command line.

A value from the inventory is pasted into RouterOS and IOS commands. A line break would
start a new command; on RouterOS a double quote ends the quoted value, ``;`` separates
commands, ``$`` expands a variable and ``[`` runs a sub-command; on IOS ``?`` opens help
in the middle of a line. These types refuse such characters at load time, naming the
offending character, so no later layer has to escape anything.

Examples:
    >>> forbidden_characters('Dinas "X"; /system reboot')
    ['"', ';']
    >>> forbidden_characters("Puskesmas Pataruman (Rawat Inap)")
    []
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field

# Free text (names, descriptions, comments): letters, digits, space and harmless punctuation.
_TEXT_ALLOWED = re.compile(r"[A-Za-z0-9 .,:/()@&+'_#-]")
_IDENTIFIER = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)
# RouterOS names a port as its owner likes, single spaces included ("wan A", "ether1 - Tx";
# /export quotes them, and so do netprov's RouterOS lines); IOS names have none, and a name
# the router lacks is refused by the plan (netprov.checks.inservice)
_INTERFACE = re.compile(r"^[A-Za-z](?:[A-Za-z0-9/._:-]| (?! )){0,47}(?<! )$")
_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


def forbidden_characters(value: str) -> list[str]:
    """Characters of ``value`` that may not appear in free text sent to a router."""
    seen: list[str] = []
    for char in value:
        if not _TEXT_ALLOWED.fullmatch(char) and char not in seen:
            seen.append(char)
    return seen


def _describe(chars: list[str]) -> str:
    return ", ".join(repr(c) for c in chars)


def _check_text(value: str) -> str:
    bad = forbidden_characters(value)
    if bad:
        raise ValueError(
            f"contains {_describe(bad)}: line breaks, control characters, quotes and "
            "command separators could let the value escape its field on the router CLI"
        )
    if value != value.strip():
        raise ValueError("has leading or trailing spaces")
    return value


def _pattern_check(pattern: re.Pattern[str], what: str) -> AfterValidator:
    def check(value: str) -> str:
        if not pattern.fullmatch(value):
            bad = [c for c in value if not c.isalnum() and c not in "-_./:@ "]
            detail = f" (contains {_describe(list(dict.fromkeys(bad)))})" if bad else ""
            raise ValueError(f"is not a valid {what}{detail}")
        return value

    return AfterValidator(check)


CliText = Annotated[str, Field(min_length=1, max_length=80), AfterValidator(_check_text)]
# a plain http URL to an address (what a router's own HTTP client can fetch; no quoting needed)
HttpUrl = Annotated[
    str,
    _pattern_check(re.compile(r"http://\d{1,3}(\.\d{1,3}){3}(:\d{1,5})?(/[\w./-]*)?"), "http URL"),
]
Identifier = Annotated[str, _pattern_check(_IDENTIFIER, "identifier (a-z, 0-9, '-', '_')")]
Hostname = Annotated[str, _pattern_check(_HOSTNAME, "hostname")]
InterfaceName = Annotated[str, _pattern_check(_INTERFACE, "interface name")]
Username = Annotated[str, _pattern_check(_USERNAME, "username")]
