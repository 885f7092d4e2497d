"""A real Nautobot on loopback for the source-of-truth tier (``make nautobot`` installs it
in its own venv, ``.venv-nautobot``; CI=true asks for it): its PostgreSQL from the
project's throwaway server helper, its Redis from Debian, its web server (``nautobot-server
runserver``) on 127.0.0.1.

Migrating a fresh Nautobot 3.2.7 database takes about four minutes (471 migrations, all
CPU in Django), so the database starts from a template: the dump of one that
``nautobot-server migrate`` made (``make nautobot-template`` makes it again, e.g. for
another version). ``migrate`` still runs on it, and applies whatever the template lacks.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.postgres_server import binaries, fresh_database, running_server
from tests.redis_server import free_port, running_redis
from tests.redis_server import installed as redis_installed

REPO = Path(__file__).resolve().parent.parent
VERSION = "3.2.7"  # the Makefile's NAUTOBOT_VERSION
VENV = REPO / ".venv-nautobot"
HERE = Path(__file__).resolve().parent / "nautobot"
TEMPLATE = REPO / "tests" / "fixtures" / "nautobot" / f"nautobot-{VERSION}.sql.gz"


@dataclass(frozen=True)
class RunningNautobot:
    url: str  # http://127.0.0.1:PORT
    token: str
    database: str  # postgresql://... of its database

    @property
    def spec(self) -> str:
        return f"nautobot+{self.url}"


def missing() -> str | None:
    """Why the tier cannot run here, or None."""
    if not (VENV / "bin" / "nautobot-server").exists():
        return "Nautobot is not installed (`make nautobot`)"
    if binaries() is None:
        return "PostgreSQL is not installed (`make postgres`)"
    if not redis_installed():
        return "redis-server is not installed (`make redis`)"
    return None


def skip_or_fail_without_servers() -> None:
    """Skip the tier naming why (in CI, CI=true, fail: `make test` installs them)."""
    reason = missing()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: CI installs it")
        pytest.skip(f"{reason}: the Nautobot tier")


def _environment(database: str, redis_port: int, root: Path) -> dict[str, str]:
    host_port = database.split("@", 1)[1].split("/", 1)[0]
    host, port = host_port.split(":")
    return {
        **os.environ,
        "NAUTOBOT_ROOT": str(root),
        "NAUTOBOT_CONFIG": str(HERE / "nautobot_config.py"),
        "NAUTOBOT_DB_HOST": host,
        "NAUTOBOT_DB_PORT": port,
        "NAUTOBOT_DB_USER": "netprov",
        "NAUTOBOT_DB_NAME": database.rsplit("/", 1)[1],
        "NAUTOBOT_REDIS_HOST": "127.0.0.1",
        "NAUTOBOT_REDIS_PORT": str(redis_port),
        "NAUTOBOT_SECRET_KEY": secrets.token_urlsafe(40),
        "NAUTOBOT_INSTALLATION_METRICS_ENABLED": "False",
    }


def _psql(database: str) -> list[str]:
    bindir = binaries()
    assert bindir is not None
    return [str(bindir / "psql"), "--quiet", "-v", "ON_ERROR_STOP=1", database]


def restore_template(database: str) -> None:
    """Load the template dump into an empty database."""
    with gzip.open(TEMPLATE, "rb") as dump:
        subprocess.run(
            _psql(database), input=dump.read(), check=True, capture_output=True, timeout=300
        )


@contextlib.contextmanager
def running_nautobot(work: Path) -> Iterator[RunningNautobot]:
    """A Nautobot answering its API on a free loopback port, with a token; stopped after."""
    bindir = binaries()
    assert bindir is not None
    redis_port = free_port()
    redis = running_redis(redis_port, work)
    try:
        with running_server(bindir) as server:
            database = fresh_database(server, "nautobot")
            restore_template(database)
            env = _environment(database, redis_port, work)
            token = subprocess.run(
                [str(VENV / "bin" / "python"), str(HERE / "setup_nautobot.py")],
                env=env,
                check=True,
                capture_output=True,
                text=True,
                timeout=900,
            ).stdout.split()[-1]
            port = free_port()
            log = (work / "nautobot.log").open("wb")
            web = subprocess.Popen(
                [  # Nautobot's production server (uWSGI), with the options of its own
                    # docker/uwsgi.ini (buffer-size left at uWSGI's 4 KB, as there), a
                    # process per core
                    str(VENV / "bin" / "nautobot-server"),
                    "start",
                    "--http",
                    f"127.0.0.1:{port}",
                    "--master",
                    "--enable-threads",
                    "--single-interpreter",
                    "--die-on-term",
                    "--need-app",
                    "--http-keepalive",
                    "--processes",
                    "2",
                    "--threads",
                    "2",
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                url = f"http://127.0.0.1:{port}"
                _wait_for(url, token, web, work / "nautobot.log")
                yield RunningNautobot(url, token, database)
            finally:
                web.terminate()  # uWSGI's master stops its workers (--die-on-term)
                web.wait(60)
                log.close()
    finally:
        redis.terminate()
        redis.wait(10)


def _wait_for(url: str, token: str, web: subprocess.Popen[bytes], log: Path) -> None:
    import requests

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if web.poll() is not None:
            raise RuntimeError(f"nautobot-server ended: {log.read_text(errors='replace')[-2000:]}")
        with contextlib.suppress(requests.RequestException):
            answer = requests.get(
                f"{url}/api/status/", headers={"Authorization": f"Token {token}"}, timeout=5
            )
            if answer.status_code == 200:
                return
        time.sleep(0.3)
    raise RuntimeError(f"Nautobot at {url} did not answer within 120 s")


def make_template() -> None:
    """Migrate a fresh database with the installed Nautobot and dump it as the template
    (``make nautobot-template``; minutes)."""
    import tempfile

    bindir = binaries()
    assert bindir is not None, "PostgreSQL is not installed (make postgres)"
    with tempfile.TemporaryDirectory() as scratch, running_server(bindir) as server:
        database = fresh_database(server, "nautobot")
        redis_port = free_port()
        redis = running_redis(redis_port, Path(scratch))
        try:
            env = _environment(database, redis_port, Path(scratch))
            subprocess.run(
                [str(VENV / "bin" / "nautobot-server"), "migrate", "--no-input"],
                env=env,
                check=True,
                timeout=3600,
            )
            dump = subprocess.run(
                [str(bindir / "pg_dump"), "--no-owner", "--no-privileges", database],
                check=True,
                capture_output=True,
                timeout=600,
            ).stdout
        finally:
            redis.terminate()
            redis.wait(10)
    TEMPLATE.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(TEMPLATE, "wb", mtime=0) as out:
        out.write(dump)
    sys.stdout.write(f"{TEMPLATE.relative_to(REPO)}: {len(dump):,} bytes of SQL\n")


if __name__ == "__main__":
    make_template()
