"""A ping's reply has as long as the router's line needs (verify.echo_wait): RouterOS counts
an echo lost at the end of its interval, IOS at its timeout (issue 38)."""

from __future__ import annotations

from netprov.checks.verify import echo_wait
from netprov.models import Platform
from netprov.platforms import driver_for

ROS = driver_for(Platform.MIKROTIK_ROUTEROS)
IOS = driver_for(Platform.CISCO_IOS)


def test_a_good_line_gets_short_pings_and_a_slow_one_long_enough() -> None:
    good, satellite = echo_wait(0.03), echo_wait(0.6)
    assert ROS.ping_command("192.0.2.1", count=5, wait=good).endswith("interval=200ms")
    assert "interval=1200ms" in ROS.ping_command("192.0.2.1", count=5, wait=satellite)
    # IOS: whole seconds, 1 at least (its default is 2: a lost echo cost twice as long)
    assert IOS.ping_command("192.0.2.1", count=5, wait=good).endswith("repeat 5 timeout 1")
    assert IOS.ping_command("192.0.2.1", count=5, wait=satellite).endswith("timeout 2")


def test_the_routeros_interval_stays_within_what_the_manual_allows() -> None:
    assert "interval=5000ms" in ROS.ping_command("192.0.2.1", count=5, wait=30.0)  # 10ms..5s
