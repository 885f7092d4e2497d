"""Secrets are masked by what the text says (each platform's secret patterns), never by what
the environment holds when the text is shown (issue 12 item 3; issue 13)."""

from __future__ import annotations

from pathlib import Path

import pytest

from netprov.evidence import write_evidence
from netprov.journal import Journal
from netprov.models import Phase, Platform
from netprov.plan import SitePlan
from netprov.platforms import driver_for

IOS_RUNNING = """hostname r1
username admin privilege 15 secret 9 $9$abcdefgh
enable secret 5 $1$xyz
snmp-server community c0mmunity RO NETPROV-SNMP
interface Dialer1
 ppp chap password 0 chappass
 ppp pap sent-username isp@x password 0 pappass
"""
ROS_EXPORT = """/interface pppoe-client add interface=ether1 name=pppoe-legacy password=pppoepass
/snmp community add addresses=10.250.10.0/24 comment=netprov:snmp name=c0mmunity
/interface wireguard add name=wg1 private-key="wgkey+abc="
/ip ipsec identity add peer=p1 secret=ipsecpass
"""
SECRETS = [
    "$9$abcdefgh",
    "$1$xyz",
    "c0mmunity",
    "chappass",
    "pappass",
    "pppoepass",
    "wgkey+abc=",
    "ipsecpass",
]


@pytest.mark.parametrize(
    ("platform", "text"),
    [(Platform.CISCO_IOS, IOS_RUNNING), (Platform.MIKROTIK_ROUTEROS, ROS_EXPORT)],
)
def test_every_secret_pattern_is_masked(platform: Platform, text: str) -> None:
    masked = driver_for(platform).mask_secrets(text)
    assert not [s for s in SECRETS if s in masked]
    assert "hostname r1" in masked or "name=pppoe-legacy" in masked  # the rest is kept


def test_evidence_without_the_environment_holds_no_secret(tmp_path: Path) -> None:
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "backups")
    run = journal.start_run("apply")
    journal.store_backup(run, "setda", "cisco_ios", IOS_RUNNING, file_content="x")
    journal.step(run, "setda", "applied", diff="ip domain name x")
    journal.step(run, "setda", "confirmed", detail="phase=dual", phase=Phase.DUAL)
    journal.store_backup(run, "setda", "cisco_ios", IOS_RUNNING + "ip domain name x\n")
    pack = write_evidence(
        journal, "setda", tmp_path / "out", driver_for(Platform.CISCO_IOS).mask_secrets
    )
    for path in pack.iterdir():
        text = path.read_text(encoding="utf-8")
        assert not [s for s in SECRETS if s in text], path.name


def test_a_shown_or_saved_plan_holds_no_secret() -> None:
    plan = SitePlan(
        "kel-hegarsari",
        Platform.MIKROTIK_ROUTEROS,
        Phase.DUAL,
        "f",
        ROS_EXPORT.splitlines(),
        [],
    )
    assert "pppoepass" not in str(plan.as_dict(driver_for(plan.platform).mask_secrets))
    assert "password=SECRET-MASKED" in str(plan.as_dict(driver_for(plan.platform).mask_secrets))


def test_journal_backups_are_sealed_at_rest(tmp_path: Path) -> None:
    """A backup must keep its secrets to restore the router exactly: the journal keeps it
    encrypted (Fernet, key beside the embedded journal, 0600) and hands it back whole."""
    import sqlite3

    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "backups")
    run = journal.start_run("backup")
    journal.store_backup(run, "setda", "cisco_ios", IOS_RUNNING, file_content="masked")
    with sqlite3.connect(tmp_path / "j.db") as db:
        (stored,) = db.execute("SELECT content FROM backups").fetchone()
    assert stored.startswith("fernet:")
    assert not [s for s in SECRETS if s in stored]
    assert (tmp_path / "backup.key").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "j.db").stat().st_mode & 0o777 == 0o600
    again = Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "backups", create=False)
    backup = again.backup("setda")
    assert backup is not None
    assert backup.content == IOS_RUNNING


def test_a_sealed_backup_with_the_wrong_key_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cryptography.fernet import Fernet

    from netprov.errors import JournalError

    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "backups")
    journal.store_backup(journal.start_run("backup"), "setda", "cisco_ios", IOS_RUNNING)
    monkeypatch.setenv("NETPROV_BACKUP_KEY", Fernet.generate_key().decode())
    other = Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "backups")
    with pytest.raises(JournalError, match="cannot be decrypted with this backup key"):
        other.backup("setda")
