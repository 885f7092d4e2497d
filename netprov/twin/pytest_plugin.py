"""pytest plugin (entry point ``pytest11``): the ``twin_factory`` fixture.

    def test_something(twin_factory):
        twin = twin_factory(["setda"], scenario=Scenario(...))
        device = twin.devices["setda"]   # host 127.0.0.1, device.port, password "twin-pw"

Each twin runs in a background thread of the test process and is stopped afterwards.
Device timers run 30x faster than real time by default, so a 2-minute revert fires in 4 s.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from netprov.inventory.loader import load_inventory
from netprov.models import Phase
from netprov.twin.build import build_twin
from netprov.twin.cli_base import TwinClock
from netprov.twin.running import Twin
from netprov.twin.scenario import Scenario

TWIN_PASSWORD = "twin-pw"  # noqa: S105 - a loopback test double's password

TwinFactory = Callable[..., Twin]


@pytest.fixture
def twin_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwinFactory]:
    started: list[Twin] = []
    key = tmp_path_factory.getbasetemp() / "twin_host_key"

    def make(
        site_ids: list[str] | None,
        *,
        inventory: Path = Path("inventory"),
        scenario: Scenario | None = None,
        time_scale: float = 30.0,
        start_phase: Phase = Phase.LEGACY,
    ) -> Twin:
        loaded = load_inventory(inventory)
        twin = build_twin(
            loaded,
            site_ids=site_ids,
            scenario=scenario,
            clock=TwinClock(time_scale),
            host_key_path=key,
            password=TWIN_PASSWORD,
            start_phase=start_phase,
        )
        twin.start_in_thread()
        started.append(twin)
        return twin

    yield make
    for twin in started:
        twin.stop_thread()
