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
    CISCO_IOS = "cisco_ios"
    MIKROTIK_ROUTEROS = "mikrotik_routeros"


class SiteKind(StrEnum):
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
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


Mbps = Annotated[float, Field(gt=0, le=100_000)]
Idr = Annotated[int, Field(ge=0)]
VlanId = Annotated[int, Field(ge=1, le=4094)]


class SecretRef(Model):
    """A secret by reference, never the value itself: an environment variable, a file that
    holds it, or one entry (``key``) of a YAML file that holds one secret per key (e.g. the
    PPPoE password of each office: ``{file: secrets/pppoe.yaml, key: kec-sukamaju}``)."""

    env: Annotated[str, Field(pattern=r"^[A-Z_][A-Z0-9_]*$")] | None = None
    file: str | None = None
    key: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")] | None = None

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
    username: Username
    password: SecretRef
