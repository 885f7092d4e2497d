"""Cutover on the twin: canary first, health gate, maintenance windows, resume."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netprov.cli import app
from netprov.state.journal import Journal
from netprov.twin.pytest_plugin import TwinFactory
from tests.conftest import REPO, SAMPLE

pytestmark = pytest.mark.twin  # real SSH sessions with the device twin

CANARY = [
    "diskominfo",
    "dinsos",
    "kel-hegarsari",
    "desa-balokang",
    "pkm-cibeureum",
    "hotspot-alun-alun-kota",
]
TUESDAY_2AM = (
    "2026-11-24T02:00"  # inside office, village and hotspot windows; not the puskesmas' (Sunday)
)


@pytest.fixture
def fast_twin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETPROV_TWIN_TIME_SCALE", "30")


def invoke(cli: CliRunner, tmp_path: Path, *args: str) -> dict[str, object]:
    result = cli.invoke(
        app,
        [
            "cutover",
            "--inventory",
            str(SAMPLE),
            "--today",
            "2026-11-22",
            "--twin",
            "--db",
            f"sqlite:///{tmp_path / 'j.db'}",
            "--backups",
            str(tmp_path / "b"),
            "--now",
            TUESDAY_2AM,
            "--yes",
            "--json",
            *args,
        ],
    )
    document: dict[str, object] = json.loads(result.stdout)
    document["exit_code"] = result.exit_code
    return document


def test_canary_failure_trips_the_gate_and_later_waves_stay_untouched(
    cli: CliRunner, tmp_path: Path, fast_twin: None
) -> None:
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("sites:\n  desa-balokang:\n    uplinks: {central: {state: down}}\n")
    sites = [*CANARY, "setda", "dprd"]  # setda, dprd: wave 1
    document = invoke(
        cli,
        tmp_path,
        "--scenario",
        str(scenario),
        "--to",
        "central",
        "--max-fail",
        "10%",
        "--limit",
        ",".join(sites),
    )
    assert document["exit_code"] == 1
    assert "gate 10%" in str(document["stopped"])
    untouched = document["untouched"]
    assert isinstance(untouched, list)
    assert sorted(untouched) == ["dprd", "setda"]
    waves = document["waves"]
    assert isinstance(waves, list)
    assert len(waves) == 1
    statuses = {s["site"]: s["status"] for s in waves[0]["sites"]}
    assert statuses == {
        "diskominfo": "confirmed",
        "dinsos": "confirmed",
        "kel-hegarsari": "confirmed",
        "hotspot-alun-alun-kota": "confirmed",
        "desa-balokang": "rolled_back",
        "pkm-cibeureum": "skipped",
    }
    broken = next(s for s in waves[0]["sites"] if s["site"] == "desa-balokang")
    assert broken["restored_identical"] is True
    assert broken["detail"].startswith("dual:")  # failed on the first step: back on legacy
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}")
    assert journal.steps_for("setda") == []  # never touched
    assert journal.confirmed_phase("diskominfo") == "central"
    check_report_and_evidence(cli, tmp_path)


def check_report_and_evidence(cli: CliRunner, tmp_path: Path) -> None:
    """The managers' report shows that run's figures; the audit pack tells one office's story."""
    db = ["--db", f"sqlite:///{tmp_path / 'j.db'}"]
    for lang, heading in (("en", "Budget (per month)"), ("id", "Anggaran (per bulan)")):
        out = tmp_path / f"report-{lang}.html"
        result = cli.invoke(
            app,
            [
                "report",
                "--inventory",
                str(SAMPLE),
                *db,
                "--lang",
                lang,
                "--out",
                str(out),
                "--today",
                "2026-11-22",
            ],
        )
        assert result.exit_code == 0, result.output
        page = out.read_text()
        assert heading in page
    figures = dict(
        re.findall(r'<tr data-figure="(\w+)"><td>[^<]*</td><td class="n">([^<]*)</td>', page)
    )
    assert figures == {
        "legacy_before": "Rp182.440.000",
        "legacy_running": "Rp182.440.000",
        "legacy_cut": "Rp0",
        "central": "Rp137.500.000",
        "savings": "-Rp137.500.000",
        "end_state": "Rp44.940.000",  # once every office line is cut
    }
    wave0 = re.search(r'<tr data-group="0">(.*?)</tr>', page, re.S)
    assert wave0 is not None
    counts = dict(re.findall(r'data-phase="(\w+)">(\d+)<', wave0.group(1)))
    assert counts == {
        "legacy": "2",
        "dual": "0",
        "central": "4",
        "final": "0",
    }  # 1 rolled back, 1 skipped
    failures = page.split('id="failures"')[1].split("</table>")[0]
    assert "desa-balokang" in failures
    assert "terbukti identik" in failures  # a human reason, in Indonesian, no raw JSON
    assert "{" not in failures
    assert "pkm-cibeureum" in page.split('id="skipped"')[1]  # outside its window
    assert "4 dari 82 kantor sudah memakai penyedia pusat" in page
    assert "reverted" not in page
    assert "failed checks" not in page
    check_in_browser(out, tmp_path)
    pack_dir = tmp_path / "evidence"
    result = cli.invoke(
        app,
        [
            "evidence",
            "diskominfo",
            "--inventory",
            str(SAMPLE),
            *db,
            "--backups",
            str(tmp_path / "b"),
            "--out",
            str(pack_dir),
            "--today",
            "2026-11-22",
        ],
    )
    assert result.exit_code == 0, result.output
    pack = pack_dir / "diskominfo"
    assert "GigabitEthernet0/0/1.1" not in (pack / "before.cfg").read_text()
    assert "GigabitEthernet0/0/1.1" in (pack / "after.cfg").read_text()
    assert "+interface GigabitEthernet0/0/1." in (pack / "changes.diff").read_text()
    assert json.loads((pack / "checks.json").read_text())[0][0]["ok"] is True
    assert "confirmed" in (pack / "journal.txt").read_text()
    for path in pack.iterdir():
        assert "twin-netprov" not in path.read_text(), path  # no secret in an inspector's pack


def test_resume_carries_the_runs_options(cli: CliRunner, tmp_path: Path, fast_twin: None) -> None:
    first = invoke(cli, tmp_path, "--to", "dual", "--limit", "kel-hegarsari,setda")
    assert first["exit_code"] == 0, first
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}")
    # --resume takes the interrupted run's options from the journal (a private twin starts
    # afresh, so reconciliation on the same routers is tested below, in-process)
    second = invoke(cli, tmp_path, "--resume", str(first["run_id"]))
    assert second["exit_code"] == 0
    _, steps = journal.run(str(second["run_id"]))
    resumed_params = json.loads(journal.runs(1)[0].params)
    assert resumed_params["resumed_from"] == first["run_id"]
    assert resumed_params["to"] == "dual"
    assert {s.site for s in steps} <= {"kel-hegarsari", "setda"}


@pytest.mark.slow
def test_interrupted_cutover_resumed_converges_and_does_nothing_twice(
    twin_factory: TwinFactory, tmp_path: Path
) -> None:
    from netprov.models import Phase
    from netprov.rollout.cutover import cutover_site, plan_waves, run_cutover
    from netprov.twin.scenario import Scenario, SiteFaults
    from tests.test_pipeline import make_pipeline

    sites = ["kel-hegarsari", "setda", "desa-balokang"]
    # the session to desa-balokang drops in the middle of its first push
    scenario = Scenario(sites={"desa-balokang": SiteFaults(drop_after_config_lines=4)})
    twin = twin_factory(sites, scenario=scenario)
    journal = Journal(f"sqlite:///{tmp_path / 'state.db'}", tmp_path / "backups")

    def cutover() -> tuple[str, list[str]]:
        pipeline = make_pipeline(twin, journal)
        chosen = [pipeline.loaded.site(s) for s in sites]
        run_cutover(
            pipeline,
            plan_waves(chosen),
            run_wave=lambda wave: [
                cutover_site(pipeline, s, Phase.CENTRAL, dt.datetime(2026, 11, 24, 2)) for s in wave
            ],
            max_fail=1.0,
            proceed=lambda n, r: True,
        )
        _, steps = journal.run(pipeline.run_id)
        return pipeline.run_id, [f"{s.site}:{s.step}" for s in steps if s.step == "applied"]

    _, first = cutover()
    assert "desa-balokang:applied" not in first  # interrupted mid-push
    deadline = time.monotonic() + 15
    while (
        twin.devices["desa-balokang"].rebooting
        or "vlan1144" in twin.devices["desa-balokang"].running_config()
    ):
        assert time.monotonic() < deadline
        time.sleep(0.1)  # the device's own revert puts it back on legacy
    twin.devices["desa-balokang"].faults = SiteFaults()  # the link engineer fixed the session issue
    _, second = cutover()
    assert sorted(second) == [
        "desa-balokang:applied",
        "desa-balokang:applied",
    ]  # dual, then central
    _, third = cutover()
    assert third == []  # converged: a further resume does nothing
    for site in sites:
        assert journal.confirmed_phase(site) == "central"


def test_finalize_only_after_the_soak(twin_factory: TwinFactory, tmp_path: Path) -> None:
    from netprov.models import Phase
    from netprov.rollout.cutover import cutover_site, finalize_site
    from tests.test_pipeline import make_pipeline

    twin = twin_factory(["kel-hegarsari"])
    journal = Journal(f"sqlite:///{tmp_path / 'state.db'}", tmp_path / "backups")
    pipeline = make_pipeline(twin, journal)
    site = pipeline.loaded.site("kel-hegarsari")
    early = finalize_site(pipeline, site, dt.timedelta(days=14))
    assert (early.status, early.detail) == ("skipped", "not confirmed on the central provider")
    assert (
        cutover_site(pipeline, site, Phase.CENTRAL, dt.datetime(2026, 11, 24, 2)).status
        == "confirmed"
    )
    soaking = finalize_site(pipeline, site, dt.timedelta(days=14))
    assert soaking.status == "skipped"
    assert "soak not over" in soaking.detail
    done = finalize_site(pipeline, site, dt.timedelta(0))
    assert done.status == "confirmed", done.as_dict()
    export = twin.devices["kel-hegarsari"].running_config()
    assert "pppoe-legacy" not in export  # the office ISP line is gone
    assert "netprov:central" in export
    assert journal.confirmed_phase("kel-hegarsari") == "final"


@pytest.mark.slow
def test_sigkill_mid_wave_then_resume_converges(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys

    sites = "kel-hegarsari,setda,desa-balokang,dinsos"
    hosts = tmp_path / "hosts.yaml"
    scenario = tmp_path / "slow.yaml"  # slow routers, so the kill lands in the middle of the wave
    scenario.write_text("sites:\n" + "".join(f"  {s}: {{slow_ms: 30}}\n" for s in sites.split(",")))
    env = {**os.environ, "NO_COLOR": "1"}
    twin = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "netprov",
            "twin",
            "up",
            "--inventory",
            str(SAMPLE),
            "--hosts-file",
            str(hosts),
            "--scenario",
            str(scenario),
            "--limit",
            sites,
            "--time-scale",
            "10",
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    common = [
        "--inventory",
        str(SAMPLE),
        "--hosts-file",
        str(hosts),
        "--db",
        f"sqlite:///{tmp_path / 'j.db'}",
        "--backups",
        str(tmp_path / "b"),
        "--now",
        TUESDAY_2AM,
        "--yes",
        "--json",
        "--today",
        "2026-11-22",
    ]
    try:
        deadline = time.monotonic() + 60
        while not hosts.exists():
            assert time.monotonic() < deadline
            assert twin.poll() is None
            time.sleep(0.1)
        run = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "netprov",
                "cutover",
                *common,
                "--to",
                "central",
                "--limit",
                sites,
                "--max-fail",
                "100%",
            ],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        journal = Journal(f"sqlite:///{tmp_path / 'j.db'}")
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            runs = journal.runs(1)
            if runs and len([s for s in journal.run(runs[0].id)[1] if s.step == "applied"]) >= 2:
                break
            time.sleep(0.1)
        run.send_signal(signal.SIGKILL)
        run.wait(timeout=30)
        killed = journal.runs(1)[0].id
        done_before = {
            s.site
            for s in journal.run(killed)[1]
            if s.step == "confirmed" and s.detail == "phase=central"
        }
        assert len(done_before) < 4  # killed mid-wave
        resumed = subprocess.run(
            [sys.executable, "-m", "netprov", "cutover", *common, "--resume", killed],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert resumed.returncode == 0, resumed.stdout + resumed.stderr
        document = json.loads(resumed.stdout)
        applied_again = {s.site for s in journal.run(document["run_id"])[1] if s.step == "applied"}
        assert not applied_again & done_before  # nothing done twice
        assert journal.run(killed)[0] is not None
        assert journal.runs(5)[1].status == "interrupted"
        # same end state as an uninterrupted run: every router exactly at `central`
        plan_args = [
            "--inventory",
            str(SAMPLE),
            "--hosts-file",
            str(hosts),
            "--db",
            f"sqlite:///{tmp_path / 'j.db'}",
            "--backups",
            str(tmp_path / "b"),
            "--today",
            "2026-11-22",
        ]
        plan = subprocess.run(
            [
                sys.executable,
                "-m",
                "netprov",
                "plan",
                *plan_args,
                "--phase",
                "central",
                "--limit",
                sites,
                "--json",
            ],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert plan.returncode == 0, plan.stdout[-2000:] + plan.stderr[-2000:]
    finally:
        twin.send_signal(signal.SIGTERM)
        twin.wait(timeout=30)


@pytest.mark.slow
def test_whole_city_cutover_with_faults(cli: CliRunner, tmp_path: Path, fast_twin: None) -> None:
    """All 82 sites: each ends on the central provider, verified, or rolled back
    byte-identical to its backup (windows removed so every site is in scope)."""
    inventory = tmp_path / "inventory"
    shutil.copytree(SAMPLE, inventory)
    for path in (inventory / "sites").glob("*.yaml"):
        path.write_text(re.sub(r"  maintenance_window:\n(    .*\n)+", "", path.read_text()))
    scenario = tmp_path / "faults.yaml"
    scenario.write_text(
        "sites:\n  setda: {uplinks: {central: {state: down}}}\n"
        "  desa-cujang: {uplinks: {central: {provider_vlan: 3999}}}\n"
        "  kel-sukamaju: {uplinks: {central: {state: lossy, loss_percent: 100}}}\n"
    )
    result = cli.invoke(
        app,
        [
            "cutover",
            "--inventory",
            str(inventory),
            "--today",
            "2026-11-22",
            "--twin",
            "--scenario",
            str(scenario),
            "--to",
            "central",
            "--max-fail",
            "100%",
            "--yes",
            "--json",
            "--db",
            f"sqlite:///{tmp_path / 'j.db'}",
            "--backups",
            str(tmp_path / "b"),
        ],
    )
    assert result.exit_code == 1  # three sites failed, by design
    document = json.loads(result.stdout)
    outcomes = [site for wave in document["waves"] for site in wave["sites"]]
    assert len(outcomes) == 82
    failed = {o["site"]: o for o in outcomes if o["status"] != "confirmed"}
    assert set(failed) == {"setda", "desa-cujang", "kel-sukamaju"}
    assert all(
        o["status"] == "rolled_back" and o["restored_identical"] is True for o in failed.values()
    )
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}")
    confirmed = [o["site"] for o in outcomes if o["status"] == "confirmed"]
    assert all(journal.confirmed_phase(site) == "central" for site in confirmed)
    assert len(document["waves"]) == 5  # canary + the inventory's four waves


def check_in_browser(report: Path, tmp_path: Path) -> None:
    """The report as headless Chromium renders it shows the run's figures."""
    import subprocess

    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed (make browser installs it as root)")
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'chromium'}",
    ]
    dom = subprocess.run(
        [chromium, *flags, "--dump-dom", report.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert "Rp137.500.000" in dom
    wave0 = re.search(r'<tr data-group="0">(.*?)</tr>', dom, re.S)
    assert wave0 is not None
    assert re.findall(r'data-phase="central">(\d+)<', wave0.group(1)) == ["4"]
    shot = tmp_path / "report.png"
    subprocess.run(
        [chromium, *flags, "--window-size=1100,1500", f"--screenshot={shot}", report.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert shot.stat().st_size > 10_000


def test_the_every_check_fault_scenario_rolls_the_central_line_back_at_dual(
    cli: CliRunner, tmp_path: Path, fast_twin: None
) -> None:
    """Issue 22 (1): a central line that drops big DF packets, or whose NAT the router lost,
    was confirmed at dual and found only at central, after the default route had moved;
    dual already carries the city's services over it, so it is proven there."""
    inventory = tmp_path / "inventory"
    shutil.copytree(SAMPLE, inventory)
    for path in (inventory / "sites").glob("*.yaml"):
        path.write_text(re.sub(r"  maintenance_window:\n(    .*\n)+", "", path.read_text()))
    result = cli.invoke(
        app,
        [
            *("cutover", "--inventory", str(inventory), "--today", "2026-11-22", "--twin"),
            *("--scenario", str(REPO / "scenarios" / "every-check-fault.yaml")),
            *("--limit", "setda,dinsos", "--to", "central", "--max-fail", "100%"),
            *("--yes", "--json", "--db", f"sqlite:///{tmp_path / 'j.db'}"),
            *("--backups", str(tmp_path / "b")),
        ],
    )
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    outcomes = {s["site"]: s for wave in document["waves"] for s in wave["sites"]}
    # --to central overrides the inventory (both desire legacy): said, not silent
    assert sorted(document["departs_from_inventory"]) == ["dinsos", "setda"]
    for site, check in (("setda", "path MTU via central"), ("dinsos", "ping internet probe")):
        assert outcomes[site]["status"] == "rolled_back", outcomes[site]
        assert outcomes[site]["restored_identical"] is True
        assert outcomes[site]["detail"].startswith(f"dual: {check}"), outcomes[site]["detail"]
