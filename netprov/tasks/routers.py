"""The one Nornir task of netprov: a registered step (:mod:`netprov.rollout.steps`) on one
site. It lives with the in-process engine that runs it (:mod:`netprov.rollout.runner`);
this module names it for a Nornir script of your own.

The work is in the step; the task only picks the site, runs the step and reports what
it found as a Nornir ``Result`` (``failed`` and ``changed`` from an outcome).
"""

from __future__ import annotations

from netprov.rollout.runner import site_task

__all__ = ["site_task"]
