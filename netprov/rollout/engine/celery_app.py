"""The Celery application and the one task a worker runs: one site's step of a command
(cutover, apply, verify, rollback, drill).

A task carries references only: the inventory's path, the journal's URL, the hosts file
(or none: the real routers), never a secret; each worker resolves secrets where it runs
(its environment, as every netprov command does). A task is acknowledged only after it
returns (``acks_late``), after its outcome is journaled; a worker killed mid-change leaves
the router to its device-side revert and the task to the next worker, where the journal's
site lock, not the broker, decides who may push.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from celery import Celery
from celery.exceptions import Ignore

from netprov.change.outcome import Outcome, Status
from netprov.change.pipeline import Pipeline
from netprov.change.site_locks import SiteInHand
from netprov.inventory.loader import LoadedInventory, inventory_digest, load_inventory
from netprov.models import Site
from netprov.platforms.device import Target
from netprov.render.config import Renderer
from netprov.rollout.steps import STEPS, StepName
from netprov.rollout.targets import aim
from netprov.state.journal import Journal, RunStatus, Step

TASK = "netprov.site_step"
# how often a second delivery of a site's task looks whether the first one let go of it
HOLDER_POLL_SECONDS = 1.0
log = logging.getLogger("netprov.worker")
VISIBILITY_TIMEOUT = 3600  # seconds; longer than a site's step (an office's cutover: minutes)

app = Celery("netprov")
app.conf.update(
    task_acks_late=True,  # acknowledged after the outcome is journaled
    task_reject_on_worker_lost=True,  # a killed worker's task goes back to the queue
    worker_prefetch_multiplier=1,  # a worker holds only the site it works on
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    # longer than any site's step (a cutover of one office is minutes): the broker must not
    # hand a task to a second worker while the first still works on it
    broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT},
    result_expires=24 * 3600,
    broker_connection_retry_on_startup=True,
)


def configure(broker: str) -> Celery:
    """The application on ``broker`` (a Redis URL); results go back through it too."""
    app.conf.broker_url = broker
    app.conf.result_backend = broker
    return app


@dataclass(frozen=True)
class _Aimed:
    """What a worker process builds once per inventory and hosts file, not per task: the
    inventory, its targets and secret resolver, and the compiled templates."""

    loaded: LoadedInventory
    targets: dict[str, Target]
    secret: Any
    renderer: Renderer


@functools.lru_cache(maxsize=8)
def _aimed(inventory: str, digest: str, today: str | None, hosts: str | None, _: str) -> _Aimed:
    """Keyed by the inventory's and the hosts file's digests, so an edited file (a worker's
    checkout pulled between runs) is loaded afresh, never served from the cache."""
    loaded = load_inventory(inventory, today=dt.date.fromisoformat(today) if today else None)
    targets, secret = aim(loaded, Path(hosts) if hosts else None)
    renderer = Renderer()
    renderer.compile({site.router.platform for site in loaded.sites})
    return _Aimed(loaded, targets, secret, renderer)


@functools.lru_cache(maxsize=8)
def _journal(url: str, backups: str) -> Journal:
    """The journal, opened once per worker process (opening checks its schema)."""
    return Journal(url, Path(backups))


def _file_digest(path: str | None) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest() if path else ""


def _pipeline(request: dict[str, Any]) -> Pipeline:
    """The site step's pipeline, on this worker's own copy of the inventory: refused (an
    error naming both digests) when it is not the one the coordinator planned the run on."""
    digest = inventory_digest(request["inventory"])
    if digest != request["inventory_digest"]:
        raise InventoryMismatchError(
            f"this worker's inventory at {request['inventory']} is not the coordinator's "
            f"(sha256 {digest[:12]}, the run's {request['inventory_digest'][:12]}): "
            "check out the same commit on every host"
        )
    journal = _journal(request["db"], request["backups"])
    status = journal.run_status(request["run_id"])
    if status is not RunStatus.RUNNING:
        raise StaleTaskError(f"run {request['run_id']} is {status or 'unknown'}")
    hosts = request.get("hosts_file")
    aimed = _aimed(request["inventory"], digest, request.get("today"), hosts, _file_digest(hosts))
    return Pipeline(
        aimed.loaded,
        journal,
        aimed.targets,
        aimed.renderer,
        aimed.secret,
        request["run_id"],
        revert_minutes=int(request.get("revert_minutes", 5)),
    )


class InventoryMismatchError(Exception):
    """A worker's inventory differs from the coordinator's: the site is not touched."""


class StaleTaskError(Exception):
    """A task that outlived its run (a broker that kept it through an outage, delivered
    after the coordinator stopped and the run was resumed under a new id)."""


@app.task(name=TASK, bind=True)  # type: ignore[untyped-decorator]
def site_step(self: Any, request: dict[str, Any]) -> dict[str, Any]:
    """One site's step of ``request["command"]``, run by the worker of its region; its
    outcome as ``--json`` prints it, with the worker that ran it."""
    try:
        pipeline = _pipeline(request)
    except InventoryMismatchError as exc:
        failed = Outcome(request["site"], Status.FAILED, detail=str(exc))
        return {**failed.as_dict(), "worker": self.request.hostname, "pid": os.getpid()}
    except StaleTaskError as exc:  # nobody waits for it; it pushes nothing
        log.warning("%s: %s: its task is stale, dropped", request["site"], exc)
        raise Ignore() from None
    site = pipeline.loaded.site(request["site"])
    step = STEPS[StepName(request["command"])]
    arguments = step.arguments.model_validate(request["arguments"])
    outcome = _step_once(pipeline, site, lambda: _outcome(step.run(pipeline, site, arguments)))
    return {**outcome.as_dict(), "worker": self.request.hostname, "pid": os.getpid()}


def _step_once(pipeline: Pipeline, site: Site, step: Callable[[], Outcome]) -> Outcome:
    """``step``, unless another live delivery of this run's task holds the site (a broker
    redelivers a task that outlives its visibility timeout): then this delivery waits, and
    either reports what that one journaled, once it lets go of the site, or (that holder
    gone: SIGKILLed, its host lost) takes the lock over, settles and steps the site itself.
    The journal's lock decides; the broker's deliveries never push twice."""
    waiting = False
    while True:
        try:
            return step()
        except SiteInHand:
            if not waiting:
                log.warning(
                    "%s: run %s already has it in hand elsewhere (a second delivery of its "
                    "task): waiting for that holder",
                    site.id,
                    pipeline.run_id,
                )
                waiting = True
        time.sleep(HOLDER_POLL_SECONDS)
        if pipeline.journal.lock_holder(site.id) is None:
            journaled = _journaled_outcome(pipeline, site)
            if journaled is not None:
                return journaled


def _journaled_outcome(pipeline: Pipeline, site: Site) -> Outcome | None:
    """What this run's other delivery made of the site, from its last journal step (None:
    it ended journaling nothing final, e.g. it found nothing to do: step it again)."""
    last = pipeline.journal.last_step(site.id)
    if last is None or last.run_id != pipeline.run_id:
        return None
    status = {
        Step.CONFIRMED: Status.CONFIRMED,
        Step.ROLLED_BACK: Status.ROLLED_BACK,
        Step.SKIPPED: Status.SKIPPED,
        Step.FAILED: (last.data or {}).get("outcome", Status.FAILED),
    }.get(last.step)
    if status is None:
        return None
    return Outcome(site.id, Status(status), detail=f"{last.detail} (journaled by another delivery)")


def worker_settings(visibility_timeout: int, rate_limit: str | None) -> dict[str, Any]:
    """The worker's Celery settings. ``visibility_timeout``: how long a task may go
    unacknowledged before the broker hands it to another worker; the worker also sweeps
    for such tasks a few times per timeout (kombu's Redis transport:
    ``unacked_restore_interval``), so a SIGKILLed worker's site is taken up within about
    that time. ``rate_limit`` (``N/s``, ``N/m``, ``N/h``): site steps this worker starts;
    one worker per region makes it the region's (Celery's limits are per worker process).

    Examples:
        >>> worker_settings(3600, "30/m")["task_annotations"]
        {'netprov.site_step': {'rate_limit': '30/m'}}
    """
    return {
        "broker_transport_options": {
            "visibility_timeout": visibility_timeout,
            "unacked_restore_interval": max(1, min(10, visibility_timeout // 3)),
            "unacked_restore_throttle": 1 if visibility_timeout < 60 else 10,
        },
        "task_annotations": {TASK: {"rate_limit": rate_limit}} if rate_limit else None,
    }


def run_worker(
    broker: str,
    queue: str,
    *,
    concurrency: int,
    visibility_timeout: int = VISIBILITY_TIMEOUT,
    rate_limit: str | None = None,
) -> None:
    """Run a worker on ``queue`` until stopped (threads: a site step waits on sockets);
    :func:`worker_settings` says what the other arguments do."""
    configure(broker).conf.update(worker_settings(visibility_timeout, rate_limit))
    app.worker_main(
        [
            "worker",
            "--queues",
            queue,
            "--concurrency",
            str(concurrency),
            "--pool",
            "threads",
            "--hostname",
            f"{queue.replace(',', '+')}@%h",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
        ]
    )


def _outcome(found: object) -> Outcome:
    """A worker's steps all end in an outcome (``on_workers``: the steps that do)."""
    assert isinstance(found, Outcome), found
    return found
