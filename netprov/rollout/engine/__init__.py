"""Scale-out: site steps run by Celery workers near the routers (one queue per region), the
coordinator keeping the waves, the canary and the gate. The embedded default is the
in-process Nornir runner; this engine is optional (``pip install 'netprov[fleet]'``).
See docs/scale-out.md.
"""
