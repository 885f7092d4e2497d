"""Secret references resolved at the edge, and redaction of their values from any text.

The inventory holds only references (``{env: VAR}`` or ``{file: PATH}``). Rendering for
review masks them; only a push to a router resolves them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import Protocol

import yaml

from netprov.errors import SecretError
from netprov.models import Organisation, PppoeAddressing, SecretRef, Site


class SecretMode(StrEnum):
    """How ``validate`` and ``check`` treat the inventory's secret references."""

    RESOLVE = "resolve"  # each resolved here: one that does not is an error
    SKIP = "skip"  # no secret store here (a pull request's CI job): checked by form only


class SecretResolver(Protocol):
    def __call__(self, ref: SecretRef) -> str: ...


def masked(ref: SecretRef) -> str:
    """Placeholder used when rendering for review (CI, dry runs, golden files).

    Examples:
        >>> masked(SecretRef(env="NETPROV_SNMP_COMMUNITY"))
        'SECRET-NETPROV_SNMP_COMMUNITY'
        >>> masked(SecretRef(file="secrets/pppoe.yaml", key="kec-sukamaju"))
        'SECRET-pppoe-kec-sukamaju'
    """
    return "SECRET-" + "".join(c if c.isalnum() or c in "_-" else "_" for c in ref.label)


def twin_secret(ref: SecretRef) -> str:
    """What a twin's router holds for a reference: a fixed, obviously fake value (never
    the real one). The twin renders its configs with these and a run aimed at a twin's
    hosts file (``data.twin``) logs in with them, so both sides read them from here.

    Examples:
        >>> twin_secret(SecretRef(env="NETPROV_SNMP_COMMUNITY"))
        'twin-netprovsnmpcommunity'
    """
    return "twin-" + "".join(c for c in ref.label.lower() if c.isalnum())[:24]


class EnvironmentSecrets:
    """Resolve references from the process environment and from files under ``base``."""

    def __init__(self, base: Path, environ: dict[str, str] | None = None) -> None:
        self.base = base
        self.environ = environ if environ is not None else dict(os.environ)
        self.resolved: set[str] = set()
        self._files: dict[Path, str] = {}  # each file read once per run
        self._entries: dict[Path, dict[object, object]] = {}  # and parsed once

    def __call__(self, ref: SecretRef) -> str:
        if ref.env is not None:
            value = self.environ.get(ref.env)
            if not value:
                raise SecretError(
                    f"secret {ref.describe()} is not set in the environment: export "
                    f"{ref.env} first (a rehearsal with --twin needs no secret)"
                )
        else:
            value = self.read(ref).strip() if ref.key is None else self._entry(ref)
        if any(ord(c) < 32 or c in '"\\;$[]{}?' for c in value) or " " in value:
            raise SecretError(f"secret {ref.describe()} contains characters unsafe on a router CLI")
        self.resolved.add(value)
        return value

    def path(self, ref: SecretRef) -> Path:
        """Where a file reference's file is (relative paths: under ``base``)."""
        path = Path(ref.file or "")
        return path if path.is_absolute() else self.base / path

    def read(self, ref: SecretRef) -> str:
        """The text of a file reference's file (read once per run)."""
        path = self.path(ref)
        if path not in self._files:
            try:
                self._files[path] = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
                raise SecretError(f"secret {ref.describe()} cannot be read: {reason}") from exc
        return self._files[path]

    def entries(self, ref: SecretRef) -> dict[object, object]:
        """The YAML mapping of secrets a keyed reference's file holds (``kec-sukamaju:
        s3cret``); its errors never quote the file (it holds values)."""
        path = self.path(ref)
        if path not in self._entries:
            try:
                entries = yaml.safe_load(self.read(ref))
            except yaml.YAMLError:
                raise SecretError(f"secret {ref.describe()}: the file is not YAML") from None
            if not isinstance(entries, dict):
                raise SecretError(f"secret {ref.describe()}: the file is not a mapping of keys")
            self._entries[path] = entries
        return self._entries[path]

    def _entry(self, ref: SecretRef) -> str:
        """One key of a YAML mapping of secrets."""
        value = self.entries(ref).get(ref.key)
        if not isinstance(value, str | int) or not str(value):
            raise SecretError(f"secret {ref.describe()}: no such key in the file")
        return str(value)


def site_secret_refs(site: Site, org: Organisation) -> list[SecretRef]:
    """Every secret that appears in a site's rendered config."""
    refs = [org.snmp.community]
    for uplink in (*site.legacy_lines, site.central_uplink, site.backup_uplink):
        if uplink is not None and isinstance(uplink.addressing, PppoeAddressing):
            refs.append(uplink.addressing.password)
    return refs


def mask_values(text: str, labels: dict[str, str]) -> str:
    """Replace secret values by their review placeholders (longest first).

    Examples:
        >>> mask_values("community s3cret RO", {"s3cret": "SECRET-SNMP"})
        'community SECRET-SNMP RO'
    """
    for value in sorted(labels, key=len, reverse=True):
        if value:
            text = text.replace(value, labels[value])
    return text


def redact(text: str, secrets: Iterable[str]) -> str:
    """Replace every secret value in ``text`` (longest first, so no partial leaks).

    Examples:
        >>> redact("snmp-server community s3cret RO", ["s3cret"])
        'snmp-server community ******** RO'
    """
    for value in sorted(set(secrets), key=len, reverse=True):
        if value:
            text = text.replace(value, "********")
    return text


MASK = "SECRET-MASKED"


def mask_patterns(text: str, patterns: Iterable[re.Pattern[str]]) -> str:
    """Mask every value a platform's secret patterns find (group ``secret``), whatever the
    environment holds: a config read back later is masked by what it says, not by what this
    machine happens to know. Values already masked are left alone.

    Examples:
        >>> pattern = re.compile(r"community (?P<secret>\\S+)")
        >>> mask_patterns("snmp-server community s3cret RO", [pattern])
        'snmp-server community SECRET-MASKED RO'
    """
    for pattern in patterns:

        def replace(match: re.Match[str]) -> str:
            value = match.group("secret")
            if value.startswith(("SECRET-", '"SECRET-')) or set(value) <= {"*"}:
                return match.group(0)
            start, end = match.span("secret")
            whole = match.group(0)
            offset = match.start(0)
            return whole[: start - offset] + MASK + whole[end - offset :]

        text = pattern.sub(replace, text)
    return text
