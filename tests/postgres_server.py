"""A throwaway PostgreSQL server on loopback for the journal tests (Debian's ``postgresql``
package; ``make postgres`` installs it in CI). Started by the test suite, removed after."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path


def binaries() -> Path | None:
    """The folder holding initdb/pg_ctl, or None when PostgreSQL is not installed."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return Path(candidates[-1]).parent if candidates else None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_owner(argv: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the ``postgres`` user then."""
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


@contextlib.contextmanager
def running_server(bindir: Path) -> Iterator[str]:
    """Yield a SQLAlchemy URL of a fresh cluster listening on 127.0.0.1 only."""
    data = Path(tempfile.mkdtemp(prefix="netprov-pg-"))
    if os.geteuid() == 0:
        shutil.chown(data, "postgres", "postgres")
    port = free_port()
    options = f"-c listen_addresses=127.0.0.1 -c port={port} -k {data} -c fsync=off"
    try:
        subprocess.run(
            _as_owner(
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(data / "db"),
                    "-A",
                    "trust",
                    "-U",
                    "netprov",
                    "--no-sync",
                ]
            ),
            check=True,
            capture_output=True,
            timeout=120,
        )
        subprocess.run(
            _as_owner(
                [
                    str(bindir / "pg_ctl"),
                    "-D",
                    str(data / "db"),
                    "-o",
                    options,
                    "-l",
                    str(data / "log"),
                    "-w",
                    "-t",
                    "60",
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
            timeout=120,
        )
        yield f"postgresql://netprov@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_owner(
                [str(bindir / "pg_ctl"), "-D", str(data / "db"), "-m", "immediate", "-w", "stop"]
            ),
            check=False,
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(data, ignore_errors=True)


def fresh_database(server: str, name: str) -> str:
    """A new, empty database on ``server`` (a URL from :func:`running_server`): its URL."""
    from sqlalchemy import create_engine, text

    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return server.rsplit("/", 1)[0] + f"/{name}"


@contextlib.contextmanager
def server_or_skip(tier: str) -> Iterator[str]:
    """A running server's URL for a test tier; without PostgreSQL installed the tier is
    skipped, naming ``tier`` (in CI, CI=true, it fails: `make postgres` installs it)."""
    import pytest

    bindir = binaries()
    if bindir is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed: `make postgres` installs it in CI")
        pytest.skip(f"PostgreSQL not installed (make postgres): {tier}")
    with running_server(bindir) as url:
        yield url
