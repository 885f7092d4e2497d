"""Where the journal lives: opening its database (SQLite with WAL and a busy timeout, or
PostgreSQL through psycopg 3) with one clear error line, and bringing an older journal's
schema to the newest migration with Alembic, one process at a time.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from netprov.errors import JournalError
from netprov.state.statedir import prepare

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

SCHEMA_HEAD = "0005"  # the newest migration under netprov/state/migrations/versions


_MIGRATIONS = Path(__file__).parent / "migrations"


_migrating = threading.Lock()


def alembic_config(connection: Connection) -> AlembicConfig:
    """Alembic's configuration for netprov's migrations, on ``connection`` (no ini file)."""
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

        config = alembic_config(connection)
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


def open_engine(url: str, *, create: bool, default: bool) -> Engine:
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
    if default and (create or path.parent.exists()):
        prepare(path.parent)  # netprov's own folder: made, and kept out of git
    if path.exists():
        return
    if not create:
        raise JournalError(
            f"no journal at {path}: nothing has been run with this --db "
            "(check the path, or run backup/plan/apply first)"
        )
    if not path.parent.exists():
        raise JournalError(f"journal {shown}: folder {path.parent} does not exist")


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
