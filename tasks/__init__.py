"""Nornir tasks: thin functions, the only layer that does I/O on behalf of a site.

Installed as ``netprov.tasks`` (see ``pyproject.toml``), so no bare ``tasks`` module lands
in site-packages.
"""
