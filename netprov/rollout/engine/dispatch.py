"""The coordinator's side: a wave's sites sent to their regions' queues, one task each, and
their outcomes gathered (the waves, the canary and the gate stay with the coordinator)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from netprov.change.outcome import Outcome, Status
from netprov.checks.results import Check
from netprov.inventory.loader import inventory_digest
from netprov.inventory.nautobot.client import is_nautobot
from netprov.models import Organisation, Site
from netprov.rollout.engine.celery_app import configure, site_step
from netprov.rollout.steps import A, SiteStep
from netprov.said import Said

# the journal a worker opens when the coordinator names none (the default, made absolute)
DEFAULT_DB = ".netprov/state.db"
# how long the coordinator waits for one wave (a wave of many sites over slow links)
WAVE_TIMEOUT_SECONDS = 6 * 3600
# how often the coordinator, waiting for a wave, makes sure the broker is still the same one
BROKER_CHECK_SECONDS = 2.0


def run_wave(
    broker: str,
    org: Organisation,
    sites: list[Site],
    *,
    run_id: str,
    references: dict[str, Any],
    step: SiteStep[A],
    arguments: A,
    workers: dict[str, str],
    progress: Callable[[list[bool]], None] | None = None,
) -> list[Outcome]:
    """Each site of the wave stepped (a step a worker may run: cutover, apply, verify,
    rollback, drill, with its ``arguments``) by a worker of its region; the outcomes, in order.
    ``references`` are the paths and URLs a worker resolves itself (inventory, journal,
    backups, hosts file, the contracts' date): never a secret. ``workers`` gets the worker
    that ran each site; ``progress``, while the wave runs, which sites are done."""
    from celery import group

    configure(broker)
    jobs = group(
        site_step.s(
            {
                **references,
                "run_id": run_id,
                "site": site.id,
                "command": step.name.value,
                "arguments": arguments.model_dump(mode="json"),
            }
        ).set(queue=org.region_of(site))
        for site in sites
    )
    results = _gathered(broker, jobs, progress)
    outcomes = []
    for site, result in zip(sites, results, strict=True):
        if isinstance(result, dict):
            workers[site.id] = str(result.get("worker", ""))
        outcomes.append(_outcome(site, result))
    return outcomes


class BrokerUnavailable(Exception):  # noqa: N818 - a state of the world, said as it is
    """The broker went away (or restarted, dropping what it held) during a wave: no new
    site step is sent; what workers finished is journaled; the run is to be resumed."""


def _gathered(
    broker: str, jobs: Any, progress: Callable[[list[bool]], None] | None = None
) -> list[Any]:
    """The wave's results, in order; ``progress`` hears which sites are done between
    waits. Between waits the broker is also asked who it is: a broker that does not
    answer, or answers as another server process (restarted: without persistence its
    queues and results are gone, and the wave would wait forever), stops the wave with
    :class:`BrokerUnavailable`."""
    from celery.exceptions import TimeoutError as WaveNotDone
    from kombu.exceptions import OperationalError
    from redis.exceptions import RedisError

    pending = None
    try:
        server = _server_id(broker)
        pending = jobs.apply_async()
        waited = 0.0
        while True:
            try:
                return list(pending.get(timeout=BROKER_CHECK_SECONDS, propagate=False))
            except WaveNotDone:
                waited += BROKER_CHECK_SECONDS
                if waited > WAVE_TIMEOUT_SECONDS:
                    raise
            if progress is not None:
                progress([result.ready() for result in pending.results])
            if _server_id(broker) != server:
                _abandon(pending)
                raise BrokerUnavailable(f"the broker {broker} restarted during the wave")
    except (OperationalError, RedisError, OSError) as exc:
        _abandon(pending)
        raise BrokerUnavailable(f"the broker {broker} is unreachable: {exc}") from exc
    except RuntimeError as exc:  # Celery's result store gave up reconnecting
        if isinstance(exc.__cause__, OperationalError | RedisError | OSError):
            _abandon(pending)
            raise BrokerUnavailable(f"the broker {broker} is unreachable: {exc.__cause__}") from exc
        raise


def _abandon(pending: Any) -> None:
    """The wave's results let go of the result store that is gone. Otherwise each one, when
    collected (at the latest when the coordinator exits), asks that store to unsubscribe
    (``AsyncResult.__del__``), fails to reconnect, and Python prints Celery's
    "Retry limit exceeded" traceback after netprov's one line."""
    if pending is None:
        return
    for result in pending.results:
        result.backend = None


def _server_id(broker: str) -> str:
    """The Redis server process's identity (``run_id``: new at every start)."""
    import redis

    client = redis.Redis.from_url(broker, socket_timeout=5, socket_connect_timeout=5)
    try:
        return str(client.info("server")["run_id"])
    finally:
        client.close()


def _outcome(site: Site, result: Any) -> Outcome:
    """A worker's answer as an Outcome (a task that raised: a failed site)."""
    if not isinstance(result, dict):
        return Outcome(site.id, Status.FAILED, detail=f"worker: {result}")
    return Outcome(
        site.id,
        Status(result["status"]),
        checks=[Check.from_dict(check) for check in result.get("checks", [])],
        detail=f"{result.get('detail', '')}",
        restored_identical=result.get("restored_identical"),
        reason=Said.from_dict(result.get("reason")),
    )


def references(
    inventory: str, db: str | None, backups: Path, hosts_file: Path | None, today: str | None
) -> dict[str, Any]:
    """What a task names for a worker to resolve: absolute paths and URLs (the inventory's
    folder or Nautobot, the journal)."""
    chosen = db or os.environ.get("NETPROV_DB") or f"sqlite:///{Path(DEFAULT_DB).resolve()}"
    return {
        "inventory": inventory if is_nautobot(inventory) else str(Path(inventory).resolve()),
        "inventory_digest": inventory_digest(inventory),
        "db": chosen,
        "backups": str(backups.resolve()),
        "hosts_file": str(hosts_file.resolve()) if hosts_file else None,
        "today": today,
    }
