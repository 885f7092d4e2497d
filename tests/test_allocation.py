"""Bandwidth allocation: proportional, floors honoured, never above capacity or demand."""

from __future__ import annotations

import pytest

from netprov.allocation import AllocationInfeasibleError, allocate, water_fill
from netprov.inventory.loader import load_inventory
from netprov.models import BandwidthPolicy, SiteKind
from tests.conftest import SAMPLE, TODAY


def test_water_fill_is_proportional_until_a_bound_binds() -> None:
    shares = water_fill(90, [1, 2, 3], [0, 0, 0], [1000, 1000, 1000])
    assert shares == pytest.approx([15, 30, 45])
    shares = water_fill(90, [1, 2, 3], [20, 0, 0], [1000, 1000, 1000])
    assert shares[0] == pytest.approx(20)
    assert shares[1] / shares[2] == pytest.approx(2 / 3)
    assert sum(shares) == pytest.approx(90)


def test_sample_city_allocation_respects_capacity_floors_and_demand() -> None:
    loaded = load_inventory(SAMPLE, today=TODAY)
    org = loaded.organisation
    allocations = loaded.allocations
    assert set(allocations) == {s.id for s in loaded.sites}
    for provider in org.central_providers:
        rows = [a for a in allocations.values() if a.provider == provider.id]
        assert sum(a.guaranteed_kbps for a in rows) <= provider.capacity_mbps * 1000
        # oversubscribed providers hand out (nearly) all their capacity as guarantees
        assert sum(a.guaranteed_kbps for a in rows) >= provider.capacity_mbps * 1000 - len(rows)
    for site in loaded.sites:
        allocation = allocations[site.id]
        floor = org.bandwidth.floors_mbps.get(site.kind, 0) * 1000
        assert allocation.guaranteed_kbps >= min(floor, allocation.demand_kbps) - 1
        assert allocation.guaranteed_kbps <= allocation.demand_kbps
        assert (
            allocation.guaranteed_kbps
            <= allocation.ceiling_kbps
            <= site.central_uplink.bandwidth_mbps * 1000
        )
    # weight 1.5 (MPP) gets more per Mbps of demand than weight 1.0 sites of its provider
    mpp, desa = allocations["mpp"], allocations["desa-balokang"]
    assert mpp.guaranteed_kbps / mpp.demand_kbps > desa.guaranteed_kbps / desa.demand_kbps


def test_floors_above_capacity_are_infeasible() -> None:
    loaded = load_inventory(SAMPLE, today=TODAY)
    policy = BandwidthPolicy(floors_mbps={SiteKind.PUSKESMAS: 15})  # 10 x 15 > 100
    with pytest.raises(AllocationInfeasibleError, match="telkom-astinet"):
        allocate(loaded.organisation.central_providers, loaded.sites, policy)
