"""An inventory written back as YAML files (pure: models in, file texts out): what
``netprov inventory export --to DIR`` writes, so an inventory kept in Nautobot can be
reviewed in git and checked offline (``netprov check --inventory DIR``).

The files load back to the same models: the organisation as ``organisation.yaml`` (without
the pointer to where the sites are kept: the folder is complete on its own), the sites one
file per kind (``sites/<kind>.yaml``), each in site id order, values left at their defaults
left out.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

from netprov.inventory.loader import ORGANISATION_FILE, SITES_DIR
from netprov.models import Organisation, Site

HEADER = "# Written by `netprov inventory export` from {source}; edit there, not here.\n"


def _document(model: Organisation | Site, **exclude: Any) -> dict[str, Any]:
    data: dict[str, Any] = model.model_dump(
        mode="json", exclude_defaults=True, exclude_none=True, **exclude
    )
    return data


def inventory_files(organisation: Organisation, sites: list[Site], source: str) -> dict[str, str]:
    """Relative path -> text of each file.

    Examples:
        >>> from netprov.inventory.loader import load_inventory
        >>> loaded = load_inventory("inventory")
        >>> sorted(inventory_files(loaded.organisation, loaded.sites, "inventory"))[:3]
        ['organisation.yaml', 'sites/desa.yaml', 'sites/hotspot.yaml']
    """
    header = HEADER.format(source=source)
    files = {
        ORGANISATION_FILE: header + _dump(_document(organisation, exclude={"source_of_truth"}))
    }
    by_kind: dict[str, list[Site]] = defaultdict(list)
    for site in sites:
        by_kind[site.kind.value].append(site)
    for kind, members in sorted(by_kind.items()):
        documents = [_document(site) for site in sorted(members, key=lambda s: s.id)]
        files[f"{SITES_DIR}/{kind}.yaml"] = header + _dump({"sites": documents})
    return files


def _dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def write_inventory(files: dict[str, str], target: Path) -> list[Path]:
    """Write the files into ``target`` (created if missing); a ``sites/*.yaml`` there that
    is not among them is removed (it would be read as sites), anything else is left alone.
    The paths written."""
    sites = target / SITES_DIR
    sites.mkdir(parents=True, exist_ok=True)
    for stale in sorted(sites.glob("*.y*ml")):
        if f"{SITES_DIR}/{stale.name}" not in files:
            stale.unlink()
    written = []
    for relative, text in files.items():
        path = target / relative
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
