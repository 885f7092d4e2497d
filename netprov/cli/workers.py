"""``netprov worker``: a scale-out worker that steps the sites of one region (a queue),
near the routers it reaches (docs/scale-out.md)."""

from __future__ import annotations

import re
import sys
from typing import Annotated

import typer

from netprov.cli.options import between


def worker(
    queue: Annotated[
        str,
        typer.Option("--queue", metavar="REGION", help="The region whose sites it steps."),
    ],
    broker: Annotated[str, typer.Option(metavar="URL", help="The broker (redis://HOST:PORT/N).")],
    concurrency: Annotated[
        int,
        typer.Option(
            metavar="N",
            callback=between(1, 200),
            help="Sites of the region worked on at once (1-200).",
        ),
    ] = 10,
    visibility_timeout: Annotated[
        int,
        typer.Option(
            metavar="SECONDS",
            callback=between(1),
            help="Seconds before the broker hands an unacknowledged site step to another "
            "worker: longer than a site's step (a second delivery waits for the first).",
        ),
    ] = 3600,
    rate_limit: Annotated[
        str | None,
        typer.Option(
            metavar="N/s|m|h",
            help="Site steps this worker starts per second, minute or hour (30/m): the "
            "region's pace when it has one worker.",
        ),
    ] = None,
    in_process: Annotated[
        bool, typer.Option("--in-process", hidden=True, help="Run Celery in this process.")
    ] = False,
) -> None:
    """Run a region worker (scale-out) until stopped.

    It takes the region's site steps from the broker and reports each outcome once it is
    journaled. Secrets resolve here, from this
    machine's environment; tasks name them only by reference. Its Celery process is
    started again whenever it ends unasked (Celery may give up on a lost broker)."""
    if rate_limit is not None and not re.fullmatch(r"[1-9]\d*/[smh]", rate_limit):
        raise typer.BadParameter("a count per s, m or h, e.g. 30/m", param_hint="--rate-limit")
    try:
        from netprov.rollout.engine.celery_app import run_worker
    except ImportError:
        raise typer.BadParameter(
            "the scale-out engine is not installed: pip install 'netprov[fleet]'",
            param_hint="worker",
        ) from None
    if in_process:
        run_worker(
            broker,
            queue,
            concurrency=concurrency,
            visibility_timeout=visibility_timeout,
            rate_limit=rate_limit,
        )
        return
    from netprov.rollout.engine.supervise import supervise

    raise typer.Exit(
        supervise(
            [
                *(sys.executable, "-m", "netprov", "worker", "--in-process"),
                *("--queue", queue, "--broker", broker, "--concurrency", str(concurrency)),
                *("--visibility-timeout", str(visibility_timeout)),
                *(("--rate-limit", rate_limit) if rate_limit else ()),
            ]
        )
    )
