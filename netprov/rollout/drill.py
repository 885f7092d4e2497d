"""The failover drill: prove that an office keeps working on its backup line.

Seed 001 (DOMAIN.md): the offices whose backup line worked kept working when the primary
failed; the others were down for a day. A backup line nobody has tried is a guess. The drill
takes the primary uplink down through the safe change pipeline's device-side net (the router
restores itself if the session is lost), expects the LAN's traffic on the backup line within
a bound, brings the primary back, expects traffic back on it, and proves the config is
exactly what it was. Any surprise ends the drill early, primary restored. Inside maintenance
windows only, journaled like any run.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import time
from collections.abc import Callable

from netprov.change.outcome import Outcome, Status
from netprov.change.pipeline import Pipeline, revert_window
from netprov.checks.results import Check
from netprov.checks.site_context import SiteContext
from netprov.checks.verify import PingPolicy, ping_check
from netprov.errors import DeviceError
from netprov.phases import Role, UplinkView
from netprov.platforms import ChangeMarker, Session
from netprov.rollout.cutover import actual_phase, skipped_outside_window
from netprov.said import CheckId, Params, PhraseId, ReasonId, Said, error_reason, role
from netprov.state.journal_rows import Step


def _carries(session: Session, ctx: SiteContext, view: UplinkView) -> Check:
    site, driver, settings = ctx.site, ctx.driver, ctx.org.settings
    policy = PingPolicy(
        settings.ping_count, settings.max_loss_for(site.kind), source=str(site.lan.address.ip)
    )
    gateway = driver.read_default_gateway(session.send(driver.routes_command()))
    expected = driver.expected_default_gateway(view)
    route_ok = gateway == expected if expected is not None else gateway != "none"
    ping = ping_check(session, driver, Said(CheckId.PROBE), str(view.probe), policy)
    assert ping.words is not None  # said by id
    seen: Params = {"gateway": gateway, "probe": str(view.probe), "replies": ping.words.observed}
    name = Said(CheckId.DRILL_TRAFFIC, {"role": role(view.role.value), "interface": view.l3})
    answers = Said(PhraseId.PROBE_ANSWERS, {"gateway": expected or view.l3})
    return Check.of(name, answers, Said(PhraseId.DRILL_SEEN, seen), route_ok and ping.ok)


def _within(
    probe: Callable[[], Check], bound: float, *, pause: float, clock: Callable[[], float]
) -> Check:
    """``probe`` until it passes or ``bound`` seconds pass; the last result, timed."""
    started = clock()
    while True:
        check = probe()
        elapsed = clock() - started
        if check.ok or elapsed >= bound:
            words = check.words
            assert words is not None  # _carries says its checks by id
            seconds = f"{elapsed:.0f}" if check.ok else f"{bound:.0f}"
            when: Params = {"seconds": seconds, "seen": words.observed}
            within: Params = {"expected": words.expected, "seconds": f"{bound:.0f}"}
            return Check.of(
                words.name,
                Said(PhraseId.WITHIN, within),
                Said(PhraseId.AFTER if check.ok else PhraseId.NOT_WITHIN, when),
                check.ok,
            )
        time.sleep(pause)


def drill_site(
    pipeline: Pipeline,
    site_id: str,
    now: dt.datetime,
    *,
    pause: float = 2.0,
    clock: Callable[[], float] = time.monotonic,
) -> Outcome:
    site = pipeline.loaded.site(site_id)
    journal = pipeline.journal
    skipped = skipped_outside_window(pipeline, site, now)
    if skipped is not None:
        return skipped
    if site.backup_uplink is None:
        journal.step(pipeline.run_id, site.id, Step.SKIPPED, detail="no backup line to drill")
        return Outcome(site.id, Status.SKIPPED, detail="no backup line to drill")

    def work(_: bool) -> Outcome:  # a drill changes nothing it does not put back itself
        try:
            return _drill_locked(pipeline, site_id, pause=pause, clock=clock)
        except DeviceError as exc:
            return pipeline.fail(site, Status.FAILED, error_reason(exc))

    return pipeline.under_lock(site, work)


def _drill_locked(
    pipeline: Pipeline, site_id: str, *, pause: float, clock: Callable[[], float]
) -> Outcome:
    site = pipeline.loaded.site(site_id)
    org = pipeline.loaded.organisation
    journal = pipeline.journal
    phase = actual_phase(pipeline, site)
    if phase is None:
        return pipeline.fail(site, Status.FAILED, Said(ReasonId.NO_PHASE_NOT_DRILLED))
    ctx = pipeline.context(site)
    views = ctx.uplinks(phase)
    primary = views[0]
    backup_line = next(v for v in views if v.role is Role.BACKUP)
    bound = float(org.settings.drill_failover_seconds)
    driver = ctx.driver
    session = pipeline.session(site)
    try:
        pipeline.guard(site, session)
        saved = pipeline.backup(site, session)
        outage = driver.outage_plan(site.id, phase, saved.content, primary)
        session.mark(ChangeMarker.here(pipeline.run_id))
        # the router restores itself if the session is lost, never before the drill is over
        window = max(
            revert_window(pipeline.revert_minutes, len(outage.commands), session.reply_seconds),
            math.ceil((2 * bound + 60) / 60),
        )
        session.apply(outage, revert_minutes=window)
        journal.step(
            pipeline.run_id,
            site.id,
            Step.APPLIED,
            detail=f"drill: {primary.role.value} line {primary.l3} taken down",
            diff="\n".join(outage.commands),
        )
        on_backup = _within(
            lambda: _carries(session, ctx, backup_line),
            bound,
            pause=pause,
            clock=clock,
        )
        session.undo(outage)  # whatever happened: the primary comes back
        session.unmark()
        journal.step(
            pipeline.run_id,
            site.id,
            Step.REVERTED,
            detail=f"drill over: {primary.role.value} line {primary.l3} back up",
        )
        back = _within(lambda: _carries(session, ctx, primary), bound, pause=pause, clock=clock)
    finally:
        session.close()
    identical = pipeline.matches_backup(site, saved)
    checks = [
        on_backup,
        back,
        Check.of(
            Said(CheckId.DRILL_CONFIG),
            Said(PhraseId.IDENTICAL_TO_BACKUP),
            Said(PhraseId.IDENTICAL if identical else PhraseId.DIFFERS),
            identical,
        ),
    ]
    ok = all(c.ok for c in checks)
    found = [c.as_dict() for c in checks]
    journal.step(
        pipeline.run_id, site.id, Step.DRILLED, ok=ok, detail=json.dumps(found), data=found
    )
    failed = "; ".join(f"{c.name}: {c.observed}" for c in checks if not c.ok)
    return Outcome(
        site.id,
        Status.DRILLED if ok else Status.FAILED,
        checks=checks,
        detail=failed,
        restored_identical=identical,
    )
