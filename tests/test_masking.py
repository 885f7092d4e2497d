"""Secrets are masked by what the text says (each platform's secret patterns), never by what
the environment holds when the text is shown (issue 12 item 3; issue 13)."""

from __future__ import annotations

from pathlib import Path

import pytest

from netprov.models import Phase, Platform
from netprov.plan import SitePlan
from netprov.platforms import driver_for
from netprov.platforms.ios.secrets import SECRET_FORMS
from netprov.platforms.routeros.secrets import SECRET_PROPERTIES, SecretProperty
from netprov.reports.evidence import write_evidence
from netprov.state.journal import Journal
from netprov.state.journal_rows import Step
from netprov.twin.pytest_plugin import TwinFactory
from tests.conftest import Edit, twin_cli_args

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
    journal.store_backup(run, "setda", Platform.CISCO_IOS, IOS_RUNNING, file_content="x")
    journal.step(run, "setda", Step.APPLIED, diff="ip domain name x")
    journal.step(run, "setda", Step.CONFIRMED, detail="phase=dual", phase=Phase.DUAL)
    journal.store_backup(run, "setda", Platform.CISCO_IOS, IOS_RUNNING + "ip domain name x\n")
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
    journal.store_backup(run, "setda", Platform.CISCO_IOS, IOS_RUNNING, file_content="masked")
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
    journal.store_backup(journal.start_run("backup"), "setda", Platform.CISCO_IOS, IOS_RUNNING)
    monkeypatch.setenv("NETPROV_BACKUP_KEY", Fernet.generate_key().decode())
    other = Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "backups")
    with pytest.raises(JournalError, match="cannot be decrypted with this backup key"):
        other.backup("setda")


# --- issue 37 item 5: every documented secret, the class not the case ---------------------

ROS_DRIVER = driver_for(Platform.MIKROTIK_ROUTEROS)
IOS_DRIVER = driver_for(Platform.CISCO_IOS)


@pytest.mark.parametrize("prop", SECRET_PROPERTIES, ids=lambda p: p.name)
def test_every_routeros_secret_property_is_masked(prop: SecretProperty) -> None:
    """Each property of the table, on a command line of its menu and in block form; the
    line's other values are kept."""
    menu = prop.menus[0] if prop.menus else "/interface l2tp-client"
    line = f"{menu} add comment=keep {prop.name}=S3cr3t-value disabled=no"
    assert ROS_DRIVER.mask_secrets(line) == (
        f"{menu} add comment=keep {prop.name}=SECRET-MASKED disabled=no"
    )
    block = f"{menu}\nadd {prop.name}=\\\n    S3cr3t-value comment=keep"
    assert "S3cr3t-value" not in ROS_DRIVER.mask_secrets(block)


def test_the_l2tp_pre_shared_key_is_masked() -> None:
    """Issue 37 item 5: ``ipsec-secret`` (L2TP client and server: MikroTik manual, "L2TP")
    reached git: the pattern's look-behind kept ``secret`` after ``-`` out, and
    ``ipsec-secret`` was not in the list."""
    export = (
        "/interface l2tp-server server\nset enabled=yes ipsec-secret=kunci-l2tp use-ipsec=yes\n"
        "/interface l2tp-client\nadd connect-to=203.0.113.9 ipsec-secret=psk-kantor name=l2tp-out1 "
        "use-ipsec=yes user=kantor\n"
    )
    masked = ROS_DRIVER.for_git(export)
    assert "kunci-l2tp" not in masked
    assert "psk-kantor" not in masked
    assert "ipsec-secret=SECRET-MASKED name=l2tp-out1 use-ipsec=yes user=kantor" in masked


# A /system script as /export prints it (MikroTik manual, "Scripting": a script's source is a
# quoted string, its quotes and ``$`` escaped, ``\r\n`` between lines, wrapped at the
# export's width): what it holds besides the secret is kept byte for byte.
SCRIPT = (
    "/system script\n"
    'add dont-require-permissions=no name=vpn-up owner=admin policy=read,write,test source="\\\n'
    '    :local pass \\"\\$vpnPass\\"\\r\\\n'
    "    \\n/interface l2tp-client set [find name=l2tp-out1] password=abc123 \\\\\\r\\\n"
    '    \\n    ipsec-secret=\\"psk with space\\"\\r\\\n'
    '    \\n/tool fetch url=\\"ftp://backup:ftp-pw@10.0.0.5/x.rsc\\" user=backup \\\n'
    "    password=\\$pass\\r\\\n"
    '    \\n:log info \\"password=kept-as-variable \\$pass\\""\n'
)


def test_a_script_source_is_kept_as_written_but_its_secrets() -> None:
    """Issue 37 item 5: masking inside a script rewrote it (``password=\\S+`` ran over the
    script's ``\\r\\n`` into the next command)."""
    masked = ROS_DRIVER.mask_secrets(SCRIPT)
    expected = (
        SCRIPT.replace("password=abc123", "password=SECRET-MASKED")
        .replace('\\"psk with space\\"', '\\"SECRET-MASKED\\"')
        .replace("backup:ftp-pw@", "backup:SECRET-MASKED@")
        .replace("password=kept-as-variable", "password=SECRET-MASKED")
    )
    assert masked == expected
    assert ROS_DRIVER.mask_secrets(masked) == masked


# One line per IOS command form (Cisco command references; Oxidized's ios model hides the
# same), the secret written S3CRET
IOS_EXAMPLES = [
    ("", "enable secret 5 S3CRET"),
    ("", "enable password level 15 7 S3CRET"),
    ("", "enable algorithm-type scrypt secret S3CRET"),
    ("", "username admin privilege 15 secret 9 S3CRET"),
    ("", "username noc view ops password 0 S3CRET"),
    ("", "username ansible privilege 15 password 0  S3CRET"),
    ("line vty 0 4", " password 7 S3CRET"),
    ("", "snmp-server community S3CRET RO NETPROV-MGMT"),
    ("", "snmp-server host 10.0.0.9 vrf MGMT informs version 2c S3CRET"),
    ("", "snmp-server user noc grp v3 auth sha S3CRET priv aes 128 S3CRET"),
    ("", "tacacs-server host 10.0.0.7 key 7 S3CRET"),
    ("", "radius-server key 0 S3CRET"),
    ("radius server NPS", " key 7 S3CRET"),
    ("tacacs server ISE", " key 6 S3CRET"),
    ("aaa group server tacacs+ T", " server-private 10.0.0.7 key 7 S3CRET"),
    ("aaa server radius dynamic-author", " client 10.0.0.8 server-key 7 S3CRET"),
    ("key chain OSPF", "  key-string 7 S3CRET"),
    ("interface Vlan10", " standby 1 authentication md5 key-string S3CRET"),
    ("", "crypto isakmp key 0 S3CRET address 203.0.113.2"),
    ("crypto isakmp client configuration group OFFICE", " key S3CRET"),
    ("crypto keyring KR", " pre-shared-key address 203.0.113.2 key S3CRET"),
    ("crypto ikev2 keyring KR", "  pre-shared-key local 6 S3CRET"),
    ("crypto ikev2 profile P", " authentication local pre-share key S3CRET"),
    ("interface Dialer1", " ppp chap password 7 S3CRET"),
    ("interface Dialer1", " ppp pap sent-username isp@x password 0 S3CRET"),
    ("dot11 ssid OFFICE", " wpa-psk ascii 7 S3CRET"),
    ("wlan OFFICE 1 OFFICE", " security wpa psk set-key ascii 0 S3CRET"),
    ("ap profile default", " dot1x username ap password 0 S3CRET"),
    ("ap profile default", " mgmtuser username ap password 0 S3CRET secret 0 S3CRET"),
    ("", "ntp authentication-key 1 md5 S3CRET 7"),
    ("interface Gi0/0", " ip ospf authentication-key 7 S3CRET"),
    ("interface Gi0/0", " ip ospf message-digest-key 1 md5 7 S3CRET"),
    ("interface Gi0/0", " ipv6 ospf authentication ipsec spi 256 md5 S3CRET"),
    ("router eigrp NAMED", "   authentication mode hmac-sha-256 7 S3CRET"),
    ("router bgp 65001", " neighbor 192.0.2.1 password 7 S3CRET"),
    ("", "mpls ldp neighbor 192.0.2.1 password 7 S3CRET"),
    ("interface Vlan10", " standby 1 authentication S3CRET"),
    ("interface Vlan10", " vrrp 1 authentication text S3CRET"),
    ("router isis", " area-password S3CRET"),
    ("interface Gi0/1", " isis password S3CRET"),
    ("vpdn-group 1", " l2tp tunnel password 7 S3CRET"),
    ("interface Tunnel0", " ip nhrp authentication S3CRET"),
    ("", "vtp password S3CRET"),
    ("", "ip ftp password 7 S3CRET"),
    ("", "key config-key password-encrypt S3CRET"),
    ("archive", " path ftp://backup:S3CRET@10.0.0.5/$h"),
]


@pytest.mark.parametrize(("section", "line"), IOS_EXAMPLES, ids=[x[1] for x in IOS_EXAMPLES])
def test_every_ios_secret_form_is_masked(section: str, line: str) -> None:
    text = f"{section}\n{line}\n" if section else f"{line}\n"
    masked = IOS_DRIVER.mask_secrets(text)
    assert "S3CRET" not in masked
    assert masked.replace("SECRET-MASKED", "S3CRET") == text  # nothing else changed
    assert IOS_DRIVER.mask_secrets(masked) == masked


@pytest.mark.parametrize(("section", "line"), IOS_EXAMPLES, ids=[x[1] for x in IOS_EXAMPLES])
def test_every_ios_secret_form_is_masked_in_its_no_form(section: str, line: str) -> None:
    """A plan takes an office line off with its ``no`` form, the secret in it (the 881's
    ``no ppp chap password 7 ...``, the corpus rehearsal's journal): masked all the same."""
    indent = line[: len(line) - len(line.lstrip())]
    negated = f"{indent}no {line.lstrip()}"
    text = f"{section}\n{negated}\n" if section else f"{negated}\n"
    masked = IOS_DRIVER.mask_secrets(text)
    assert "S3CRET" not in masked
    assert masked.replace("SECRET-MASKED", "S3CRET") == text


def test_every_ios_secret_form_has_an_example() -> None:
    import re

    unused = [
        form.pattern
        for form in SECRET_FORMS
        if not any(re.search(form.pattern, line) for _, line in IOS_EXAMPLES)
    ]
    assert unused == []


def test_ios_lines_that_hold_no_secret_are_kept() -> None:
    """The same words elsewhere: a key chain's key number, the type 6 switch, an SNMPv3
    host's user, an MD5 key chain named for HSRP."""
    text = (
        "key chain OSPF\n key 1\n  key-string 7 S3CRET\n"
        "password encryption aes\n"
        "snmp-server host 10.0.0.9 vrf MGMT informs version 3 auth noc\n"
        "interface Vlan10\n standby 1 authentication md5 key-chain HSRP\n"
        "service password-encryption\n"
    )
    masked = IOS_DRIVER.mask_secrets(text)
    assert masked == text.replace("S3CRET", "SECRET-MASKED")


# Lines an office router holds beside its default configuration (MikroTik manual: "L2TP",
# "PPP AAA", "Scripting"): a VPN client to the head office, a PPP account and a script
# that brings the tunnel up with its own copy of the password.
OFFICE_SECRETS = {
    "psk-kantor-rahasia": "ipsec-secret",
    "l2tp-pw-rahasia": "password",
    "ppp-pw-rahasia": "password",
    "script-pw-rahasia": "password",
}
OFFICE_LINES = (
    "/interface l2tp-client\n"
    "add connect-to=203.0.113.9 ipsec-secret=psk-kantor-rahasia name=l2tp-kantor \\\n"
    "    password=l2tp-pw-rahasia use-ipsec=yes user=kantor\n"
    "/ppp secret\n"
    "add name=teknisi password=ppp-pw-rahasia service=l2tp\n"
    "/system script\n"
    'add name=vpn-up owner=admin policy=read,write source="/interface l2tp-client set \\\n'
    '    [find name=l2tp-kantor] password=script-pw-rahasia\\r\\n:log info \\"vpn up\\""\n'
)


@pytest.mark.twin
def test_no_office_secret_reaches_git_plans_the_journal_or_reports(
    twin_factory: TwinFactory, edit: Edit, inventory_copy: Path, tmp_path: Path
) -> None:
    """Issue 37 item 5, end to end: an office router with an L2TP/IPsec client, a PPP
    secret and a script holding a password; backup, plan (shown, --diff, saved), apply,
    evidence pack and report: none holds one of its secrets; git's backup keeps the script."""
    from typer.testing import CliRunner

    from netprov.cli import app
    from netprov.twin.scenario import Scenario
    from tests.test_in_service import ROS_DEFCONF, ROS_LAN, ROS_SITE

    edit("sites/kecamatan-kelurahan.yaml", ROS_LAN, ROS_LAN.replace("ether2", "bridge"))
    config = tmp_path / "office.rsc"
    config.write_text(ROS_DEFCONF.read_text(encoding="utf-8") + OFFICE_LINES, encoding="utf-8")
    twin = twin_factory(
        [ROS_SITE], inventory=inventory_copy, scenario=Scenario(configs={ROS_SITE: str(config)})
    )
    assert "psk-kantor-rahasia" in twin.devices[ROS_SITE].running_config()
    common = twin_cli_args(twin, tmp_path, ROS_SITE, inventory_copy)
    cli = CliRunner()
    shown = []
    shared = _only(common, {"--inventory", "--db", "--today"})
    for args, expected in (
        (["backup", *common], 0),
        (["plan", *common, "--phase", "legacy", "--diff", "--out", str(tmp_path / "plan.json")], 2),
        (["apply", *common, "--phase", "legacy", "--yes"], 0),
        (["evidence", ROS_SITE, *shared, "--backups", str(tmp_path / "b")], 0),
        (["report", *shared, "--out", str(tmp_path / "report.html")], 0),
    ):
        if args[0] == "evidence":
            args += ["--out", str(tmp_path / "evidence")]
        result = cli.invoke(app, args)
        assert result.exit_code == expected, (args[0], result.output)
        shown.append(result.output)
    git_backup = (tmp_path / "b" / f"{ROS_SITE}.cfg").read_text(encoding="utf-8")
    assert 'name=vpn-up owner=admin policy=read,write source="/interface l2tp-client set' in (
        git_backup.replace("\\\n    ", "")
    )
    files = [tmp_path / "plan.json", tmp_path / "report.html", tmp_path / "j.db"]
    files += [*(tmp_path / "b").iterdir(), *(tmp_path / "evidence" / ROS_SITE).iterdir()]
    texts = [*shown, *(f.read_bytes().decode("utf-8", errors="replace") for f in files)]
    leaks = [s for s in OFFICE_SECRETS for text in texts if s in text]
    assert leaks == []


def _only(args: list[str], options: set[str]) -> list[str]:
    """The given ``options`` (with their values) of a command's option list."""
    kept = []
    for name, value in zip(args[::2], args[1::2], strict=True):
        if name in options:
            kept += [name, value]
    return kept
