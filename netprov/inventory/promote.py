"""``netprov promote``: move sites' desired phase in the inventory files, one phase at a time.

The inventory in git is the desired state, so a cutover step starts as an edit of it: a
reviewable diff of ``desired_phase`` lines and nothing else. The files are edited in place
with a round-trip YAML library (ruamel.yaml), which keeps comments, key order and flow
style; an edit that would touch any other line is refused rather than reformatting a
team's file.
"""

from __future__ import annotations

import datetime as dt
import difflib
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from netprov.errors import NetprovError, Problem, Severity
from netprov.inventory.crosscheck import cross_check
from netprov.inventory.loader import SITES_DIR, LoadedInventory
from netprov.inventory.placed import PlacedSite
from netprov.models import Phase, Site

PHASE_KEY = "desired_phase"
ORDER = list(Phase)


@dataclass(frozen=True)
class Promotion:
    """One site's desired phase, before and after."""

    site: str
    before: Phase
    after: Phase

    @property
    def changes(self) -> bool:
        return self.before is not self.after

    def as_dict(self) -> dict[str, str]:
        return {"site": self.site, "from": self.before.value, "to": self.after.value}


def plan_promotions(sites: Iterable[Site], target: Phase) -> tuple[list[Promotion], list[str]]:
    """Each site's step to ``target``, and a refusal for each site that would skip a phase
    (the lockout guard's rule: every phase's checks run before the next one's change).

    Examples:
        >>> from types import SimpleNamespace as S
        >>> steps, refused = plan_promotions([S(id="a", desired_phase=Phase.LEGACY)], Phase.CENTRAL)
        >>> refused
        ['a: legacy -> central skips dual; promote to dual first']
    """
    steps, refused = [], []
    for site in sites:
        before = site.desired_phase
        gap = ORDER.index(target) - ORDER.index(before)
        if abs(gap) > 1:
            between = ORDER[min(ORDER.index(before), ORDER.index(target)) + 1]
            refused.append(
                f"{site.id}: {before.value} -> {target.value} skips {between.value}; "
                f"promote to {ORDER[ORDER.index(before) + (1 if gap > 0 else -1)].value} first"
            )
        steps.append(Promotion(site.id, before, target))
    return steps, refused


def _yaml() -> YAML:
    yaml = YAML()  # round-trip: comments, order and flow style survive
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=2, offset=0)
    yaml.width = 4096
    return yaml


def _insert_position(mapping: Any) -> int:
    """Right after ``wave`` (the other rollout field), else after ``kind``, else at the end."""
    keys = list(mapping)
    for anchor in ("wave", "kind"):
        if anchor in keys:
            return keys.index(anchor) + 1
    return len(keys)


def edited_files(root: Path, steps: Sequence[Promotion]) -> dict[Path, tuple[str, str]]:
    """The site files that change, as (old text, new text); only phase lines differ."""
    wanted = {step.site: step.after for step in steps if step.changes}
    edits: dict[Path, tuple[str, str]] = {}
    yaml = _yaml()
    for path in sorted((root / SITES_DIR).glob("*.y*ml")):
        old = path.read_text(encoding="utf-8")
        document = yaml.load(old)
        touched = False
        for mapping in (document or {}).get("sites") or []:
            phase = wanted.get(str(mapping.get("id")))
            if phase is None:
                continue
            if PHASE_KEY in mapping:
                mapping[PHASE_KEY] = phase.value
            else:
                mapping.insert(_insert_position(mapping), PHASE_KEY, phase.value)
            touched = True
        if not touched:
            continue
        buffer = io.StringIO()
        yaml.dump(document, buffer)
        new = buffer.getvalue()
        _only_phase_lines(path, old, new)
        edits[path] = (old, new)
    return edits


def _only_phase_lines(path: Path, old: str, new: str) -> None:
    for line in difflib.ndiff(old.splitlines(), new.splitlines()):
        if line[:2] in ("- ", "+ ") and not line[2:].lstrip().startswith(f"{PHASE_KEY}:"):
            raise NetprovError(
                f"{path}: promoting would also rewrite {line[2:].strip()!r}; "
                f"edit {PHASE_KEY} by hand in this file"
            )


def promotion_problems(
    loaded: LoadedInventory, steps: Sequence[Promotion], today: dt.date | None = None
) -> list[Problem]:
    """The errors the inventory would have with the promoted phases (the cross-checks that
    read a site's phase): checked before Nautobot is written to, as a YAML promotion
    validates its edited copy."""
    wanted = {step.site: step.after for step in steps if step.changes}
    placed = [
        PlacedSite(
            p.site.model_copy(update={"desired_phase": wanted[p.site.id]}), p.source, p.index
        )
        if p.site.id in wanted
        else p
        for p in loaded.placed
    ]
    checked = cross_check(
        loaded.organisation, loaded.organisation_source, placed, today or dt.date.today()
    )
    return [
        Problem(f.severity, *f.source.where(f.loc), f.message)
        for f in checked.findings
        if f.severity is Severity.ERROR
    ]
