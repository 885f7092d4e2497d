"""The journal: every run, every site step, every backup, and per-site locks, in SQL.

SQLite under ``.netprov/`` by default; any SQLAlchemy URL (e.g. PostgreSQL) works the same.
Backups are content-addressed (sha256) and also written as plain files under a backups
folder that can be kept in git, one file per site, as Oxidized does.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import getpass
import hashlib
import os
import secrets
import socket
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Connection,
    DateTime,
    Engine,
    ForeignKey,
    Integer,
    String,
    Text,
    create_engine,
    event,
    inspect,
    make_url,
    select,
    update,
)
from sqlalchemy.exc import ArgumentError, IntegrityError, NoSuchModuleError, SQLAlchemyError

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from netprov.errors import JournalError
from netprov.sealed import Sealer, load_key

DEFAULT_URL = "sqlite:///.netprov/state.db"
# A lock from another host is stale after this long without a journal step: far beyond any
# router's revert window (minutes), so its change has reverted on the device by then.
STALE_AFTER = dt.timedelta(hours=2)
STEPS = (
    "backed_up",
    "planned",
    "applied",
    "verified",
    "confirmed",
    "reverted",
    "rolled_back",
    "failed",
    "skipped",
    "took_over",
    "drilled",
)


class Base(DeclarativeBase):
    pass


class RunRow(Base):
    __tablename__ = "runs"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    command: Mapped[str] = mapped_column(String(40))
    phase: Mapped[str | None] = mapped_column(String(20), nullable=True)
    user: Mapped[str] = mapped_column(String(80))
    change_id: Mapped[str | None] = mapped_column(String(80), nullable=True)
    git_commit: Mapped[str | None] = mapped_column(String(40), nullable=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    status: Mapped[str] = mapped_column(String(30), default="running")
    params: Mapped[str] = mapped_column(
        Text, default=""
    )  # the command's options (JSON), for --resume


class StepRow(Base):
    __tablename__ = "steps"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id"), index=True)
    site: Mapped[str] = mapped_column(String(80), index=True)
    step: Mapped[str] = mapped_column(String(20))
    ok: Mapped[bool] = mapped_column(default=True)
    detail: Mapped[str] = mapped_column(Text, default="")
    diff: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class BackupRow(Base):
    __tablename__ = "backups"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    site: Mapped[str] = mapped_column(String(80), index=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id"))
    platform: Mapped[str] = mapped_column(String(40))
    taken_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    content: Mapped[str] = mapped_column(Text)


class LockRow(Base):
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


SCHEMA_HEAD = "0003"  # the newest migration under netprov/migrations/versions
_MIGRATIONS = Path(__file__).parent / "migrations"
_migrating = threading.Lock()
_keying = threading.Lock()


# Alembic is imported where it is used: importing it costs every netprov command a quarter
# of a second, and most (render, check, plan offline) never open a journal.


def _alembic_config(connection: Connection) -> AlembicConfig:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _schema_version(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def _pre_alembic_version(connection: Connection) -> str | None:
    """A journal made before migrations existed: which revision its tables match."""
    inspector = inspect(connection)
    if not inspector.has_table("runs"):
        return None
    locks = {c["name"] for c in inspector.get_columns("locks")}
    return "0002" if "host" in locks else "0001"


def upgrade(engine: Engine, sqlite_file: Path | None = None) -> None:
    """Bring the journal's schema to :data:`SCHEMA_HEAD` with Alembic (a new journal is built
    by the same migrations). One process at a time: a file lock on SQLite, an advisory lock
    on PostgreSQL, so workers opening a new journal together do not race."""
    with engine.connect() as connection:
        if _schema_version(connection) == SCHEMA_HEAD:
            return
    with _migrating, _file_lock(sqlite_file), engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("SELECT pg_advisory_xact_lock(7305112026)")
        current = _schema_version(connection)
        if current == SCHEMA_HEAD:
            return
        from alembic import command

        config = _alembic_config(connection)
        if current is None:
            old = _pre_alembic_version(connection)
            if old is not None:
                command.stamp(config, old)
        command.upgrade(config, "head")


@contextlib.contextmanager
def _file_lock(path: Path | None) -> Iterator[None]:
    """Serialise migrations between processes with a lock on the journal's folder. Never on
    the database file itself: closing any descriptor of that file drops the POSIX locks
    SQLite holds on it in this process (https://www.sqlite.org/howtocorrupt.html, 2.2)."""
    if path is None:
        yield
        return
    descriptor = os.open(path.resolve().parent, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # releases the flock


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


@dataclass(frozen=True)
class Backup:
    sha256: str
    site: str
    run_id: str
    platform: str
    taken_at: dt.datetime
    content: str


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


def _open(url: str, *, create: bool, default: bool) -> Engine:
    """An engine for ``url``, or one clear :class:`JournalError` line.

    A read-only command (``create=False``) never creates a journal: a ``--db`` typo must not
    look like a city where nothing happened. Only the default location gets its folder made.
    """
    from alembic.util.exc import CommandError

    try:
        parsed = make_url(url)
    except ArgumentError:
        raise JournalError(
            f"--db {url!r} is not a database URL "
            "(e.g. sqlite:///path/state.db or postgresql+psycopg://user@host/netprov)"
        ) from None
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg 3 ships with netprov
        url = parsed.render_as_string(hide_password=False)
    shown = parsed.render_as_string(hide_password=True)
    sqlite_file: Path | None = None
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        sqlite_file = Path(str(parsed.database))
        _check_sqlite_file(sqlite_file, shown, create=create, default=default)
    try:
        if sqlite_file is not None:
            wait = WRITER_WAIT_SECONDS if create else READER_WAIT_SECONDS
            engine = _sqlite_engine(url, sqlite_file, wait=wait)
        else:
            engine = create_engine(url, pool_pre_ping=True)
        upgrade(engine, sqlite_file)  # an existing older journal too, read-only or not
    except NoSuchModuleError:
        raise JournalError(
            f"journal {shown}: unknown database kind {parsed.drivername!r}"
        ) from None
    except (SQLAlchemyError, ImportError, CommandError, OSError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        if sqlite_file is not None and "database is locked" in reason:
            holders = ", ".join(_holders(sqlite_file)) or "another process"
            raise JournalError(
                f"journal {shown} is locked by {holders}: try again when it is done"
            ) from None
        raise JournalError(f"cannot open the journal {shown}: {reason}") from None
    return engine


def _holders(path: Path) -> list[str]:
    """The other processes that have the SQLite file (or its WAL) open, as ``pid N
    (command line)``: read from /proc (Linux); empty elsewhere or when none is visible."""
    wanted = {str(path.resolve()), f"{path.resolve()}-wal", f"{path.resolve()}-shm"}
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        if proc.name == str(os.getpid()):
            continue
        try:
            if not any(str(fd.readlink()) in wanted for fd in (proc / "fd").iterdir()):
                continue
            words = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue  # gone, or not ours to read
        command = " ".join(w.decode(errors="replace") for w in words if w)[:80]
        found.append(f"pid {proc.name} ({command})")
    return found


def _check_sqlite_file(path: Path, shown: str, *, create: bool, default: bool) -> None:
    if path.is_dir():
        raise JournalError(f"journal {shown}: {path} is a folder, not a database file")
    if path.exists():
        return
    if not create:
        raise JournalError(
            f"no journal at {path}: nothing has been run with this --db "
            "(check the path, or run backup/plan/apply first)"
        )
    if not path.parent.exists():
        if not default:
            raise JournalError(f"journal {shown}: folder {path.parent} does not exist")
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)


# How long a command waits for a SQLite journal another process holds: a writer (a run)
# has the patience of a minute; a read-only command (status, runs, report) answers in a
# few seconds, naming who holds it, rather than look hung
WRITER_WAIT_SECONDS = 60
READER_WAIT_SECONDS = 3


def _sqlite_engine(url: str, path: Path, *, wait: float) -> Engine:
    """SQLite for many workers: WAL (readers never block the writer), a busy timeout
    instead of "database is locked" at once, and a file only its owner can read (it holds
    running configs). https://www.sqlite.org/wal.html"""
    engine = create_engine(url, connect_args={"timeout": wait})

    @event.listens_for(engine, "connect")
    def _pragmas(connection: Any, record: Any) -> None:
        cursor = connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(wait * 1000)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    with engine.connect():
        pass  # creates the file
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if name.exists():
            name.chmod(0o600)
    return engine


class Journal:
    def __init__(
        self, url: str | None = None, backups_dir: Path = Path("backups"), *, create: bool = True
    ) -> None:
        chosen = url or os.environ.get("NETPROV_DB")
        self.engine = _open(chosen or DEFAULT_URL, create=create, default=chosen is None)
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
        phase: str | None = None,
        change_id: str | None = None,
        inventory: Path = Path("inventory"),
        params: str = "",
    ) -> str:
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
                    status="running",
                    params=params,
                )
            )
            session.commit()
        return run_id

    def finish_run(self, run_id: str, status: str) -> None:
        with Session(self.engine) as session:
            run = session.get(RunRow, run_id)
            if run is not None:
                run.status = status
                run.finished_at = _now()
                session.commit()

    def step(
        self,
        run_id: str,
        site: str,
        step: str,
        *,
        ok: bool = True,
        detail: str = "",
        diff: str = "",
    ) -> None:
        if step not in STEPS:
            raise ValueError(f"unknown journal step {step!r}")
        with Session(self.engine) as session:
            now = _now()
            row = StepRow(run_id=run_id, site=site, step=step, ok=ok, detail=detail, diff=diff)
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
        with Session(self.engine) as session:
            return list(
                session.scalars(select(RunRow).order_by(RunRow.started_at.desc()).limit(limit))
            )

    def run(self, run_id: str) -> tuple[RunRow | None, list[StepRow]]:
        with Session(self.engine) as session:
            run = session.get(RunRow, run_id)
            steps = list(
                session.scalars(
                    select(StepRow).where(StepRow.run_id == run_id).order_by(StepRow.id)
                )
            )
            return run, steps

    def steps_of_kind(self, step: str) -> list[StepRow]:
        """Every step of one kind, oldest first (the report's progress over time)."""
        with Session(self.engine) as session:
            return list(
                session.scalars(select(StepRow).where(StepRow.step == step).order_by(StepRow.id))
            )

    def steps_for(self, site: str) -> list[StepRow]:
        with Session(self.engine) as session:
            return list(
                session.scalars(select(StepRow).where(StepRow.site == site).order_by(StepRow.id))
            )

    # --- backups ----------------------------------------------------------------------

    def store_backup(
        self,
        run_id: str,
        site: str,
        platform: str,
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
            return Backup(row.sha256, row.site, row.run_id, row.platform, row.taken_at, content)

    def confirmed_phase(self, site: str) -> str | None:
        """The phase last confirmed on ``site`` (a hint; the router has the last word)."""
        with Session(self.engine) as session:
            detail = session.scalar(
                select(StepRow.detail)
                .where(
                    StepRow.site == site,
                    StepRow.step == "confirmed",
                    StepRow.detail.like("phase=%"),
                )
                .order_by(StepRow.id.desc())
                .limit(1)
            )
        return detail.removeprefix("phase=") if detail else None

    def last_step(self, site: str) -> StepRow | None:
        with Session(self.engine) as session:
            return session.scalars(
                select(StepRow).where(StepRow.site == site).order_by(StepRow.id.desc()).limit(1)
            ).first()

    def last_change_run(self, site: str) -> str | None:
        """The run that last applied a change to ``site``."""
        with Session(self.engine) as session:
            return session.scalar(
                select(StepRow.run_id)
                .where(StepRow.site == site, StepRow.step == "applied")
                .order_by(StepRow.id.desc())
                .limit(1)
            )

    # --- locks ------------------------------------------------------------------------

    def lock(self, site: str, run_id: str) -> bool:
        """Take the site's lock for ``run_id``; False when another run holds it."""
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
                    )
                )
                session.commit()
        except IntegrityError:
            return False
        return True

    def unlock(self, site: str, run_id: str) -> None:
        with Session(self.engine) as session:
            row = session.get(LockRow, site)
            if row is not None and row.run_id == run_id:
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
                row.run_id = new_run
            run = session.get(RunRow, old_run)
            if run is not None and run.status == "running":
                run.status = "interrupted"
                run.finished_at = _now()
            session.commit()
            return [row.site for row in rows]

    def take_stale_lock(
        self, site: str, run_id: str, *, silent_for: dt.timedelta = STALE_AFTER
    ) -> str | None:
        """Take ``site``'s lock from a run that is gone; the old run id, or None when the lock
        is free or live. Gone: on this host, its process no longer exists; from another host,
        its heartbeat (refreshed by every journal step) is older than ``silent_for``."""
        with Session(self.engine) as session:
            row = session.get(LockRow, site)
            if row is None or row.run_id == run_id:
                return None
            if not _stale(row, silent_for):
                return None
            old = row.run_id
            row.run_id, row.acquired_at, row.heartbeat_at = run_id, _now(), _now()
            row.host, row.pid = socket.gethostname(), os.getpid()
            session.commit()
            return old

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
        with Session(self.engine) as session:
            row = session.get(LockRow, site)
            return row.run_id if row else None
