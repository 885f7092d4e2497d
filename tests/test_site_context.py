"""Issue 41 (3): a site's fixed facts (its platform driver, its uplink views, its intended
config) are resolved once per site and handed to the pipeline, verify, the management
lockout guard and lint, which no longer look them up again each."""

from __future__ import annotations

import ast
import datetime as dt
import sys
from collections import Counter
from pathlib import Path
from types import FrameType

import pytest

from netprov import platforms
from netprov.change.outcome import Status
from netprov.inventory.loader import load_inventory
from netprov.models import Phase, Platform
from netprov.phases import Role
from netprov.platforms import Driver
from netprov.rollout.cutover import cutover_site
from netprov.state.journal import Journal
from netprov.twin.pytest_plugin import TwinFactory
from tests.conftest import SAMPLE, TODAY
from tests.test_pipeline import make_pipeline

SITES = ["kel-hegarsari", "setda"]  # mikrotik_routeros, cisco_ios
TUESDAY_2AM = dt.datetime(2026, 11, 24, 2)  # inside both offices' maintenance windows
# Modules (or packages) that look a driver up by platform on their own, not per site: a
# session (one per connection), the renderer (per render), the twin (the routers).
OWN_LOOKUPS = {"device", "render", "twin", "sim"}


def _module(frame: FrameType) -> list[str]:
    """The dotted parts of the name of ``frame``'s module (wherever a package puts it)."""
    return str(frame.f_globals["__name__"]).split(".")


class _Counted(dict[Platform, Driver]):
    """The driver registry, counting each lookup by the module that asked for it."""

    def __init__(self, drivers: dict[Platform, Driver], seen: Counter[str]) -> None:
        super().__init__(drivers)
        self.seen = seen

    def __getitem__(self, platform: Platform) -> Driver:
        frame: FrameType | None = sys._getframe(2)  # past driver_for: who asked
        asker = _module(frame)[-1] if frame else "?"
        while frame is not None:
            if OWN_LOOKUPS & set(_module(frame)):
                break
            frame = frame.f_back
        else:
            self.seen[asker] += 1
        return super().__getitem__(platform)


@pytest.mark.twin
@pytest.mark.parametrize("site_id", SITES)
def test_a_cutover_looks_the_site_driver_up_once(
    twin_factory: TwinFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, site_id: str
) -> None:
    """legacy -> dual -> central on the twin: two pushes, the lockout guard on each plan,
    every check of both phases; the site's driver is looked up once, for its context."""
    twin = twin_factory([site_id])
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "b")
    pipeline = make_pipeline(twin, journal)
    site = pipeline.loaded.site(site_id)
    seen: Counter[str] = Counter()
    monkeypatch.setattr(platforms, "DRIVERS", _Counted(platforms.DRIVERS, seen))
    outcome = cutover_site(pipeline, site, Phase.CENTRAL, TUESDAY_2AM)
    assert outcome.status is Status.CONFIRMED, outcome.as_dict()
    assert outcome.detail == "legacy -> central"
    assert dict(seen) == {"site_context": 1}


def _imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)} | {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }


def test_the_lockout_guard_takes_the_uplinks_from_the_context_not_from_lint() -> None:
    """The management lockout guard and lint are peers: the uplinks a config has come from
    the module that owns uplink views, through the site's context."""
    from netprov.checks import lockout_guard
    from netprov.checks.lockout_guard import rehearse
    from netprov.checks.site_context import SiteContext

    assert not [
        m for m in _imported(Path(lockout_guard.__file__)) if m.rpartition(".")[2] == "lint"
    ]
    loaded = load_inventory(SAMPLE, today=TODAY)
    site = loaded.site("setda")
    context = SiteContext.build(site, loaded.organisation, loaded.allocations.get(site.id))
    legacy = context.intended(Phase.LEGACY)
    assert context.uplinks_in(legacy) == {Role.LEGACY, Role.BACKUP}  # setda has a backup line
    assert Role.CENTRAL in context.uplinks_in(context.intended(Phase.DUAL))
    plan = context.driver.plan(site.id, Phase.DUAL, legacy, context.intended(Phase.DUAL))
    assert plan.changed
    assert rehearse(context, legacy, plan).lockout is None
