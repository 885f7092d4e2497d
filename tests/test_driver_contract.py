"""Every platform driver implements the whole contract with the same signatures (as napalm's
``test_method_signatures`` holds its drivers to ``NetworkDriver``)."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from netprov.models import Platform
from netprov.platforms import DRIVERS, driver_for
from netprov.platforms.base import Driver, Session

ROOT = Path(__file__).parent.parent


def _public(cls: type) -> dict[str, Callable[..., object]]:
    return {
        name: member
        for name, member in inspect.getmembers(cls)
        if not name.startswith("_") and callable(member)
    }


@pytest.mark.parametrize("platform", list(Platform))
def test_every_platform_has_a_driver(platform: Platform) -> None:
    assert driver_for(platform).platform is platform


@pytest.mark.parametrize("driver", DRIVERS.values(), ids=lambda d: d.platform.value)
def test_driver_and_session_signatures_match_the_contract(driver: Driver) -> None:
    for base, cls in ((Driver, type(driver)), (Session, driver.session_class)):
        assert not inspect.isabstract(cls), f"{cls.__name__} leaves abstract methods"
        for name, member in _public(base).items():
            ours = getattr(cls, name)
            # same parameters (a narrower return type is fine)
            ours_params = list(inspect.signature(ours).parameters.values())
            base_params = list(inspect.signature(member).parameters.values())
            assert ours_params == base_params, (
                f"{cls.__name__}.{name}{inspect.signature(ours)} differs from "
                f"{base.__name__}.{name}{inspect.signature(member)}"
            )
    assert inspect.signature(driver.session_class.__init__) == inspect.signature(Session.__init__)
    assert driver.session_class.probe_command


def _tracked_python(*folders: str) -> list[Path]:
    found = {path.resolve() for folder in folders for path in (ROOT / folder).rglob("*.py")}
    return sorted(path for path in found if ".venv" not in path.parts)


def test_no_production_module_imports_the_twin() -> None:
    # the CLI starts twins (--twin, twin up)
    allowed = {"netprov/cli/app.py", "netprov/cli/router_run.py", "netprov/cli/twin.py"}
    allowed.add("netprov/rollout/targets.py")  # a twin's hosts file: the twin's made-up secrets
    offenders = [
        str(path.relative_to(ROOT))
        for path in _tracked_python("netprov", "tasks")
        if "/netprov/twin/" not in str(path)
        and str(path.relative_to(ROOT)) not in allowed
        and "netprov.twin" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_no_platform_branches_outside_the_drivers() -> None:
    patterns = ("Platform.CISCO_IOS", "Platform.MIKROTIK_ROUTEROS", "IosSession", "RosSession")
    offenders = [
        str(path.relative_to(ROOT))
        for path in _tracked_python("netprov", "tasks")
        if "/netprov/platforms/" not in str(path)
        and any(p in path.read_text(encoding="utf-8") for p in patterns)
    ]
    assert offenders == []


@pytest.mark.parametrize(
    ("platform", "command", "removal"),
    [
        (Platform.MIKROTIK_ROUTEROS, '/ip route remove [ find where comment="netprov:x" ]', True),
        # a DHCP client's script may say "remove": the command is a `set` (issue 21, 8)
        (
            Platform.MIKROTIK_ROUTEROS,
            '/ip dhcp-client set [ find where comment=netprov:backup ] script=":if ($bound=1) '
            'do={/ip route remove [find where comment=\\"p\\"]}"',
            False,
        ),
        (Platform.MIKROTIK_ROUTEROS, "/ip address add address=10.0.0.1/24 interface=x", False),
        (Platform.CISCO_IOS, "no ip route 0.0.0.0 0.0.0.0 Dialer1", True),
        (Platform.CISCO_IOS, " no ip nat outside", True),
        (Platform.CISCO_IOS, "default interface GigabitEthernet0/0/1", True),
        (Platform.CISCO_IOS, "ip route 10.0.0.0 255.0.0.0 10.1.1.1", False),
    ],
)
def test_a_removal_is_told_by_the_command_not_by_its_words(
    platform: Platform, command: str, removal: bool
) -> None:
    assert driver_for(platform).removes(command) is removal


GUIDE = ROOT / "docs" / "adding-a-platform.md"


def test_the_guide_to_adding_a_platform_names_files_that_exist() -> None:
    """Each file the guide's table names for RouterOS and for IOS is there."""
    rows = [line.split("|") for line in GUIDE.read_text(encoding="utf-8").splitlines()]
    named = [
        cell.strip().strip("`")
        for row in rows
        if len(row) == 6 and row[2].strip().startswith("`")
        for cell in (row[2], row[3])
    ]
    assert len(named) >= 20
    assert [path for path in named if not (ROOT / path).exists()] == []


def test_the_guide_names_every_part_of_the_driver_and_session_contracts() -> None:
    """A new platform's author works from the guide: nothing the contract asks is missing."""
    text = GUIDE.read_text(encoding="utf-8")
    named = set(re.findall(r"`(\w+)`", text))
    contract = {name for cls in (Driver, Session) for name in vars(cls) if not name.startswith("_")}
    assert contract - named == set()
