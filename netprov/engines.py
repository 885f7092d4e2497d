"""Which engine steps a run's sites: Nornir in this process, or Celery workers near the
routers (scale-out, docs/scale-out.md). ``--engine`` names one; rollout runs it."""

from __future__ import annotations

from enum import StrEnum


class Engine(StrEnum):
    INPROCESS = "inprocess"  # Nornir threads in this process (the default)
    CELERY = "celery"  # each site a task on its region's worker (the ``fleet`` extra)
