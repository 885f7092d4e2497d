"""The uplinks a site has in a phase, each named as its router's platform names it.

Above the drivers (it asks the site's driver for interface names), so :mod:`netprov.phases`
stays pure data the drivers build on.
"""

from __future__ import annotations

from collections.abc import Iterable

from netprov.models import Organisation, Phase, Site, Uplink
from netprov.phases import DISTANCES, TRACK_IDS, Role, UplinkView
from netprov.platforms import Driver, driver_for


def uplink_views(
    site: Site, org: Organisation, phase: Phase, *, driver: Driver | None = None
) -> list[UplinkView]:
    """The uplinks present in ``phase``, primary first (``driver``: the site's, when the
    caller has it already)."""
    driver = driver or driver_for(site.router.platform)
    candidates: dict[Role, Uplink | None] = {
        Role.LEGACY: site.legacy_uplink,
        Role.CENTRAL: site.central_uplink,
        Role.BACKUP: site.backup_uplink,
    }
    probes = {
        Role.LEGACY: org.probes.legacy,
        Role.CENTRAL: org.probes.central,
        Role.BACKUP: org.probes.backup,
    }
    views = []
    for role, distance in DISTANCES[phase].items():
        uplink = candidates[role]
        if uplink is None:
            continue
        l2, l3 = driver.uplink_names(role, uplink)
        views.append(
            UplinkView(
                role=role,
                uplink=uplink,
                provider_name=org.provider_name(uplink.provider),
                distance=distance,
                track=TRACK_IDS[role],
                probe=probes[role],
                port=uplink.interface,
                l2=l2,
                l3=l3,
            )
        )
    return sorted(views, key=lambda v: v.distance)


def uplinks_in(text: str, driver: Driver, views: Iterable[UplinkView]) -> set[Role]:
    """Which of the uplinks ``views`` the config ``text`` has, found by the interfaces or
    tags netprov gives them."""
    return {view.role for view in views if driver.has_uplink(text, view)}
