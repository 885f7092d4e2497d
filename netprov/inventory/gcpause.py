"""The cyclic garbage collector kept off a freshly loaded inventory.

Loading 10,000 sites builds millions of objects that live as long as the run. Each full
collection walks all of them again: during the load (1.3 s of a 2.9 s load) and once more
at the first full collection after it (about 1 s). So the load runs with the collector
paused, and the heap is then frozen (moved where the collector never looks, as
``gc.freeze`` does before a fork). Reference counting still frees every frozen object
that is dropped (200 loads in a loop: flat memory); only cyclic garbage not yet collected
when a load ends waits for ``gc.unfreeze`` (which :func:`netprov.render.forking.forked_map` calls).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic collection inside the block; what it built is frozen when it ends
    (the collector's state restored as it was)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
