"""Many sites: cutover waves, failover drills, the step registry and the engines that run it
(Nornir in process, Celery workers)."""
