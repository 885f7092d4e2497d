"""Scenario files: faults to inject per site, and optional starting configs.

Example (``scenarios/broken-central.yaml``)::

    description: two sites whose central link is broken
    sites:
      desa-balokang:
        uplinks: {central: {state: down}}
      kel-hegarsari:
        uplinks: {central: {provider_vlan: 1999}}   # provider delivers on the wrong VLAN
      dinsos:
        slow_ms: 1500
        drop_after_config_lines: 5
      setda:
        on_command:                   # the router drops the session inside configure replace
          - {match: "^configure replace", action: drop}
    versions:
      kel-hegarsari: 6.49.8           # an office still on RouterOS 6
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from netprov.errors import InventoryError, Problem, Severity
from netprov.inventory.sourcemap import SourceFile, load_yaml
from netprov.phases import Role


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class UplinkFault(_Model):
    state: Literal["up", "down", "lossy"] = "up"
    loss_percent: Annotated[int, Field(ge=0, le=100)] | None = None
    provider_vlan: Annotated[int, Field(ge=1, le=4094)] | None = None  # wrong VLAN hand-off
    path_mtu: Annotated[int, Field(ge=576, le=9000)] | None = None  # larger DF packets vanish

    @property
    def alive(self) -> bool:
        return self.state != "down"

    @property
    def loss(self) -> int:
        if self.loss_percent is not None:
            return self.loss_percent
        return 40 if self.state == "lossy" else 0


class CommandFault(_Model):
    """The router misbehaves on one command: ``reject`` refuses it (an error, nothing done);
    ``drop`` carries it out, then the session drops before the reply; ``reboot`` carries it
    out, then the router reboots (IOS comes back on its startup config, so an unsaved
    ``configure replace`` is gone; RouterOS keeps its config). ``match`` is a regex on the
    command as typed (e.g. ``^configure replace`` reaches IOS after napalm's SCP);
    ``occurrence`` picks which matching command (1 = the first)."""

    match: str
    action: Literal["reject", "drop", "reboot"]
    occurrence: Annotated[int, Field(ge=1)] = 1

    @field_validator("match")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from None
        return value


class DeviceMode(_Model):
    """RouterOS 7 ``/system device-mode`` as the owner set it at the router (MikroTik manual,
    "Device-mode"): a mode (``home`` turns the scheduler, fetch and more off) and single
    features turned on or off beside it. Not in any export: a scenario says it."""

    mode: Literal["enterprise", "advanced", "home"] = "enterprise"
    scheduler: bool | None = None
    fetch: bool | None = None

    def features(self) -> dict[str, bool]:
        """The features set beside the mode."""
        return {
            name: on
            for name, on in (("scheduler", self.scheduler), ("fetch", self.fetch))
            if on is not None
        }


class SiteFaults(_Model):
    uplinks: dict[Role, UplinkFault] = Field(default_factory=dict)
    # how new management sessions reach the router: routed from the NOC (reachable: they
    # meet its routes and filtering), never (unreachable), or out of band (a console server:
    # routes and filtering do not apply, for rehearsing a router no line can reach)
    management: Literal["reachable", "unreachable", "out-of-band"] = "reachable"
    auth_fail: bool = False
    slow_ms: Annotated[int, Field(ge=0, le=120_000)] = 0
    reject: list[str] = Field(default_factory=list)  # regexes of config commands refused
    drop_after_config_lines: Annotated[int, Field(ge=1)] | None = None
    reboot_after_config_lines: Annotated[int, Field(ge=1)] | None = None
    reboot_seconds: Annotated[float, Field(gt=0, le=3600)] = 30.0
    on_command: list[CommandFault] = Field(default_factory=list)
    # One fault per verification check (issue 11), each failing exactly its check:
    mtu_blackhole: bool = False  # the central line drops DF packets over 1400 bytes silently
    qos_missing: bool = False  # the router accepts the shaping config but keeps none of it
    backup_dead: bool = False  # the backup line is dead (found by `netprov drill`)
    lan_nat_broken: bool = False  # the router keeps no source NAT: the LAN cannot go out
    dns_unfiltered: bool = False  # the resolvers answer blocked names with their real address
    egress_via_legacy: bool = False  # policy routing sends web traffic out of the office ISP
    dhcp_down: bool = False  # the router keeps no LAN DHCP server (from the start)
    device_mode: DeviceMode | None = None  # RouterOS 7: features its owner turned off

    def conditions(self) -> dict[Role, UplinkFault]:
        """Each uplink's behaviour, the per-check booleans folded in."""
        chosen = dict(self.uplinks)
        if self.mtu_blackhole:
            central = chosen.get(Role.CENTRAL, UplinkFault())
            chosen[Role.CENTRAL] = central.model_copy(update={"path_mtu": 1400})
        if self.backup_dead:
            backup = chosen.get(Role.BACKUP, UplinkFault())
            chosen[Role.BACKUP] = backup.model_copy(update={"state": "down"})
        return chosen


class Scenario(_Model):
    description: str = ""
    sites: dict[str, SiteFaults] = Field(default_factory=dict)
    # site id -> starting config file (relative: to the scenario file's folder)
    configs: dict[str, str] = Field(default_factory=dict)
    # site id -> the software its router runs ("6.49.8"): the starting config is rendered
    # for it, as an office's router in service holds it (a config file names its own)
    versions: dict[str, Annotated[str, Field(pattern=r"^\d+\.\d+(\.\d+)?$")]] = Field(
        default_factory=dict
    )

    def faults(self, site_id: str) -> SiteFaults:
        return self.sites.get(site_id, SiteFaults())


def load_scenario(path: Path, known_sites: set[str]) -> Scenario:
    """Load a scenario; every problem (with line) raised at once as InventoryError."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InventoryError(
            [Problem(Severity.ERROR, str(path), None, "", f"cannot read: {exc.strerror}")]
        ) from exc
    source = SourceFile(str(path), text)
    try:
        data = load_yaml(text) or {}
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            line, field = source.locate(error["loc"])
            problems.append(Problem(Severity.ERROR, str(path), line, field, str(error["msg"])))
        raise InventoryError(problems) from exc
    except Exception as exc:
        raise InventoryError(
            [Problem(Severity.ERROR, str(path), None, "", f"malformed YAML: {exc}")]
        ) from exc
    named = [*scenario.sites, *scenario.configs, *scenario.versions]
    unknown = [site for site in dict.fromkeys(named) if site not in known_sites]
    if unknown:
        problems = []
        for site in unknown:
            section = next(
                name
                for name, part in (
                    ("sites", scenario.sites),
                    ("configs", scenario.configs),
                    ("versions", scenario.versions),
                )
                if site in part
            )
            line, field = source.locate((section, site))
            problems.append(
                Problem(Severity.ERROR, str(path), line, field, f"unknown site {site!r}")
            )
        raise InventoryError(problems)
    # a scenario is kept with its configs: a relative file is beside it, wherever netprov runs
    beside = {site: str(path.parent / file) for site, file in scenario.configs.items()}
    return scenario.model_copy(update={"configs": beside})
