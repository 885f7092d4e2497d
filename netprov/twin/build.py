"""A twin built from an inventory: each selected site's router booted from its starting
config (a scenario's file, a stored backup, or its phase rendered by netprov) with the
scenario's faults, all refusals reported at once; the host key kept between runs."""

from __future__ import annotations

import re
import secrets as pysecrets
from collections.abc import Callable
from ipaddress import IPv4Address
from pathlib import Path

import asyncssh

from netprov.errors import InventoryError, Problem, Severity
from netprov.inventory.loader import LoadedInventory
from netprov.models import Organisation, Phase, Site
from netprov.phases import Role
from netprov.platforms import Driver, driver_for
from netprov.render.config import Renderer
from netprov.secrets import masked, site_secret_refs, twin_secret
from netprov.sim.world import LinkCondition, noc_hosts, public_addresses, site_world
from netprov.state.statedir import prepare
from netprov.twin.cli_base import TwinClock, TwinState
from netprov.twin.office import office_pcs
from netprov.twin.running import LOOPBACK, Twin, TwinDevice
from netprov.twin.scenario import Scenario, SiteFaults

DEFAULT_KEY_PATH = Path(".netprov/twin/ssh_host_ed25519_key")


def resolver_answers(org: Organisation, *, unfiltered: bool) -> dict[str, IPv4Address]:
    """What the twin's filtering resolvers answer: the probe name resolves; the blocked name
    gets the sinkhole, or (``dns_unfiltered``) its real address."""
    names = {org.probes.dns_name: IPv4Address("142.250.4.100")}
    if org.dns.blocked_probe is not None and org.dns.sinkhole is not None:
        real = IPv4Address("198.51.100.80")
        names[org.dns.blocked_probe] = real if unfiltered else org.dns.sinkhole
    return names


def load_host_key(path: Path | None) -> asyncssh.SSHKey:
    """The twin's host key, generated once and kept (clients see the same key every run)."""
    path = path or DEFAULT_KEY_PATH
    if path.exists():
        return asyncssh.read_private_key(str(path))
    key = asyncssh.generate_private_key("ssh-ed25519")
    prepare(path.parent)  # .netprov/twin: kept out of git
    key.write_private_key(str(path))
    path.chmod(0o600)
    return key


def build_twin(
    loaded: LoadedInventory,
    *,
    scenario: Scenario | None = None,
    site_ids: list[str] | None = None,
    renderer: Renderer | None = None,
    clock: TwinClock | None = None,
    host_key_path: Path | None = None,
    password: str | None = None,
    start_phase: Phase = Phase.LEGACY,
    from_backups: Path | None = None,
) -> Twin:
    """Build (not start) a twin for the selected sites of an inventory. A starting config
    the router refuses raises InventoryError naming each refused line (file, line, text,
    the router's words) for every site at once.

    ``from_backups``: each router starts from its site's stored backup
    (``<dir>/<site>.cfg``, as ``netprov backup`` keeps it: the fleet as it is), its
    secrets' references (``SECRET-...``) standing for the twin's made-up values; a
    scenario's ``configs:`` entry still comes first."""
    scenario = scenario or Scenario()
    renderer = renderer or Renderer()
    clock = clock or TwinClock()
    password = password or pysecrets.token_urlsafe(12)
    wanted = set(site_ids) if site_ids is not None else None
    org = loaded.organisation
    devices = []
    problems: list[Problem] = []  # every refused starting config, all at once
    for index, site in enumerate(loaded.sites):
        if wanted is not None and site.id not in wanted:
            continue
        faults = scenario.faults(site.id)
        conditions = {
            role: LinkCondition(
                fault.alive, fault.loss, fault.provider_vlan, fault.path_mtu or 1500
            )
            for role, fault in faults.conditions().items()
        }
        world = site_world(site, org.central_services, index=index, conditions=conditions)
        world.names = resolver_answers(org, unfiltered=faults.dns_unfiltered)
        public_addresses(world, site, org, index)
        if faults.egress_via_legacy:
            world.egress_via = Role.LEGACY
        now = clock.now  # the routers' clocks run on twin time (their uptimes too)
        version = scenario.versions.get(site.id)  # else the inventory's, or the config's
        stored, source = _starting_config(
            loaded, site, scenario, renderer, start_phase, from_backups
        )
        if isinstance(stored, Problem):
            problems.append(stored)
            continue
        text = stored
        state = driver_for(site.router.platform).simulator(
            site, world, schedule=_unbound, now=now, index=index, os_version=version
        )
        if not isinstance(state, TwinState):
            raise TypeError(f"{type(state).__name__} cannot run in the twin")
        driver = driver_for(site.router.platform)
        if faults.dhcp_down:  # never kept, not even in the starting config
            state.ignored.append(re.compile(driver.dhcp_lines))
        rejected = state.load_initial(text)
        problems += [
            Problem(Severity.ERROR, source, number, "", f"{site.id}: the router refuses: {refused}")
            for number, refused in rejected
        ]
        if rejected:
            continue
        state.boot()
        state.allow_user(site.router.credentials.username)
        try:
            _run_with(state, faults, driver)
        except ValueError as exc:
            problems.append(Problem(Severity.ERROR, "<scenario>", None, "", f"{site.id}: {exc}"))
            continue
        devices.append(
            TwinDevice(
                site=site,
                host=LOOPBACK,
                port=0,
                username=site.router.credentials.username,
                password=password,
                faults=faults,
                state=state,
                noc=noc_hosts(org.management_networks)[0],
                secret_labels={
                    twin_secret(ref): masked(ref) for ref in site_secret_refs(site, org)
                },
                clock=clock,
                office=office_pcs(site, org),
            )
        )
    if problems:
        raise InventoryError(problems)
    return Twin(devices, clock, load_host_key(host_key_path))


def _starting_config(
    loaded: LoadedInventory,
    site: Site,
    scenario: Scenario,
    renderer: Renderer,
    start_phase: Phase,
    from_backups: Path | None,
) -> tuple[str | Problem, str]:
    """The config a site's router starts from (a scenario's file, else its stored backup,
    else its ``start_phase`` rendered for the version the scenario names), and where it
    came from."""
    org = loaded.organisation
    backup = str(from_backups / f"{site.id}.cfg") if from_backups is not None else None
    config_file = scenario.configs.get(site.id) or backup
    if config_file is not None:
        stored = _stored_config(config_file, site, org, backup=from_backups is not None)
        return stored, config_file
    allocation = loaded.allocations.get(site.id)
    version = scenario.versions.get(site.id)
    # a router with nothing but this config (RouterOS 6: no ipv6 package running)
    text = renderer.render(
        site, org, start_phase, allocation, twin_secret, os_version=version, running=""
    )
    return text.text, f"<{start_phase.value} config rendered for {site.id}>"


def _run_with(state: TwinState, faults: SiteFaults, driver: Driver) -> None:
    """The scenario's faults a booted router runs with: refused and swallowed lines, and
    the features its owner turned off (ValueError: its platform has no such thing)."""
    state.rejections = [re.compile(p) for p in faults.reject]
    if faults.qos_missing:  # accepted, kept nowhere (IOS: never attached; RouterOS: no queue)
        state.ignored.append(re.compile(driver.shaping_lines))
    if faults.lan_nat_broken:
        state.ignored.append(re.compile(driver.nat_lines))
    if faults.device_mode is not None:
        state.limit(faults.device_mode.mode, faults.device_mode.features())


def _stored_config(path: str, site: Site, org: Organisation, *, backup: bool) -> str | Problem:
    """A starting config from a file (a scenario's, or a backup), its secrets' references
    replaced; a file that cannot be read is a problem naming it."""
    try:
        return _unmasked(Path(path).read_text(encoding="utf-8"), site, org)
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        if isinstance(exc, FileNotFoundError) and backup:
            reason = "no backup of this site (netprov backup writes it)"
        return Problem(Severity.ERROR, path, None, "", f"{site.id}: cannot read: {reason}")


def _unmasked(text: str, site: Site, org: Organisation) -> str:
    """A stored config with each secret's reference (``SECRET-<name>``, as backups keep
    it) replaced by the made-up value the twin's router holds for it."""
    for ref in site_secret_refs(site, org):
        text = text.replace(masked(ref), twin_secret(ref))
    return text


def _unbound(seconds: float, callback: Callable[[], None]) -> Callable[[], None]:
    raise RuntimeError("twin device timers are bound when the twin starts")
