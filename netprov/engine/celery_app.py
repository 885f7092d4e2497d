"""The Celery application and the one task a worker runs: one site's cutover step.

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
import os
from pathlib import Path
from typing import Any

from celery import Celery

from netprov.cutover import cutover_site
from netprov.inventory import LoadedInventory, load_inventory
from netprov.journal import Journal
from netprov.models import Phase
from netprov.pipeline import Pipeline
from netprov.render import Renderer
from netprov.targets import aim

TASK = "netprov.site_step"

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
    broker_transport_options={"visibility_timeout": 3600},
    result_expires=24 * 3600,
    broker_connection_retry_on_startup=True,
)


def configure(broker: str) -> Celery:
    """The application on ``broker`` (a Redis URL); results go back through it too."""
    app.conf.broker_url = broker
    app.conf.result_backend = broker
    return app


@functools.lru_cache(maxsize=8)
def _inventory(path: str, today: str | None) -> LoadedInventory:
    """The inventory, loaded once per worker process (tasks of one run share it)."""
    return load_inventory(Path(path), today=dt.date.fromisoformat(today) if today else None)


@functools.lru_cache(maxsize=8)
def _journal(url: str, backups: str) -> Journal:
    """The journal, opened once per worker process (opening checks its schema)."""
    return Journal(url, Path(backups))


def _pipeline(request: dict[str, Any]) -> Pipeline:
    loaded = _inventory(request["inventory"], request.get("today"))
    journal = _journal(request["db"], request["backups"])
    hosts = Path(request["hosts_file"]) if request.get("hosts_file") else None
    targets, secret = aim(loaded, Path(request["inventory"]), hosts)
    return Pipeline(loaded, journal, targets, Renderer(), secret, request["run_id"])


@app.task(name=TASK, bind=True)  # type: ignore[untyped-decorator]
def site_step(self: Any, request: dict[str, Any]) -> dict[str, Any]:
    """One site's cutover step, run by the worker of its region; its outcome as
    ``--json`` prints it, with the worker that ran it."""
    pipeline = _pipeline(request)
    site = pipeline.loaded.site(request["site"])
    to = Phase(request["to"]) if request.get("to") else None
    now = dt.datetime.fromisoformat(request["now"])
    outcome = cutover_site(pipeline, site, to, now)
    return {**outcome.as_dict(), "worker": self.request.hostname, "pid": os.getpid()}


def run_worker(broker: str, queue: str, *, concurrency: int) -> None:
    """Run a worker on ``queue`` until stopped (threads: a site step waits on sockets)."""
    configure(broker).worker_main(
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
