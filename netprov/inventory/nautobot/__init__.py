"""Nautobot as the inventory's source of truth (docs/source-of-truth.md).

:mod:`~netprov.inventory.nautobot.mapping` says where each inventory field lives there;
:mod:`~netprov.inventory.nautobot.client` talks to it (pynautobot);
:mod:`~netprov.inventory.nautobot.read`
turns what it holds into the inventory's documents, each part traced to its object
(:mod:`~netprov.inventory.nautobot.located`); :mod:`~netprov.inventory.nautobot.desired` and
:mod:`~netprov.inventory.nautobot.export` seed it from an inventory.
"""
