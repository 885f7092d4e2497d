"""Scale-out (issue 24): region workers on Celery with a real Redis broker on loopback
(Debian's ``redis-server``, installed by ``make redis``; CI=true asks for it), stepping a
twin city's sites, each by the worker of its region.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netprov.cli import app
from netprov.journal import Journal
from netprov.twin.pytest_plugin import TwinFactory
from netprov.twin.scenario import Scenario, SiteFaults
from tests.conftest import SAMPLE, TODAY

pytestmark = [pytest.mark.twin, pytest.mark.slow, pytest.mark.xdist_group("scale-out")]

REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A throwaway Redis on loopback, one for these tests (the coordinator's Celery client
    stays on one broker, as a real deployment's does): nothing persisted."""
    tmp_path = tmp_path_factory.mktemp("redis")
    if not Path(REDIS).exists():
        if os.environ.get("CI"):
            pytest.fail("redis-server is missing: `make redis` installs it")
        pytest.skip("redis-server is not installed (`make redis`): the scale-out tier")
    pytest.importorskip("celery", reason="the fleet extra is not installed")
    port = _free_port()
    server = subprocess.Popen(
        [REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    import redis

    client = redis.Redis.from_url(url)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield url
    server.terminate()
    server.wait(10)


def _worker(broker: str, queue: str, log: Path, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "netprov", "worker", "--queue", queue, "--broker", broker, *extra],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


SITES = ["setda", "dprd", "kec-sukamaju", "kel-hegarsari"]  # two per region


def test_two_region_workers_cut_a_twin_city_over(
    broker: str, tmp_path: Path, twin_factory: TwinFactory, cli: CliRunner
) -> None:
    inventory = tmp_path / "inventory"
    shutil.copytree(SAMPLE, inventory)
    org = inventory / "organisation.yaml"
    org.write_text(org.read_text(encoding="utf-8") + "regions: {opd-utama: pusat}\n")
    twin = twin_factory(SITES, inventory=inventory)
    hosts = tmp_path / "hosts.yaml"
    twin.write_hosts_file(hosts)
    workers = {
        queue: _worker(broker, queue, tmp_path / f"{queue}.log") for queue in ("pusat", "default")
    }
    try:
        result = cli.invoke(
            app,
            [
                *("cutover", "--inventory", str(inventory), "--hosts-file", str(hosts)),
                *("--db", f"sqlite:///{tmp_path / 'j.db'}", "--backups", str(tmp_path / "b")),
                *("--limit", ",".join(SITES), "--today", TODAY.isoformat()),
                *("--to", "dual", "--now", "2026-11-24T02:00", "--yes", "--json"),
                *("--engine", "celery", "--broker", broker),
            ],
        )
    finally:
        for process in workers.values():
            process.terminate()
        for process in workers.values():
            process.wait(30)
    logs = {q: (tmp_path / f"{q}.log").read_text(errors="replace") for q in workers}
    assert result.exit_code == 0, (result.output, logs)
    document = json.loads(result.stdout)
    assert {s["site"]: s["status"] for s in document["sites"]} == dict.fromkeys(SITES, "confirmed")
    regions = {"setda": "pusat", "dprd": "pusat"}
    assert {site: worker.split("@")[0] for site, worker in document["workers"].items()} == {
        site: regions.get(site, "default") for site in SITES
    }
    assert document["engine"] == "celery"
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "b", create=False)
    assert {site: journal.confirmed_phase(site) for site in SITES} == dict.fromkeys(SITES, "dual")


def test_the_gate_stops_the_rollout_across_workers(
    broker: str, tmp_path: Path, twin_factory: TwinFactory, cli: CliRunner
) -> None:
    """A wave's failure on one region's worker stops the waves after it, on every region:
    the coordinator keeps the gate, whatever workers run the sites."""
    inventory = tmp_path / "inventory"
    shutil.copytree(SAMPLE, inventory)
    org = inventory / "organisation.yaml"
    org.write_text(org.read_text(encoding="utf-8") + "regions: {opd-utama: pusat}\n")
    # dprd's router keeps no source NAT: its office cannot go out on the new line
    scenario = Scenario(sites={"dprd": SiteFaults(lan_nat_broken=True)})
    twin = twin_factory(SITES, inventory=inventory, scenario=scenario)
    hosts = tmp_path / "hosts.yaml"
    twin.write_hosts_file(hosts)
    db = f"sqlite:///{tmp_path / 'j.db'}"
    workers = [_worker(broker, q, tmp_path / f"{q}.log") for q in ("pusat", "default")]
    try:
        result = cli.invoke(
            app,
            [
                *("cutover", "--inventory", str(inventory), "--hosts-file", str(hosts)),
                *("--db", db, "--backups", str(tmp_path / "b"), "--wave-size", "2"),
                *("--limit", ",".join(SITES), "--today", TODAY.isoformat()),
                *("--to", "dual", "--now", "2026-11-24T02:00", "--yes", "--json"),
                *("--engine", "celery", "--broker", broker),
            ],
        )
    finally:
        for process in workers:
            process.terminate()
        for process in workers:
            process.wait(30)
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    # the canary kel-hegarsari (wave 0, region default), then [dprd, setda] on pusat's
    # worker, then kec-sukamaju: never reached
    assert {s["site"]: s["status"] for s in document["sites"]} == {
        "kel-hegarsari": "confirmed",
        "dprd": "rolled_back",
        "setda": "confirmed",
    }
    assert "gate" in document["stopped"]
    assert document["untouched"] == ["kec-sukamaju"]
    journal = Journal(db, tmp_path / "b", create=False)
    _, steps = journal.run(document["run_id"])
    assert "kec-sukamaju" not in {s.site for s in steps}


def _lock_pid_once_planned(db: Path, site: str, coordinator: subprocess.Popen[bytes]) -> int:
    """The pid holding ``site``'s lock once its change is planned (the push comes next)."""
    for _ in range(1200):
        if coordinator.poll() is not None:
            break
        with contextlib.suppress(sqlite3.Error), sqlite3.connect(db) as connection:
            planned = connection.execute(
                "select count(*) from steps where site = ? and step = 'planned'", (site,)
            ).fetchone()[0]
            holder = connection.execute("select pid from locks where site = ?", (site,)).fetchone()
            if planned and holder:
                return int(holder[0])
        time.sleep(0.05)
    raise AssertionError("the site's change was never planned")


@pytest.mark.parametrize("site", ["kel-hegarsari", "setda"])  # RouterOS, IOS
def test_a_worker_killed_mid_push_leaves_the_site_to_the_next_holder(
    broker: str, tmp_path: Path, twin_factory: TwinFactory, cli: CliRunner, site: str
) -> None:
    """The broker hands the slow site step to the second worker while the first still
    pushes (a 2 s visibility timeout): the journal's lock makes it wait, not push. The
    first worker is SIGKILLed mid-push: its router undoes the unconfirmed change by itself;
    the waiting worker takes the lock over, settles, steps the site once, and reports it."""
    scenario = Scenario(sites={site: SiteFaults(slow_ms=150)})  # a slow link: a long push
    twin = twin_factory([site], scenario=scenario)
    hosts = tmp_path / "hosts.yaml"
    twin.write_hosts_file(hosts)
    db = tmp_path / "j.db"
    logs = [tmp_path / f"w{n}.log" for n in range(2)]
    workers = [_worker(broker, "default", log, "--visibility-timeout", "2") for log in logs]
    coordinator = subprocess.Popen(
        [
            *(sys.executable, "-m", "netprov", "cutover", "--inventory", str(SAMPLE)),
            *("--hosts-file", str(hosts), "--db", f"sqlite:///{db}"),
            *("--backups", str(tmp_path / "b"), "--limit", site, "--today", TODAY.isoformat()),
            *("--to", "dual", "--now", "2026-11-24T02:00", "--yes", "--json"),
            *("--engine", "celery", "--broker", broker),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        killed = _lock_pid_once_planned(db, site, coordinator)
        assert killed in {w.pid for w in workers}
        os.kill(killed, signal.SIGKILL)
        next(w for w in workers if w.pid == killed).wait(30)  # reaped, as systemd would
        stdout, stderr = coordinator.communicate(timeout=180)
    finally:
        coordinator.kill()
        for process in workers:
            process.terminate()
        for process in workers:
            process.wait(30)
    told = "".join(log.read_text(errors="replace") for log in logs)
    assert coordinator.returncode == 0, (stdout, stderr, told)
    document = json.loads(stdout)
    assert [(s["site"], s["status"]) for s in document["sites"]] == [(site, "confirmed")]
    assert "already has it in hand elsewhere" in told  # the second delivery waited
    journal = Journal(f"sqlite:///{db}", tmp_path / "b", create=False)
    _, steps = journal.run(document["run_id"])
    story = [str(s.step) for s in steps if s.site == site]
    assert story.count("took_over") == 1  # from the killed worker, by the waiting one
    assert story.count("applied") == 1  # the killed push never counted; one push kept
    assert story.count("confirmed") == 1
    assert journal.lock_holder(site) is None
    assert journal.confirmed_phase(site) == "dual"
    again = cli.invoke(
        app,
        [
            *("plan", "--inventory", str(SAMPLE), "--hosts-file", str(hosts), "--limit", site),
            *("--db", f"sqlite:///{tmp_path / 'plan.db'}", "--backups", str(tmp_path / "p")),
            *("--phase", "dual", "--today", TODAY.isoformat()),
        ],
    )
    assert again.exit_code == 0, again.output  # the router holds dual once: nothing to do
    assert "netprov-change" not in twin.devices[site].running_config()  # no marker left
