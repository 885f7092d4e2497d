"""The files ``backup`` keeps in git leave out what a listing prints without the config
changing (the time it was listed, last changed or saved, its size), on real listings, and
keep every config line."""

from __future__ import annotations

from pathlib import Path

from netprov.models import Platform
from netprov.platforms import driver_for

REAL = Path(__file__).parent / "fixtures" / "real"
ROS_EXPORT = REAL / "mikrotik_routeros/ip_address_export_verbose"
IOS_RUN = REAL / "cisco_ios/show_running-config/head_of_show_running-config.raw"
IOS_INTERFACE = REAL / "cisco_ios/show_running-config_interface"


def dropped(platform: Platform, text: str, *, version: str = "") -> list[str]:
    """The lines ``for_git`` leaves out; nothing else is rewritten, but for the RouterOS
    version the export header names, kept without its time (``# by RouterOS 6.48.6``)."""
    kept = driver_for(platform).for_git(text).splitlines()
    if version:
        assert kept[0] == f"# by RouterOS {version}"
        kept = kept[1:]
    assert all(line in text.splitlines() for line in kept)  # nothing rewritten, only left out
    return [line for line in text.splitlines() if line not in kept]


def test_routeros_export_header_time_is_left_out_its_version_kept() -> None:
    (raw,) = ROS_EXPORT.glob("*.raw")  # a RouterOS 6.48 export: "# jul/21/2023 ... by RouterOS"
    text = raw.read_text()
    assert dropped(Platform.MIKROTIK_ROUTEROS, text, version="6.48.6") == [
        "# jul/21/2023 09:42:42 by RouterOS 6.48.6"
    ]
    v7 = "# 2024-01-10 12:00:00 by RouterOS 7.13\n# software id = 1234-ABCD\n/ip dns\n"
    assert dropped(Platform.MIKROTIK_ROUTEROS, v7, version="7.13") == [
        "# 2024-01-10 12:00:00 by RouterOS 7.13"
    ]


def test_ios_time_stamps_and_size_are_left_out() -> None:
    assert dropped(Platform.CISCO_IOS, IOS_RUN.read_text()) == [
        "Building configuration...",
        "Current configuration : 1579 bytes",
        "! Last configuration change at 12:32:40 UTC Thu Oct 27 2016",
        "! NVRAM config last updated at 16:10:30 UTC Tue Nov 8 2016 by admin",
    ]
    (raw,) = IOS_INTERFACE.glob("*.raw")
    assert dropped(Platform.CISCO_IOS, raw.read_text()) == [
        "Building configuration...",
        "Current configuration : 440 bytes",
    ]


def test_secrets_are_still_masked() -> None:
    text = "username noc privilege 15 secret 9 $9$abcdefgh\nhostname r1\n"
    assert "$9$abcdefgh" not in driver_for(Platform.CISCO_IOS).for_git(text)
