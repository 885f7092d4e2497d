"""The journal: every run, every site step, every backup, and per-site locks, in SQL.

SQLite under ``.netprov/`` by default; any SQLAlchemy URL (e.g. PostgreSQL) works the same.
Backups are content-addressed (sha256) and also written as plain files under a backups
folder that can be kept in git, one file per site, as Oxidized does.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import os
import secrets
import socket
import subprocess
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from netprov.models import Phase, Platform
from netprov.state.journal_rows import (
    PHASE_STEPS,
    STEPS,
    Backup,
    BackupRow,
    Base,
    Claim,
    LockRow,
    PhaseRecord,
    RunRow,
    RunStatus,
    Step,
    StepRow,
    phase_recorded,
)
from netprov.state.journal_store import SCHEMA_HEAD, open_engine
from netprov.state.sealed import Sealer, load_key

# what the rest of netprov imports from here
__all__ = [
    "PHASE_STEPS",
    "SCHEMA_HEAD",
    "STEPS",
    "Backup",
    "BackupRow",
    "Base",
    "Claim",
    "Journal",
    "LockRow",
    "PhaseRecord",
    "RunRow",
    "RunStatus",
    "Step",
    "StepRow",
    "phase_recorded",
]

DEFAULT_URL = "sqlite:///.netprov/state.db"
# A lock from another host is stale after this long without a heartbeat (its holder beats
# every LockKeeper.INTERVAL while it holds it): twice the time after which a holder that
# cannot beat stops pushing and confirming (netprov.state.lock_heartbeat.FENCE), so a holder cut off
# from the journal has stood still for minutes before anyone else may take its site.
STALE_AFTER = dt.timedelta(minutes=10)


_keying = threading.Lock()


def _stale(row: LockRow, silent_for: dt.timedelta) -> bool:
    """The lock's run is gone: its process (this host) or its heartbeat (another host)."""
    return _process_gone(row.host, row.pid) or _silent(row, silent_for)


def _silent(row: LockRow, silent_for: dt.timedelta) -> bool:
    """A lock held from another host whose run has journaled nothing for ``silent_for``."""
    if row.host == socket.gethostname():
        return False  # this host can ask the kernel instead
    last = row.heartbeat_at or row.acquired_at
    if last.tzinfo is None:  # SQLite hands back naive UTC
        last = last.replace(tzinfo=dt.UTC)
    return _now() - last > silent_for


def _process_gone(host: str | None, pid: int | None) -> bool:
    """True only when the holder ran on this host and its process no longer exists."""
    if host != socket.gethostname() or pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, someone else's
    return False


def _utc(moment: dt.datetime) -> dt.datetime:
    """A journal time as an aware one (SQLite hands UTC back without its zone)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _git_commit(path: Path) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(path), "rev-parse", "HEAD"],  # noqa: S607 - git from PATH
            capture_output=True,
            text=True,
            check=False,
            timeout=5,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


class Journal:
    """The journal of one city's runs (any SQLAlchemy URL; SQLite by default), with the
    backups folder its backups are also written to as plain files."""

    def __init__(
        self, url: str | None = None, backups_dir: Path = Path("backups"), *, create: bool = True
    ) -> None:
        chosen = url or os.environ.get("NETPROV_DB")
        self.engine = open_engine(chosen or DEFAULT_URL, create=create, default=chosen is None)
        self.backups_dir = backups_dir
        self._sealer: Sealer | None = None
        database = self.engine.url.database
        self._key_file = (
            Path(database).parent / "backup.key"
            if self.engine.url.get_backend_name() == "sqlite"
            and database not in (None, "", ":memory:")
            else Path(".netprov/backup.key")
        )

    @property
    def sealer(self) -> Sealer:
        """The backup cipher, keyed on first use (reading runs never needs the key)."""
        with _keying:
            if self._sealer is None:
                self._sealer = Sealer(load_key(self._key_file))
            return self._sealer

    # --- runs ------------------------------------------------------------------------

    def start_run(
        self,
        command: str,
        *,
        phase: Phase | None = None,
        change_id: str | None = None,
        inventory: Path = Path("inventory"),
        params: str = "",
    ) -> str:
        """Journal a new run of ``command`` (its phase, change reference, the inventory's
        git commit, its options as JSON for ``--resume``); its id."""
        run_id = _now().strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3)
        with Session(self.engine) as session:
            session.add(
                RunRow(
                    id=run_id,
                    command=command,
                    phase=phase,
                    user=getpass.getuser(),
                    change_id=change_id,
                    git_commit=_git_commit(inventory),
                    started_at=_now(),
                    status=RunStatus.RUNNING,
                    params=params,
                )
            )
            session.commit()
        return run_id

    def finish_run(self, run_id: str, status: RunStatus) -> None:
        """Record how the run ended."""
        with Session(self.engine) as session:
            run = session.get(RunRow, run_id)
            if run is not None:
                run.status = RunStatus(status)
                run.finished_at = _now()
                session.commit()

    def step(
        self,
        run_id: str,
        site: str,
        step: Step,
        *,
        ok: bool = True,
        detail: str = "",
        diff: str = "",
        phase: Phase | None = None,
        data: Any = None,
    ) -> None:
        """Journal one step of ``site`` in the run: ``detail`` for people, ``phase`` (the
        phase a confirmed step reached) and ``data`` (JSON: checks, an outcome) for code.
        Also the lock's heartbeat, in the same transaction."""
        with Session(self.engine) as session:
            now = _now()
            row = StepRow(
                run_id=run_id,
                site=site,
                step=step,
                ok=ok,
                detail=detail,
                diff=diff,
                phase=phase,
                data=data,
            )
            row.at = now
            session.add(row)
            # the run is alive: its lock's heartbeat, in the same transaction as the step
            session.execute(
                update(LockRow)
                .where(LockRow.site == site, LockRow.run_id == run_id)
                .values(heartbeat_at=now)
            )
            session.commit()

    def run_commands(self) -> dict[str, str]:
        """Every run's command by run id (one query: the report classifies every step)."""
        with Session(self.engine) as session:
            rows = session.execute(select(RunRow.id, RunRow.command))
            return {row.id: row.command for row in rows}

    def runs(self, limit: int = 50) -> list[RunRow]:
        """The last ``limit`` runs, newest first."""
        with Session(self.engine) as session:
            return list(
                session.scalars(select(RunRow).order_by(RunRow.started_at.desc()).limit(limit))
            )

    def run_status(self, run_id: str) -> RunStatus | None:
        """How ``run_id`` stands (``running`` while it runs); None for an unknown id."""
        with Session(self.engine) as session:
            return session.scalar(select(RunRow.status).where(RunRow.id == run_id))

    def run(self, run_id: str) -> tuple[RunRow | None, list[StepRow]]:
        """One run and its steps in order (None and no steps for an unknown id)."""
        with Session(self.engine) as session:
            run = session.get(RunRow, run_id)
            steps = list(
                session.scalars(
                    select(StepRow).where(StepRow.run_id == run_id).order_by(StepRow.id)
                )
            )
            return run, steps

    def steps_of_kind(self, step: Step) -> list[StepRow]:
        """Every step of one kind, oldest first (the report's progress over time)."""
        with Session(self.engine) as session:
            return list(
                session.scalars(select(StepRow).where(StepRow.step == step).order_by(StepRow.id))
            )

    def steps_for(self, site: str) -> list[StepRow]:
        """Every step of ``site`` in every run, oldest first."""
        with Session(self.engine) as session:
            return list(
                session.scalars(select(StepRow).where(StepRow.site == site).order_by(StepRow.id))
            )

    # --- backups ----------------------------------------------------------------------

    def store_backup(
        self,
        run_id: str,
        site: str,
        platform: Platform,
        content: str,
        *,
        file_content: str | None = None,
    ) -> Backup:
        """Keep ``content`` in the journal; write ``file_content`` (secrets masked) for git."""
        sha = hashlib.sha256(content.encode()).hexdigest()
        taken = _now()
        with Session(self.engine) as session:
            session.add(
                BackupRow(
                    sha256=sha,
                    site=site,
                    run_id=run_id,
                    platform=platform,
                    taken_at=taken,
                    content=self.sealer.seal(content),
                )
            )
            session.commit()
        self.backups_dir.mkdir(parents=True, exist_ok=True)
        text = content if file_content is None else file_content
        (self.backups_dir / f"{site}.cfg").write_text(text, encoding="utf-8")
        return Backup(sha, site, run_id, platform, taken, content)

    def backup(
        self, site: str, *, run_id: str | None = None, before_run: str | None = None
    ) -> Backup | None:
        """The pre-change backup of ``run_id``, the last before ``before_run``, or the latest."""
        with Session(self.engine) as session:
            query = select(BackupRow).where(BackupRow.site == site)
            if run_id is not None:
                query = query.where(BackupRow.run_id == run_id)
            if before_run is not None:
                started = session.scalar(select(RunRow.started_at).where(RunRow.id == before_run))
                if started is None:
                    return None
                query = query.where(BackupRow.taken_at < started)
            # within one run the first backup is the one taken before the change
            order = BackupRow.id.asc() if run_id is not None else BackupRow.id.desc()
            row = session.scalars(query.order_by(order).limit(1)).first()
            if row is None:
                return None
            content = self.sealer.open(row.content, what=f"the backup of {site} (run {row.run_id})")
            return Backup(
                row.sha256, row.site, row.run_id, Platform(row.platform), row.taken_at, content
            )

    def confirmed_phase(self, site: str) -> str | None:
        """The phase the journal last recorded ``site``'s router in (see
        :meth:`phase_record`); None when it recorded none, or found it in none. A hint:
        the router has the last word."""
        record = self.phase_record(site)
        return record.phase.value if record is not None and record.phase is not None else None

    def phase_record(self, site: str, *, until: dt.datetime | None = None) -> PhaseRecord | None:
        """The newest record of the phase ``site``'s router is in: a confirm, a restore
        (a rollback, a failed change reverted) or a cutover's reconciliation, whichever
        came last (``until``: last at that time); None before any."""
        with Session(self.engine) as session:
            rows = session.scalars(
                select(StepRow)
                .where(StepRow.site == site, StepRow.step.in_(PHASE_STEPS))
                .order_by(StepRow.id.desc())
            )
            for row in rows:
                if until is not None and _utc(row.at) > _utc(until):
                    continue
                record = phase_recorded(row)
                if record is not None:
                    return record
        return None

    def last_step(self, site: str) -> StepRow | None:
        """The newest step of ``site`` (None before anything was done to it)."""
        with Session(self.engine) as session:
            return session.scalars(
                select(StepRow).where(StepRow.site == site).order_by(StepRow.id.desc()).limit(1)
            ).first()

    def last_change_run(self, site: str, *, restores: bool = False) -> str | None:
        """The run that last applied a change to ``site`` (with ``restores``, or restored
        a backup on it)."""
        kinds = [Step.APPLIED, Step.ROLLED_BACK] if restores else [Step.APPLIED]
        with Session(self.engine) as session:
            return session.scalar(
                select(StepRow.run_id)
                .where(StepRow.site == site, StepRow.step.in_(kinds))
                .order_by(StepRow.id.desc())
                .limit(1)
            )

    # --- locks ------------------------------------------------------------------------

    def lock(self, site: str, run_id: str) -> str | None:
        """Take the site's lock for ``run_id`` if it is free: this holding's token, or None
        when any holder has it (see :meth:`claim`, which also takes a dead holder's)."""
        token = secrets.token_hex(16)
        try:
            with Session(self.engine) as session:
                session.add(
                    LockRow(
                        site=site,
                        run_id=run_id,
                        acquired_at=_now(),
                        host=socket.gethostname(),
                        pid=os.getpid(),
                        heartbeat_at=_now(),
                        holder=token,
                    )
                )
                session.commit()
        except IntegrityError:
            return None
        return token

    def claim(self, site: str, run_id: str, *, silent_for: dt.timedelta = STALE_AFTER) -> Claim:
        """The site's lock for one holder of ``run_id``, decided by the journal alone (not
        by whoever delivered the work): free, it is taken; held by a process that is gone
        (this host: the kernel says so; another host: no heartbeat for ``silent_for``) or
        inherited by a resume, it is taken over (``took_from``); held by a live holder,
        even one of this same run (a task delivered twice), it is refused (``held_by``).
        A takeover is a compare-and-swap on the old holder, so two claimants never both
        win."""
        for _ in range(3):  # a row appears or changes between our read and our write
            token = self.lock(site, run_id)
            if token is not None:
                return Claim(token)
            with Session(self.engine) as session:
                row = session.get(LockRow, site)
                if row is None:
                    continue
                inherited = row.run_id == run_id and row.holder is None
                if not inherited and not _stale(row, silent_for):
                    return Claim(None, held_by=row.run_id)
                token, old_run, old_holder = secrets.token_hex(16), row.run_id, row.holder
                swapped = session.execute(
                    update(LockRow)
                    .where(
                        LockRow.site == site,
                        LockRow.run_id == old_run,
                        LockRow.holder.is_(None)
                        if old_holder is None
                        else LockRow.holder == old_holder,
                    )
                    .values(
                        run_id=run_id,
                        acquired_at=_now(),
                        heartbeat_at=_now(),
                        host=socket.gethostname(),
                        pid=os.getpid(),
                        holder=token,
                    )
                )
                session.commit()
                if swapped.rowcount == 1:  # type: ignore[attr-defined]
                    return Claim(token, took_from=old_run)
        return Claim(None, held_by=self.lock_holder(site))

    def beat(self, tokens: set[str]) -> set[str]:
        """The heartbeat of the locks held as ``tokens``, refreshed now; the tokens still
        holding their lock (a token missing was taken over: its holder must stop)."""
        if not tokens:
            return set()
        with Session(self.engine) as session:
            session.execute(
                update(LockRow).where(LockRow.holder.in_(tokens)).values(heartbeat_at=_now())
            )
            held = set(session.scalars(select(LockRow.holder).where(LockRow.holder.in_(tokens))))
            session.commit()
        return {token for token in held if token is not None}

    def unlock(self, site: str, run_id: str, token: str | None = None) -> None:
        """Release the lock of ``site`` if ``run_id`` holds it (another run's is left);
        with ``token``, only that holding's (another holder of the same run keeps it)."""
        with Session(self.engine) as session:
            row = session.get(LockRow, site)
            if row is None or row.run_id != run_id:
                return
            if token is not None and row.holder != token:
                return
            session.delete(row)
            session.commit()

    def run_alive(self, run_id: str) -> bool:
        """Whether a process still holds ``run_id``'s locks (resuming it would race it)."""
        with Session(self.engine) as session:
            rows = list(session.scalars(select(LockRow).where(LockRow.run_id == run_id)))
        return any(not _stale(row, STALE_AFTER) for row in rows)

    def take_over(self, old_run: str, new_run: str) -> list[str]:
        """Resume: the new run takes the locks an interrupted run left; that run is closed."""
        with Session(self.engine) as session:
            rows = list(session.scalars(select(LockRow).where(LockRow.run_id == old_run)))
            for row in rows:
                row.run_id, row.holder = new_run, None  # inherited, held by nobody yet
            run = session.get(RunRow, old_run)
            if run is not None and run.status == RunStatus.RUNNING:
                run.status = RunStatus.INTERRUPTED
                run.finished_at = _now()
            session.commit()
            return [row.site for row in rows]

    def force_unlock(self, site: str, run_id: str) -> bool:
        """A person releases a lock (``netprov unlock``); only the named run's."""
        with Session(self.engine) as session:
            row = session.get(LockRow, site)
            if row is None or row.run_id != run_id:
                return False
            session.delete(row)
            session.commit()
            return True

    def lock_holder(self, site: str) -> str | None:
        """The run holding the lock of ``site``, if any."""
        with Session(self.engine) as session:
            row = session.get(LockRow, site)
            return row.run_id if row else None
