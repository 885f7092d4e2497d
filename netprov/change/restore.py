"""Rollback: a stored backup restored on purpose, through the safe change pipeline.

Which backup (:func:`chosen_backup`: the one taken before the site's last change, a named
run's, or the last before a run) is decided from the journal alone, so ``netprov rollback``
names each router and the backup it restores before it asks. The restore itself backs up
what the router holds first (nothing is lost), proves the router holds the backup after,
and journals the phase whose config it now holds: the journal's phase is the router's.
"""

from __future__ import annotations

from netprov.change.outcome import Outcome, Status
from netprov.change.pipeline import Pipeline, phase_fields
from netprov.errors import DeviceError
from netprov.models import Phase, Site
from netprov.said import error_reason
from netprov.state.journal import Backup, Journal
from netprov.state.journal_rows import Step


def chosen_backup(
    journal: Journal, site_id: str, *, run_id: str | None = None, before_run: str | None = None
) -> Backup | str:
    """The backup a rollback of ``site_id`` restores: of ``run_id``, the last before
    ``before_run``, or the one taken before the site's last change; else why there is none."""
    if run_id is None and before_run is None:
        run_id = journal.last_change_run(site_id)
        if run_id is None:
            return "no change of this site in the journal"
    backup = journal.backup(site_id, run_id=run_id, before_run=before_run)
    return backup if backup is not None else "no such backup in the journal"


def backup_phase(journal: Journal, backup: Backup) -> str:
    """The phase the router was in when ``backup`` was taken, as the journal recorded it
    then (legacy: never changed before), so a rollback says where it takes a router."""
    record = journal.phase_record(backup.site, until=backup.taken_at)
    if record is None:
        return Phase.LEGACY.value
    return record.phase.value if record.phase is not None else "no phase netprov renders"


def taken(backup: Backup) -> str:
    """When ``backup`` was taken, as the journal keeps it (UTC)."""
    return f"{backup.taken_at:%Y-%m-%d %H:%M} UTC"


def restore(pipeline: Pipeline, site: Site, backup: Backup) -> Outcome:
    """Restore ``backup`` on the site's router, holding its lock, and show the running
    config equals it afterwards."""

    def work(_: bool) -> Outcome:  # a restore replaces whatever is armed: nothing to settle
        try:
            session = pipeline.session(site)
            try:
                pipeline.guard(site, session)
                before = pipeline.store_running(site, session)  # nothing is lost
                pipeline.journal.step(
                    pipeline.run_id, site.id, Step.BACKED_UP, detail=before.sha256
                )
                session.restore(backup.content, change_id=backup.run_id)
            finally:
                pipeline.release(site, session)
            identical, held = pipeline.after_restore(site, backup)
            session = pipeline.session(site, attempts=pipeline.reconnect_attempts)
            try:
                pipeline.store_running(site, session)  # the evidence's "after", git's latest
            finally:
                pipeline.release(site, session)
        except DeviceError as exc:
            return pipeline.fail(site, Status.FAILED, error_reason(exc))
        return _restored(pipeline, site, backup, identical, held)

    return pipeline.under_lock(site, work)


def _restored(
    pipeline: Pipeline, site: Site, backup: Backup, identical: bool, held: Phase | None
) -> Outcome:
    pipeline.journal.step(
        pipeline.run_id,
        site.id,
        Step.ROLLED_BACK,
        ok=identical,
        detail=f"to backup {backup.sha256[:12]} of run {backup.run_id} ({taken(backup)}); "
        + ("identical" if identical else "DIFFERS")
        + f"; router in {held.value if held else 'no phase netprov renders'}",
        **phase_fields(held, backup_run=backup.run_id, backup_taken_at=taken(backup)),
    )
    return Outcome(
        site.id,
        Status.RESTORED if identical else Status.FAILED,
        restored_identical=identical,
        detail=f"restored backup of run {backup.run_id}; router in "
        + (held.value if held else "no phase netprov renders"),
    )
