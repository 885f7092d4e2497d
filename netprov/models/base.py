"""What the inventory's two files share: the vocabularies (platforms, site kinds, phases,
weekdays), the base model (frozen, unknown keys refused) and secrets by reference."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from netprov.clisafe import Username


class Platform(StrEnum):
    """The router's operating system: cisco_ios (Cisco IOS and IOS-XE) or
    mikrotik_routeros (MikroTik RouterOS 6 and 7)."""

    CISCO_IOS = "cisco_ios"
    MIKROTIK_ROUTEROS = "mikrotik_routeros"


class SiteKind(StrEnum):
    """What the office is: opd (a city agency: dinas, badan, sekretariat), kecamatan,
    kelurahan, desa, puskesmas (health centre), mpp (public service mall), hotspot (public
    Wi-Fi) or other."""

    OPD = "opd"
    KECAMATAN = "kecamatan"
    KELURAHAN = "kelurahan"
    DESA = "desa"
    PUSKESMAS = "puskesmas"
    MPP = "mpp"
    HOTSPOT = "hotspot"
    OTHER = "other"


class Phase(StrEnum):
    """Cutover phases, in order. Each renders a complete intended config."""

    LEGACY = "legacy"  # today: the office's own ISP only
    DUAL = "dual"  # central link added, legacy still primary
    CENTRAL = "central"  # central primary, legacy as tracked backup
    FINAL = "final"  # legacy removed

    @property
    def has_central(self) -> bool:
        return self is not Phase.LEGACY

    @property
    def has_legacy(self) -> bool:
        return self is not Phase.FINAL

    @property
    def central_primary(self) -> bool:
        return self in (Phase.CENTRAL, Phase.FINAL)


def _known_zone(name: str) -> str:
    """An IANA time zone name (``Asia/Jakarta`` WIB, ``Asia/Makassar`` WITA,
    ``Asia/Jayapura`` WIT)."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r} (use an IANA name such as Asia/Jakarta, "
            "Asia/Makassar or Asia/Jayapura)"
        ) from None
    return name


TimeZoneName = Annotated[str, AfterValidator(_known_zone)]


class Weekday(StrEnum):
    """A day of the week: mon, tue, wed, thu, fri, sat, sun."""

    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"


class Model(BaseModel):
    """Every inventory model: frozen, and a key it does not know is an error (a typo in
    the YAML is reported, never silently ignored)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


Mbps = Annotated[float, Field(gt=0, le=100_000)]
Idr = Annotated[int, Field(ge=0)]
VlanId = Annotated[int, Field(ge=1, le=4094)]


class SecretRef(Model):
    """A secret by reference, never the value itself: an environment variable, a file that
    holds it, or one entry (``key``) of a YAML file that holds one secret per key (e.g. the
    PPPoE password of each office: ``{file: secrets/pppoe.yaml, key: kec-sukamaju}``)."""

    env: Annotated[str, Field(pattern=r"^[A-Z_][A-Z0-9_]*$")] | None = Field(
        None,
        description="The environment variable holding the secret (give env or file).",
        examples=["NETPROV_ROUTER_PASSWORD"],
    )
    file: str | None = Field(
        None,
        description="A file holding the secret, relative to the inventory folder (give env "
        "or file); with key, a YAML file of one secret per key.",
        examples=["secrets/pppoe.yaml"],
    )
    key: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")] | None = Field(
        None,
        description="With file: the entry of that YAML file that holds this secret (often "
        "the site id).",
        examples=["kec-sukamaju"],
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> SecretRef:
        if (self.env is None) == (self.file is None):
            raise ValueError("give exactly one of 'env' (variable name) or 'file' (path)")
        if self.key is not None and self.file is None:
            raise ValueError("'key' names an entry of a 'file'")
        return self

    def describe(self) -> str:
        if self.env is not None:
            return f"env:{self.env}"
        return f"file:{self.file}" + (f"#{self.key}" if self.key is not None else "")

    @property
    def label(self) -> str:
        """A name for the reference alone: the variable, or the file's name and key."""
        if self.env is not None:
            return self.env
        name = Path(self.file or "secret").name
        return f"{Path(name).stem}-{self.key}" if self.key is not None else name


class Credentials(Model):
    """How netprov logs in to the router (SSH)."""

    username: Username = Field(
        description="The router account netprov logs in with.", examples=["netprov"]
    )
    password: SecretRef = Field(
        description="Its password, by reference (never written in the inventory).",
        examples=[{"env": "NETPROV_ROUTER_PASSWORD"}],
    )
