"""A plan: the exact commands that take one router from its running config to the intended
one, and the commands that would undo them. The engines that compute plans live in the
platform drivers (:mod:`netprov.platforms`).
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from netprov.models import Phase, Platform


def fingerprint(text: str) -> str:
    """Identity of a running config, to detect that a router changed since a plan."""
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class SitePlan:
    site_id: str
    platform: Platform
    phase: Phase
    running_fingerprint: str
    commands: list[str]
    undo: list[str]
    candidate: str | None = None  # IOS: the full config to ``configure replace`` with
    warnings: list[str] = field(default_factory=list)
    # what the router holds that clashes with the inventory: such a plan is never pushed
    conflicts: list[str] = field(default_factory=list)
    # what keeps the router from reverting the change by itself, or its checks from
    # proving it (RouterOS 7 device-mode without its scheduler, or without fetch): never
    # pushed either, read from the router before the push
    refusals: list[str] = field(default_factory=list)
    # what the undo cannot give back as it was: a failed check needs the platform's last
    # resort (RouterOS: the binary backup, a reboot)
    inexact: list[str] = field(default_factory=list)
    # the commands that take over objects the router already had (tag, align): `adopt`
    adopted: list[str] = field(default_factory=list)
    adopted_undo: list[str] = field(default_factory=list)
    # removals the router takes only after the main push, asking first (IOS: a dynamic NAT
    # rule with translations, which configure replace refuses): sent after it, while its
    # device-side revert still runs; they are among ``commands`` too, as shown
    after_push: list[str] = field(default_factory=list)
    # (before, after): the router's config and what it holds once the commands ran, secrets
    # masked, for a unified diff; computed only when a diff is shown (never in check's or
    # cutover's hot paths) and never saved
    preview: Callable[[], tuple[str, str]] | None = field(default=None, compare=False, repr=False)

    @property
    def changed(self) -> bool:
        return bool(self.commands)

    def adoption(self) -> SitePlan:
        """Only the takeover of objects the router already holds, and what the safe push
        itself needs there (``netprov adopt``)."""
        return dataclasses.replace(
            self,
            commands=list(self.adopted),
            undo=list(self.adopted_undo),
            candidate=None,
            after_push=[],
            preview=None,
        )

    def with_secrets(self, values: dict[str, str]) -> SitePlan:
        """The plan to push: each secret reference replaced by its value (longest first, so
        ``SECRET-A`` never eats the start of ``SECRET-AB``). Only a push calls this.

        Examples:
            >>> from netprov.models import Phase, Platform
            >>> cmd = ["community SECRET-C RO"]
            >>> p = SitePlan("s", Platform("cisco_ios"), Phase.DUAL, "", cmd, [])
            >>> p.with_secrets({"SECRET-C": "s3cret"}).commands
            ['community s3cret RO']
        """

        def resolve(text: str) -> str:
            for placeholder in sorted(values, key=len, reverse=True):
                text = text.replace(placeholder, values[placeholder])
            return text

        return dataclasses.replace(
            self,
            commands=[resolve(c) for c in self.commands],
            undo=[resolve(c) for c in self.undo],
            adopted=[resolve(c) for c in self.adopted],
            adopted_undo=[resolve(c) for c in self.adopted_undo],
            after_push=[resolve(c) for c in self.after_push],
            candidate=resolve(self.candidate) if self.candidate is not None else None,
            preview=None,
        )

    def as_dict(self, mask: Callable[[str], str]) -> dict[str, object]:
        """The plan as shown and saved, every line through ``mask`` (the platform driver's
        ``mask_secrets``: plans are built below the drivers, so the caller passes it). A saved
        plan is only a fingerprint and a promise; apply plans again before it pushes."""
        return {
            "site": self.site_id,
            "platform": self.platform.value,
            "phase": self.phase.value,
            "running_fingerprint": self.running_fingerprint,
            "commands": [mask(c) for c in self.commands],
            "undo": [mask(c) for c in self.undo],
            "candidate": mask(self.candidate) if self.candidate is not None else None,
            "changed": self.changed,
            "adopted": [mask(c) for c in self.adopted],
            "conflicts": list(self.conflicts),
            "refusals": list(self.refusals),
            "inexact": list(self.inexact),
            "warnings": list(self.warnings),
        }


def unified_diff(plan: SitePlan) -> str:
    """``plan.preview`` as a unified diff (empty when there is none).

    Examples:
        >>> from netprov.models import Phase, Platform
        >>> sides = lambda: ("a", "b")
        >>> p = SitePlan("s", Platform("cisco_ios"), Phase.DUAL, "", ["x"], [], preview=sides)
        >>> print(unified_diff(p))
        --- s (running)
        +++ s (dual)
        @@ -1 +1 @@
        -a
        +b
    """
    if plan.preview is None:
        return ""
    before, after = plan.preview()
    lines = difflib.unified_diff(
        before.splitlines(),
        after.splitlines(),
        f"{plan.site_id} (running)",
        f"{plan.site_id} ({plan.phase.value})",
        lineterm="",
    )
    return "\n".join(lines)
