"""The coordinator's side: a wave's sites sent to their regions' queues, one task each, and
their outcomes gathered (the waves, the canary and the gate stay with the coordinator)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from netprov.engine.celery_app import configure, site_step
from netprov.inventory import inventory_digest
from netprov.models import Organisation, Phase, Site
from netprov.pipeline import Outcome
from netprov.verify import Check

# the journal a worker opens when the coordinator names none (the default, made absolute)
DEFAULT_DB = ".netprov/state.db"
# how long the coordinator waits for one wave (a wave of many sites over slow links)
WAVE_TIMEOUT_SECONDS = 6 * 3600


def run_wave(
    broker: str,
    org: Organisation,
    sites: list[Site],
    *,
    run_id: str,
    references: dict[str, Any],
    to: Phase | None,
    now: dt.datetime,
    workers: dict[str, str],
) -> list[Outcome]:
    """Each site of the wave stepped by a worker of its region; the outcomes, in order.
    ``references`` are the paths and URLs a worker resolves itself (inventory, journal,
    backups, hosts file, the contracts' date): never a secret. ``workers`` gets the worker
    that ran each site."""
    from celery import group

    configure(broker)
    jobs = group(
        site_step.s(
            {
                **references,
                "run_id": run_id,
                "site": site.id,
                "to": to.value if to else None,
                "now": now.isoformat(),
            }
        ).set(queue=org.region_of(site))
        for site in sites
    )
    results = jobs.apply_async().get(timeout=WAVE_TIMEOUT_SECONDS, propagate=False)
    outcomes = []
    for site, result in zip(sites, results, strict=True):
        if isinstance(result, dict):
            workers[site.id] = str(result.get("worker", ""))
        outcomes.append(_outcome(site, result))
    return outcomes


def _outcome(site: Site, result: Any) -> Outcome:
    """A worker's answer as an Outcome (a task that raised: a failed site)."""
    if not isinstance(result, dict):
        return Outcome(site.id, "failed", detail=f"worker: {result}")
    return Outcome(
        site.id,
        str(result["status"]),
        checks=[Check(**check) for check in result.get("checks", [])],
        detail=f"{result.get('detail', '')}",
        restored_identical=result.get("restored_identical"),
    )


def references(
    inventory: Path, db: str | None, backups: Path, hosts_file: Path | None, today: str | None
) -> dict[str, Any]:
    """What a task names for a worker to resolve: absolute paths and the journal URL."""
    chosen = db or os.environ.get("NETPROV_DB") or f"sqlite:///{Path(DEFAULT_DB).resolve()}"
    return {
        "inventory": str(inventory.resolve()),
        "inventory_digest": inventory_digest(inventory),
        "db": chosen,
        "backups": str(backups.resolve()),
        "hosts_file": str(hosts_file.resolve()) if hosts_file else None,
        "today": today,
    }
