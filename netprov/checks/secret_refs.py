"""Every secret reference resolved offline, before any router (``validate``, ``check``):
an unset variable, a missing or misspelt file, a misspelt key. The twin makes its secrets
up, so without this a broken reference is found by the first real push.

One problem per cause, at its first reference: an unset variable 82 sites use is one
line, a missing file one line for all its keys. No value is ever shown: messages name
variables, files and keys, never what they hold.

Where no secret store is at hand (a pull request's CI job), ``SecretMode.SKIP`` checks
the references by form only (the schema does) and says so; the job that pushes resolves
them (docs/ci/README.md).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from netprov.errors import InventoryError, Problem, SecretError, Severity
from netprov.inventory.loader import InventoryParts, LoadedInventory
from netprov.inventory.placed import part, uplinks
from netprov.inventory.sourcemap import Loc, Source
from netprov.models import PppoeAddressing, SecretRef
from netprov.secrets import EnvironmentSecrets, SecretMode
from netprov.suggest import closest, did_you_mean


@dataclass(frozen=True, slots=True)
class _Use:
    ref: SecretRef
    source: Source
    loc: Loc
    site: str | None  # None: the organisation's


@dataclass
class SecretCheck:
    """What resolving an inventory's secret references found."""

    mode: SecretMode
    references: int
    problems: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """The ``secrets`` entry of ``--json``."""
        return {"mode": self.mode.value, "references": self.references}

    @property
    def note(self) -> str:
        """A word for the summary line when the values were not looked at."""
        return "" if self.mode is SecretMode.RESOLVE else "secrets not resolved (--secrets skip)"


def unresolved(exc: InventoryError, mode: SecretMode) -> list[Problem]:
    """The secret references of an inventory that failed to load that do not resolve
    (its valid parts'): shown with its other problems, in the same round."""
    parts = exc.parts
    return check_secrets(parts, mode).problems if isinstance(parts, InventoryParts) else []


def check_secrets(
    loaded: LoadedInventory | InventoryParts,
    mode: SecretMode,
    environ: Mapping[str, str] | None = None,
) -> SecretCheck:
    """Resolve every secret reference of ``loaded`` (``environ``: the process's by
    default); a problem per variable, file or key that does not resolve."""
    uses = list(_uses(loaded))
    checked = SecretCheck(mode, len(uses))
    if mode is SecretMode.SKIP:
        return checked
    resolver = EnvironmentSecrets(loaded.root, dict(environ) if environ is not None else None)
    by_ref: dict[SecretRef, list[_Use]] = defaultdict(list)
    by_file: dict[Path, list[_Use]] = defaultdict(list)
    for use in uses:
        by_ref[use.ref].append(use)
        if use.ref.file is not None:
            by_file[resolver.path(use.ref)].append(use)
    broken_files: set[Path] = set()
    for ref, using in by_ref.items():
        path = resolver.path(ref) if ref.file is not None else None
        if path in broken_files:
            continue
        try:
            if resolver(ref):
                continue
            message, suggestion = f"secret {ref.describe()} is empty", None
        except SecretError as exc:
            if path is not None and (whole := _file_problem(resolver, ref, by_file[path])):
                broken_files.add(path)
                message, suggestion = whole
            else:
                message, suggestion = _explain(resolver, ref, using, exc)
        first = using[0]
        where = first.source.where(first.loc)
        checked.problems.append(Problem(Severity.ERROR, *where, message, suggestion))
    return checked


def _uses(loaded: LoadedInventory | InventoryParts) -> Iterator[_Use]:
    """Every reference and where it is written: the organisation's, then each site's
    (of a site that failed its schema, those it holds valid)."""
    org = loaded.organisation
    if loaded.organisation_source is not None and org is not None:
        community = org.snmp.community
        yield _Use(community, loaded.organisation_source, ("snmp", "community"), None)
    for placed in loaded.placed:
        site = placed.site
        password = part(site, "router", "credentials", "password")
        if isinstance(password, SecretRef):
            loc = placed.loc("router", "credentials", "password")
            yield _Use(password, placed.source, loc, site.id)
        for where, uplink in uplinks(site):
            addressing = part(uplink, "addressing")
            password = part(addressing, "password")
            if isinstance(addressing, PppoeAddressing) and isinstance(password, SecretRef):
                loc = placed.loc(*where, "addressing", "password")
                yield _Use(password, placed.source, loc, site.id)


def _users(using: list[_Use]) -> str:
    sites = {use.site for use in using if use.site is not None}
    if len(using) < 2:
        return ""
    org = " and the organisation" if any(use.site is None for use in using) else ""
    return f" (used by {len(sites)} sites{org})"


def _file_problem(
    resolver: EnvironmentSecrets, ref: SecretRef, using: list[_Use]
) -> tuple[str, str | None] | None:
    """Why the file of ``ref`` serves none of its references, if so: unreadable (with
    the file it probably is), or no YAML mapping where keys are asked of it."""
    written = Path(ref.file or "")
    count = f" ({len(using)} references)" if len(using) > 1 else ""
    try:
        resolver.read(ref)
    except SecretError as exc:
        cause = exc.__cause__
        reason = cause.strerror if isinstance(cause, OSError) else None
        message = f"secret file {written} cannot be read: {reason or 'not UTF-8 text'}{count}"
        path = resolver.path(ref)
        siblings = [p.name for p in path.parent.iterdir()] if path.parent.is_dir() else []
        guess = closest(path.name, siblings)
        if guess is None:
            return message, None
        better = str(written.parent / guess)
        return f"{message}; {did_you_mean(better, quoted=False)}", better
    if ref.key is None:
        return None
    try:
        resolver.entries(ref)
    except SecretError as exc:  # its words never quote the file
        return f"secret file {written}: {str(exc).rpartition(': ')[2]}{count}", None
    return None


def _explain(
    resolver: EnvironmentSecrets, ref: SecretRef, using: list[_Use], exc: SecretError
) -> tuple[str, str | None]:
    """A reference that does not resolve, in words that show no value."""
    if ref.env is not None and not resolver.environ.get(ref.env):
        message = f"secret env:{ref.env} is not set in this environment{_users(using)}"
        guess = closest(ref.env, {name for name, value in resolver.environ.items() if value})
        if guess is None:
            return message, None
        return f"{message}; {did_you_mean(guess, quoted=False)}", guess
    if ref.key is not None:
        entries = resolver.entries(ref)
        if ref.key not in entries:
            message = f"secret {ref.describe()}: no key {ref.key!r} in {ref.file}{_users(using)}"
            guess = closest(ref.key, {str(key) for key in entries})
            if guess is None:
                return message, None
            return f"{message}; {did_you_mean(guess)}", guess
        if not isinstance(entries[ref.key], str | int) or not str(entries[ref.key]):
            return f"secret {ref.describe()}: the entry of {ref.key!r} is empty or not text", None
    return f"{exc} (the value is not shown)", None
