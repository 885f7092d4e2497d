"""What a plan may bring to a router in service only when the inventory asks for it by name.

A platform's plan engine sees configs; whether the inventory *said* something, or a value
is only its default, is known here. Pure: the plan, the site and the router's config in,
the plan (with its conflicts and notices) out.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from ipaddress import IPv4Network
from typing import TYPE_CHECKING

from netprov.models import Site
from netprov.plan import SitePlan

if TYPE_CHECKING:  # handed in: the core never imports the drivers
    from netprov.platforms import Driver


POLICY_ROUTING = "policy routing in service"


def with_in_service_policies(
    driver: Driver,
    site: Site,
    running: str,
    plan: SitePlan,
    city: Sequence[IPv4Network] = (),
) -> SitePlan:
    """Each in-service policy below, in turn (``city``: the organisation's central
    services networks)."""
    plan = _with_interfaces(driver, site, running, plan)
    plan = with_policy_routing(driver, site, running, plan, city)
    return _with_lan_dhcp(driver, site, running, plan)


# the inventory fields that name a router's interface
_INTERFACE_FIELDS = ("lan", "legacy_uplink", "central_uplink", "backup_uplink")
_MISSING = re.compile(r"^interface \S+ \((\w+)\.interface\) is not on the router")


def missing_interface_field(conflict: str) -> tuple[str, ...] | None:
    """The inventory field a conflict of :func:`_with_interfaces` names, if it is one.

    Examples:
        >>> missing_interface_field("interface ether5 (lan.interface) is not on the router")
        ('lan', 'interface')
    """
    match = _MISSING.match(conflict)
    return (match[1], "interface") if match else None


def _with_interfaces(driver: Driver, site: Site, running: str, plan: SitePlan) -> SitePlan:
    """Every interface the plan's commands name exists on the router or is created by them:
    a router refuses a line naming one it lacks in the middle of the push (RouterOS "input
    does not match any value of interface", IOS "% Invalid input detected"), and the office
    runs half-changed until the device reverts. Refused before anything is sent, naming the
    interface and the inventory field it comes from."""
    missing = driver.missing_interfaces(running, plan.commands) if plan.changed else []
    if not missing:
        return plan
    fields: dict[str, str] = {}
    for name in _INTERFACE_FIELDS:
        part = getattr(site, name)
        if part is not None:
            fields.setdefault(part.interface, f"{name}.interface")
    found = []
    for interface, command, instead in missing:
        field = fields.get(interface)
        if field is None and plan.conflicts:
            continue  # a name the plan derives, missing for a clash already named
        named = f" ({field})" if field else ""
        has = f" (the office renamed it {instead})" if instead else ""
        found.append(
            f"interface {interface}{named} is not on the router{has}: it would refuse "
            f"{driver.mask_secrets(command)!r} in the middle of the push; name the router's "
            "interface in the inventory"
        )
    return dataclasses.replace(plan, conflicts=[*plan.conflicts, *found])


def with_policy_routing(
    driver: Driver, site: Site, running: str, plan: SitePlan, city: Sequence[IPv4Network]
) -> SitePlan:
    """Policy routing the router holds (PCC load balancing, routing marks and rules, IOS
    PBR; failover routes and their scripts) routes marked office traffic by its own tables,
    never the main one that netprov's routes go in: a cutover would "succeed" and leave
    the office on its old lines. The platform migrates what it can in this phase (its
    commands on the office's own objects go first, while they still have the names the
    router gave them; their undo last, once netprov's have theirs back) and refuses what
    it cannot, each rule named (NP015); the plan says what it found."""
    migration = driver.policy_migration(running, site, plan.phase, city)
    if not (plan.changed or migration.commands):
        return plan
    said = [f"{POLICY_ROUTING}: {refusal}" for refusal in migration.refusals]
    notices = [text for text in (migration.found, *migration.notices) if text]
    commands = [*migration.commands, *plan.commands]
    shown = plan.preview
    if migration.commands:

        def shown() -> tuple[str, str]:
            sides = driver.preview_commands(running, commands)
            return sides if sides is not None else ("", "")

    return dataclasses.replace(
        plan,
        commands=commands,
        undo=[*plan.undo, *migration.undo],
        conflicts=[*plan.conflicts, *said],
        warnings=[*plan.warnings, *notices],
        preview=shown,
    )


def _with_lan_dhcp(driver: Driver, site: Site, running: str, plan: SitePlan) -> SitePlan:
    """A LAN DHCP server where the router serves none today: the office may run its own
    (a server, another router), and a second one hands out wrong gateways and resolvers.
    netprov adds one only when the inventory says ``lan.dhcp: true`` itself, and the plan
    says so; with the default, the plan is refused naming the choice."""
    if not site.lan.dhcp or not plan.changed or driver.serves_lan_dhcp(running, site.lan):
        return plan
    lan = site.lan.interface
    if "dhcp" in site.lan.model_fields_set:
        notice = f"adds a DHCP server on {lan}: the router serves none there today (lan.dhcp: true)"
        return dataclasses.replace(plan, warnings=[*plan.warnings, notice])
    conflict = (
        f"the router serves no DHCP on {lan} today (the office may run its own server): "
        "say lan.dhcp: true to have netprov add one, or lan.dhcp: false to leave DHCP as it is"
    )
    return dataclasses.replace(plan, conflicts=[*plan.conflicts, conflict])
