"""Nautobot as the inventory's source of truth (docs/source-of-truth.md).

:mod:`~netprov.nautobot.mapping` says where each inventory field lives there;
:mod:`~netprov.nautobot.client` talks to it (pynautobot); :mod:`~netprov.nautobot.read`
turns what it holds into the inventory's documents, each part traced to its object
(:mod:`~netprov.nautobot.located`); :mod:`~netprov.nautobot.desired` and
:mod:`~netprov.nautobot.export` seed it from an inventory.
"""
