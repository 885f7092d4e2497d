"""The Nornir task: a registered step (netprov.steps) on one site.

Installed as ``netprov.tasks`` (see ``pyproject.toml``), so no bare ``tasks`` module lands
in site-packages.
"""
