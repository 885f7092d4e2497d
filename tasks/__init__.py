"""Nornir tasks, for a Nornir script of your own in this repository: netprov's
tasks live in :mod:`netprov.tasks` (installed with the package); this folder only
names them.
"""

from netprov.tasks.render import render_config
from netprov.tasks.routers import site_task

__all__ = ["render_config", "site_task"]
