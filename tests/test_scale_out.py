"""Scale-out (issue 24): region workers on Celery with a real Redis broker on loopback
(Debian's ``redis-server``, installed by ``make redis``; CI=true asks for it), stepping a
twin city's sites, each by the worker of its region.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from netprov.cli import app
from netprov.inventory.loader import load_inventory
from netprov.platforms import driver_for
from netprov.state.journal import Journal, LockRow
from netprov.twin.pytest_plugin import TwinFactory
from netprov.twin.scenario import Scenario, SiteFaults
from tests.conftest import SAMPLE, TODAY
from tests.postgres_server import fresh_database, server_or_skip
from tests.redis_server import free_port, installed, running_redis

pytestmark = [pytest.mark.twin, pytest.mark.slow, pytest.mark.xdist_group("scale-out")]


def _redis_and_celery_or_skip() -> None:
    """Skip the tier naming why; in CI (CI=true) a missing Redis fails: `make test` installs it."""
    if not installed():
        if os.environ.get("CI"):
            pytest.fail("redis-server is missing: `make redis` installs it")
        pytest.skip("redis-server is not installed (`make redis`): the scale-out tier")
    pytest.importorskip("celery", reason="the fleet extra is not installed")


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A throwaway Redis on loopback, one for these tests (the coordinator's Celery client
    stays on one broker, as a real deployment's does): nothing persisted."""
    tmp_path = tmp_path_factory.mktemp("redis")
    _redis_and_celery_or_skip()
    port = free_port()
    server = running_redis(port, tmp_path)
    url = f"redis://127.0.0.1:{port}/0"
    yield url
    server.terminate()
    server.wait(10)


@pytest.fixture(scope="module")
def postgres_server() -> Iterator[str]:
    """A throwaway PostgreSQL on loopback (Debian's package: ``make postgres``): the journal
    that region workers on several hosts share, its site locks deciding who may push."""
    with server_or_skip("the scale-out tier") as url:
        yield url


@pytest.fixture
def journal_url(postgres_server: str, request: pytest.FixtureRequest) -> str:
    """A database of its own for one test (migrated here, before any process shares it)."""
    name = f"t_{uuid.uuid4().hex[:12]}_" + re.sub(r"\W", "_", request.node.name)[:40].lower()
    url = fresh_database(postgres_server, name)
    Journal(url)
    return url


def _worker(broker: str, queue: str, log: Path, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "netprov", "worker", "--queue", queue, "--broker", broker, *extra],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


SITES = ["setda", "dprd", "kec-sukamaju", "kel-hegarsari"]  # two per region


def test_two_region_workers_cut_a_twin_city_over(
    broker: str, journal_url: str, tmp_path: Path, twin_factory: TwinFactory, cli: CliRunner
) -> None:
    """The whole sample city (82 offices) to dual on two region workers: the city offices
    (group opd-utama) on pusat's, the rest on default's, one PostgreSQL journal. On a
    Tuesday at 02:00 the offices whose window is at the weekend stay as they are."""
    inventory = tmp_path / "inventory"
    shutil.copytree(SAMPLE, inventory)
    org = inventory / "organisation.yaml"
    org.write_text(org.read_text(encoding="utf-8") + "regions: {opd-utama: pusat}\n")
    city = load_inventory(inventory, today=TODAY).sites
    expected = {s.id: "pusat" if "opd-utama" in s.groups else "default" for s in city}
    assert sorted(set(expected.values())) == ["default", "pusat"]
    twin = twin_factory(list(expected), inventory=inventory)
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
                *("--db", journal_url, "--backups", str(tmp_path / "b")),
                *("--today", TODAY.isoformat(), "--max-fail", "0%"),
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
    weekend = {
        s.id
        for s in city
        if s.maintenance_window and "tue" not in {d.value for d in s.maintenance_window.days}
    }
    assert len(weekend) == 11
    statuses = {s["site"]: s["status"] for s in document["sites"]}
    assert statuses == {site: "skipped" if site in weekend else "confirmed" for site in expected}
    ran_on = {site: worker.split("@")[0] for site, worker in document["workers"].items()}
    assert ran_on == expected  # each office by its region's worker (a skip too)
    assert document["engine"] == "celery"
    journal = Journal(journal_url, tmp_path / "b", create=False)
    confirmed = {site: journal.confirmed_phase(site) for site in expected}
    assert confirmed == {site: None if site in weekend else "dual" for site in expected}
    assert all(journal.lock_holder(site) is None for site in expected)


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


def _parent(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("PPid")))


def _coordinator(
    hosts: Path, db: str, backups: Path, broker: str, *extra: str
) -> subprocess.Popen[bytes]:
    """``netprov cutover --engine celery`` of the sample city to dual, in its own process."""
    return subprocess.Popen(
        [
            *(sys.executable, "-m", "netprov", "cutover", "--inventory", str(SAMPLE)),
            *("--hosts-file", str(hosts), "--db", db),
            *("--backups", str(backups), "--today", TODAY.isoformat()),
            *("--to", "dual", "--now", "2026-11-24T02:00", "--yes", "--json"),
            *("--engine", "celery", "--broker", broker, *extra),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _lock_pid_once_planned(
    journal: Journal, site: str, coordinator: subprocess.Popen[bytes]
) -> int:
    """The pid holding ``site``'s lock once its change is planned (the push comes next)."""
    for _ in range(1200):
        if coordinator.poll() is not None:
            break
        planned = any(s.step == "planned" for s in journal.steps_for(site))
        with Session(journal.engine) as session:
            row = session.get(LockRow, site)
            holder = row.pid if row is not None else None
        if planned and holder:
            return int(holder)
        time.sleep(0.05)
    raise AssertionError("the site's change was never planned")


@pytest.mark.parametrize("site", ["kel-hegarsari", "setda"])  # RouterOS, IOS
def test_a_worker_killed_mid_push_leaves_the_site_to_the_next_holder(
    broker: str,
    journal_url: str,
    tmp_path: Path,
    twin_factory: TwinFactory,
    cli: CliRunner,
    site: str,
) -> None:
    """The broker hands the slow site step to the second worker while the first still
    pushes (a 2 s visibility timeout): the journal's lock makes it wait, not push. The
    first worker is SIGKILLed mid-push: its router undoes the unconfirmed change by itself;
    the waiting worker takes the lock over, settles, steps the site once, and reports it."""
    scenario = Scenario(sites={site: SiteFaults(slow_ms=150)})  # a slow link: a long push
    twin = twin_factory([site], scenario=scenario)
    hosts = tmp_path / "hosts.yaml"
    twin.write_hosts_file(hosts)
    journal = Journal(journal_url, tmp_path / "b", create=False)
    logs = [tmp_path / f"w{n}.log" for n in range(2)]
    workers = [_worker(broker, "default", log, "--visibility-timeout", "2") for log in logs]
    coordinator = _coordinator(hosts, journal_url, tmp_path / "b", broker, "--limit", site)
    try:
        killed = _lock_pid_once_planned(journal, site, coordinator)
        assert _parent(killed) in {w.pid for w in workers}  # a worker's Celery process
        os.kill(killed, signal.SIGKILL)  # its supervisor reaps it and starts another
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


def test_a_broker_outage_loses_nothing_and_the_run_resumes(
    journal_url: str, tmp_path: Path, twin_factory: TwinFactory
) -> None:
    """The broker stops once the canary is confirmed: the coordinator sends nothing more,
    says so in one line and leaves the run ``interrupted``; what a worker had in hand is
    finished and journaled. The broker comes back empty (it kept nothing on disk); the
    worker reconnects by itself; ``--resume`` completes the city, each site once."""
    twin = twin_factory(SITES)
    hosts = tmp_path / "hosts.yaml"
    twin.write_hosts_file(hosts)
    port = free_port()
    broker = f"redis://127.0.0.1:{port}/0"
    redis_server = running_redis(port, tmp_path)
    journal = Journal(journal_url, tmp_path / "b", create=False)
    worker = _worker(broker, "default", tmp_path / "w.log")
    first = _coordinator(
        hosts, journal_url, tmp_path / "b", broker, "--limit", ",".join(SITES), "--wave-size", "2"
    )
    try:
        for _ in range(1200):  # the canary (kel-hegarsari, wave 0) confirmed
            if journal.confirmed_phase("kel-hegarsari") == "dual" or first.poll() is not None:
                break
            time.sleep(0.05)
        redis_server.terminate()
        redis_server.wait(10)
        stdout, stderr = first.communicate(timeout=120)
        assert first.returncode == 1, (stdout, stderr)
        said = stderr.decode()
        assert "Traceback" not in said, said
        assert f"broker {broker}" in said
        assert "interrupted" in said
        assert "--resume" in said
        run_id = journal.runs(1)[0].id
        assert journal.run_status(run_id) == "interrupted"
        for _ in range(600):  # the worker finishes what it had in hand
            if not journal.run_alive(run_id):
                break
            time.sleep(0.1)
        redis_server = running_redis(port, tmp_path)  # back, empty
        resumed = _coordinator(hosts, journal_url, tmp_path / "b", broker, "--resume", run_id)
        stdout, stderr = resumed.communicate(timeout=180)
    finally:
        for process in (first, worker, redis_server):
            process.terminate()
            process.wait(30)
    told = (tmp_path / "w.log").read_text(errors="replace")
    assert resumed.returncode == 0, (stdout, stderr, told)
    document = json.loads(stdout)
    assert {s["site"] for s in document["sites"]} == set(SITES)
    assert {s["status"] for s in document["sites"]} <= {"confirmed", "unchanged"}
    assert {site: journal.confirmed_phase(site) for site in SITES} == dict.fromkeys(SITES, "dual")
    assert all(journal.lock_holder(site) is None for site in SITES)
    _, before = journal.run(run_id)
    _, after = journal.run(document["run_id"])
    for site in SITES:  # each site pushed and kept once, in one run or the other
        kept = [s for s in [*before, *after] if s.site == site and s.step == "confirmed"]
        assert len(kept) == 1, (site, [(s.run_id, str(s.step)) for s in kept])


# The coordinator's wait, in a process of its own: the broker answers the check between two
# waits, then dies before the wave lets go of its results (the race a CI run met).
_LOST_BROKER = """
import os, signal, sys, time
from celery import group
from netprov.rollout.engine import dispatch
from netprov.rollout.engine.celery_app import configure, site_step

broker, redis_pid = sys.argv[1], int(sys.argv[2])
configure(broker)
jobs = group(site_step.s({"site": site}).set(queue="nobody") for site in ("a", "b"))
answered = dispatch._server_id(broker)
def server_id(url):
    os.kill(redis_pid, signal.SIGTERM)
    time.sleep(1)  # gone
    return answered + "-then-gone"
dispatch._server_id = lambda url: (setattr(dispatch, "_server_id", server_id), answered)[1]
try:
    dispatch._gathered(broker, jobs)
except dispatch.BrokerUnavailable as exc:
    print(exc, file=sys.stderr)
    sys.exit(1)
"""


def test_a_lost_broker_is_one_line_without_celerys_traceback(tmp_path: Path) -> None:
    """A wave's results, collected after the broker is gone, would each ask the dead result
    store to unsubscribe, retry for about 20 s and print Celery's "Retry limit exceeded"
    traceback after netprov's line: the coordinator lets go of them first."""
    _redis_and_celery_or_skip()
    port = free_port()
    redis_server = running_redis(port, tmp_path)
    script = tmp_path / "wave.py"
    script.write_text(_LOST_BROKER)
    broker = f"redis://127.0.0.1:{port}/0"
    try:
        done = subprocess.run(
            [sys.executable, str(script), broker, str(redis_server.pid)],
            check=False,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        redis_server.kill()
        redis_server.wait(10)
    assert done.returncode == 1, done.stderr
    assert done.stderr.splitlines() == [f"the broker {broker} restarted during the wave"]


def test_apply_verify_drill_and_rollback_run_on_the_region_workers(
    broker: str, tmp_path: Path, twin_factory: TwinFactory, cli: CliRunner
) -> None:
    """Every command that changes or checks routers dispatches its sites to the workers
    (--engine celery), as cutover does: each site's step runs where its region's routers
    are reachable, the coordinator gathers the outcomes."""
    sites = ["setda", "kel-hegarsari"]
    twin = twin_factory(sites)
    hosts = tmp_path / "hosts.yaml"
    twin.write_hosts_file(hosts)
    before = {site: twin.devices[site].running_config() for site in sites}
    db = f"sqlite:///{tmp_path / 'j.db'}"
    common = [
        *("--inventory", str(SAMPLE), "--hosts-file", str(hosts), "--db", db),
        *("--backups", str(tmp_path / "b"), "--today", TODAY.isoformat(), "--json"),
        *("--limit", ",".join(sites), "--engine", "celery", "--broker", broker),
    ]

    def statuses(*command: str) -> dict[str, str]:
        result = cli.invoke(app, [*command, *common])
        assert result.exit_code == 0, result.output
        return {s["site"]: s["status"] for s in json.loads(result.stdout)["sites"]}

    unasked = cli.invoke(app, ["apply", "--phase", "dual", *common])
    assert unasked.exit_code == 2
    assert "give --yes" in unasked.output
    worker = _worker(broker, "default", tmp_path / "w.log")
    try:
        drilled = statuses("drill", "--now", "2026-11-24T02:00", "--yes")
        assert drilled == {"setda": "drilled", "kel-hegarsari": "skipped"}  # no backup line
        assert statuses("apply", "--phase", "dual", "--yes") == dict.fromkeys(sites, "confirmed")
        assert statuses("verify", "--phase", "dual") == dict.fromkeys(sites, "verified")
        for_people = [arg for arg in common if arg != "--json"]
        shown = cli.invoke(app, ["verify", "--phase", "dual", *for_people])
        assert shown.exit_code == 0, shown.output
        assert "region default: 2 site(s), 0 failed" in shown.stderr  # for people, per region
        # the backup taken before each site's last change (the apply): the office as it was
        assert statuses("rollback", "--yes") == dict.fromkeys(sites, "restored")
    finally:
        worker.terminate()
        worker.wait(30)
    after = {site: twin.devices[site].running_config() for site in sites}
    comparable = {site: driver_for(twin.devices[site].platform).comparable for site in sites}
    assert {s: comparable[s](after[s]) for s in sites} == {
        s: comparable[s](before[s]) for s in sites
    }
