"""``/import file-name=X verbose=yes dry-run`` on the twin's RouterOS (issue 38): on a
version that has it (7.16 and later) every line of the file is checked against the
router's state, nothing changes, and the first line it refuses is reported with its line
number in the file; an older RouterOS refuses the ``dry-run`` argument as any word it does
not know. ``/file print file=X`` and ``/file set X.txt contents=`` put a file on it."""

from __future__ import annotations

from netprov.sim.routeros.router import RosDevice
from tests.test_ros_versions import _router, _run


def _with_file(version: str, contents: str) -> tuple[RosDevice, str]:
    device = _router(version=version)
    _run(device, "/file print file=netprov-check")
    assert "netprov-check.txt" in device.files
    escaped = contents.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    assert _run(device, f'/file set netprov-check.txt contents="{escaped}"') == ""
    assert device.files["netprov-check.txt"] == contents
    return device, _run(device, "/export")


GOOD = "/ip firewall address-list add list=probe address=192.0.2.7\n"
BAD = GOOD + "/ip firewall address-list add list=probe address=192.0.2.8 colour=red\n"


def test_a_dry_run_changes_nothing_and_says_the_file_is_good() -> None:
    device, before = _with_file("7.16.2", GOOD)
    out = _run(device, "/import file-name=netprov-check.txt verbose=yes dry-run")
    assert "192.0.2.7" not in _run(device, "/export")
    assert _run(device, "/export") == before
    assert "(line" not in out


def test_a_dry_run_names_the_refused_line_of_the_file() -> None:
    device, before = _with_file("7.16.2", BAD)
    out = _run(device, "/import file-name=netprov-check.txt verbose=yes dry-run")
    assert "expected end of command (line 2 column" in out
    assert _run(device, "/export") == before  # the first (good) line did not stay either


def test_routeros_before_7_16_refuses_the_dry_run_argument() -> None:
    for version in ("6.49.8", "7.15.3"):
        device, before = _with_file(version, GOOD)
        out = _run(device, "/import file-name=netprov-check.txt verbose=yes dry-run")
        assert out.startswith("expected end of command (line 1 column"), out
        assert _run(device, "/export") == before  # nothing imported


def test_a_file_is_removed() -> None:
    device, _ = _with_file("7.16.2", GOOD)
    _run(device, "/file remove netprov-check.txt")
    assert "netprov-check.txt" not in device.files
