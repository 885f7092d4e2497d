"""The journal's tables and the words stored in them: what a run is, what a site step is,
a stored backup, a site lock. Phases, steps and run states are enums (stored as their
names, so a journal stays readable with any SQL client); what a step found is structured
data (a JSON column), never parsed back out of its human-readable ``detail``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, DateTime, Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from netprov.models import Phase, Platform


class Step(StrEnum):
    """What happened to a site in a run, one journal row each."""

    BACKED_UP = "backed_up"  # its running config was stored (``detail``: the sha256)
    PLANNED = "planned"  # a change was computed (``diff``: the commands)
    APPLIED = "applied"  # the change was pushed, under the device-side revert
    VERIFIED = "verified"  # the checks ran (``data``: each check)
    CONFIRMED = "confirmed"  # the change was kept (``phase``: the phase it reached)
    REVERTED = "reverted"  # the device undid an unconfirmed change
    # netprov restored a backup (``ok``: byte-identical; ``phase``: the phase it holds now)
    ROLLED_BACK = "rolled_back"
    FAILED = "failed"  # the site's work stopped (``data``: its outcome, e.g. refused)
    SKIPPED = "skipped"  # nothing was tried (outside its window, no backup line)
    TOOK_OVER = "took_over"  # a resumed run took the site's lock over
    DRILLED = "drilled"  # a failover drill ran (``data``: each check)
    # a cutover found the router in another phase than the journal said (``phase``)
    RECONCILED = "reconciled"


# the steps that record the phase a router is in (``phase``, and ``data["phase"]`` on the
# two that may find it in none): the journal's phase of a site is the newest of them
PHASE_STEPS = (Step.CONFIRMED, Step.ROLLED_BACK, Step.RECONCILED)


class RunStatus(StrEnum):
    """How a run ended (``running`` while it runs, or if its process died)."""

    RUNNING = "running"
    DONE = "done"
    COMPLETED_WITH_FAILURES = "completed_with_failures"
    INTERRUPTED = "interrupted"
    CANCELLED = "cancelled"  # the operator answered no: nothing was pushed


STEPS = tuple(step.value for step in Step)


def _stored_as_value(enum: type[StrEnum], length: int) -> Enum:
    """An enum column holding each member's value in a plain VARCHAR (no database enum
    type, no constraint: older journals keep their column, and a new word needs no DDL)."""
    return Enum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
    )


class Base(DeclarativeBase):
    """The journal's SQLAlchemy metadata (the migrations build exactly these tables)."""


class RunRow(Base):
    """One netprov command run: who ran it, from which commit, with which options."""

    __tablename__ = "runs"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    command: Mapped[str] = mapped_column(String(40))
    phase: Mapped[Phase | None] = mapped_column(_stored_as_value(Phase, 20), nullable=True)
    user: Mapped[str] = mapped_column(String(80))
    change_id: Mapped[str | None] = mapped_column(String(80), nullable=True)
    git_commit: Mapped[str | None] = mapped_column(String(40), nullable=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    status: Mapped[RunStatus] = mapped_column(
        _stored_as_value(RunStatus, 30), default=RunStatus.RUNNING
    )
    # the command's options (JSON), for --resume
    params: Mapped[str] = mapped_column(Text, default="")


class StepRow(Base):
    """One step of one site in one run. ``detail`` is for people; ``phase`` and ``data``
    are what code reads back."""

    __tablename__ = "steps"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id"), index=True)
    site: Mapped[str] = mapped_column(String(80), index=True)
    step: Mapped[Step] = mapped_column(_stored_as_value(Step, 20))
    ok: Mapped[bool] = mapped_column(default=True)
    detail: Mapped[str] = mapped_column(Text, default="")
    diff: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    phase: Mapped[Phase | None] = mapped_column(
        _stored_as_value(Phase, 20), nullable=True, default=None
    )
    data: Mapped[Any] = mapped_column(JSON, nullable=True, default=None)


class BackupRow(Base):
    """A running config as stored (content-addressed by its sha256)."""

    __tablename__ = "backups"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    site: Mapped[str] = mapped_column(String(80), index=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id"))
    platform: Mapped[str] = mapped_column(String(40))
    taken_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    content: Mapped[str] = mapped_column(Text)


class LockRow(Base):
    """A site's lock: the one run allowed to change its router."""

    __tablename__ = "locks"
    site: Mapped[str] = mapped_column(String(80), primary_key=True)
    run_id: Mapped[str] = mapped_column(String(40))
    acquired_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    # who holds it: a lock whose process is gone (same host) can be taken over safely
    host: Mapped[str | None] = mapped_column(String(255), nullable=True, default=None)
    pid: Mapped[int | None] = mapped_column(Integer, nullable=True, default=None)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True, default=None
    )
    # one holding of the lock (a fresh token each time it is taken): two deliveries of one
    # run's site step (a broker's redelivery) are two holders, so the second sees the first;
    # None: a resumed run's, inherited and not yet held by any process
    holder: Mapped[str | None] = mapped_column(String(32), nullable=True, default=None)


@dataclass(frozen=True)
class Claim:
    """What came of asking for a site's lock. ``token``: this holding (None: refused, the
    lock is ``held_by`` a live run). ``took_from``: the run whose lock this holder took
    over (its process gone, or a resumed run's), whose change may still be armed."""

    token: str | None
    held_by: str | None = None
    took_from: str | None = None


@dataclass(frozen=True)
class Backup:
    """A stored running config, as the journal hands it out."""

    sha256: str
    site: str
    run_id: str
    platform: Platform
    taken_at: dt.datetime
    content: str


@dataclass(frozen=True)
class PhaseRecord:
    """The phase the journal last recorded a router in, and which step recorded it: a
    confirm, a restore (rollback or revert) or a cutover's reconciliation. ``phase`` None:
    the router held no phase's config as netprov renders it (a person must look)."""

    phase: Phase | None
    step: Step
    run_id: str
    at: dt.datetime

    @property
    def known(self) -> bool:
        """The router held one phase's config when this was recorded."""
        return self.phase is not None


def phase_recorded(row: StepRow) -> PhaseRecord | None:
    """What ``row`` says of its router's phase; None when it says nothing (not a phase
    step, or a restore journaled before restores recorded the phase)."""
    if row.step not in PHASE_STEPS:
        return None
    if row.phase is not None:
        return PhaseRecord(row.phase, row.step, row.run_id, row.at)
    if row.step is not Step.CONFIRMED and isinstance(row.data, dict) and "phase" in row.data:
        return PhaseRecord(None, row.step, row.run_id, row.at)
    return None
