"""Structured checks that a site works after a change: name, expected, observed, verdict.

The commands and the readers of their output come from the platform driver; this module
only decides what to check and what counts as passing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from netprov.errors import DeviceError
from netprov.models import Organisation, Phase, Site
from netprov.phases import Role, uplink_views
from netprov.platforms import Driver, Session, driver_for

PING_COUNT = 3


@dataclass(frozen=True)
class Check:
    name: str
    expected: str
    observed: str
    ok: bool

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _management(session: Session) -> Check:
    """The session doing the change still answers: measured, never assumed."""
    try:
        elapsed_ms, output = session.round_trip()
    except DeviceError as exc:
        return Check("management session", "answers", f"no answer ({exc})", False)
    ok = bool(output.strip())
    observed = f"answered in {elapsed_ms:.0f} ms" if ok else "empty answer"
    return Check("management session", "answers", observed, ok)


def _ping(session: Session, driver: Driver, name: str, address: str) -> Check:
    result = driver.read_ping(session.send(driver.ping_command(address, count=PING_COUNT)))
    return Check(name, "replies", f"{result.received}/{result.sent}", result.received > 0)


def verify_site(session: Session, site: Site, org: Organisation, phase: Phase) -> list[Check]:
    """Run every check on ``session`` (the session doing the change)."""
    driver = driver_for(site.router.platform)
    views = uplink_views(site, org, phase)
    primary = views[0]
    checks = [_management(session)]

    state = driver.read_interface(session.send(driver.interfaces_command()), primary.l3)
    checks.append(Check(f"uplink {primary.l3} up", "running", state.status, state.running))
    gateway = driver.read_default_gateway(session.send(driver.routes_command()))

    expected_default = driver.expected_default_gateway(primary)
    if primary.static is not None:
        gw = str(primary.static.gateway)
        checks.append(_ping(session, driver, f"ping {primary.role.value} gateway {gw}", gw))
    if expected_default is not None:
        checks.append(
            Check(
                "default route via " + primary.role.value,
                expected_default,
                gateway,
                gateway == expected_default,
            )
        )
    else:
        checks.append(
            Check("default route via " + primary.role.value, "present", gateway, gateway != "none")
        )

    targets = [
        ("ping internet probe", primary.probe),
        *[("ping filtering resolver", r) for r in org.dns.filtering_resolvers],
    ]
    for label, address in targets:
        checks.append(_ping(session, driver, f"{label} {address}", str(address)))
    for service in site.services:
        checks.append(
            _ping(
                session, driver, f"service {service.name} ({service.address})", str(service.address)
            )
        )
    if site.backup_uplink is not None:
        backup = next(v for v in views if v.role is Role.BACKUP)
        marker = driver.failover_marker(backup)
        present = marker in session.running()
        checks.append(
            Check(
                "failover route for backup line",
                marker,
                "present" if present else "missing",
                present,
            )
        )
    return checks
