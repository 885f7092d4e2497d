"""The Nornir tasks of netprov: rendering a host's configs, and the one task that
runs a registered step (netprov.rollout.steps) on a site.
"""
