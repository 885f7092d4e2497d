"""How long a router's ping runs before its prompt comes back, in the device's seconds.

Without it the twin answers a ping at once, and whatever waits on pings (the checks that
run before a failed change is reverted, the office's outage bench_downtime measures) would
be measured short of what a real router takes.
"""

from __future__ import annotations

import re

_ROS_DURATION = re.compile(r"^(?P<number>\d+(?:\.\d+)?)(?P<unit>ms|s)?$")


def routeros_ping_seconds(line: str) -> float:
    """``/ping`` sends one packet per ``interval`` (default 1 s) whatever comes back, and
    prints its summary after ``count`` of them (MikroTik manual, "Ping": count, interval).
    Anything but a counted ping: 0.

    Examples:
        >>> routeros_ping_seconds("/ping address=192.0.2.1 count=5 interval=200ms")
        1.0
        >>> routeros_ping_seconds("/ping 192.0.2.1 count=3")
        3.0
        >>> routeros_ping_seconds("/ip route print")
        0.0
    """
    words = line.split()
    if not words or words[0] not in {"/ping", "ping"}:
        return 0.0
    params = dict(w.split("=", 1) for w in words[1:] if "=" in w)
    count = params.get("count", "")
    interval = _ROS_DURATION.match(params.get("interval", "1"))
    if not count.isdigit() or interval is None:
        return 0.0
    seconds = float(interval["number"]) / (1000 if interval["unit"] == "ms" else 1)
    return int(count) * seconds


def ios_ping_seconds(line: str, output: str) -> float:
    """IOS waits ``timeout`` seconds (default 2) for each echo that does not come back
    (``.``); a reply (``!``) comes back in its round trip (Cisco IOS Configuration
    Fundamentals Command Reference, "ping": repeat, timeout).

    Examples:
        >>> ios_ping_seconds("ping 192.0.2.1 repeat 5", "Sending 5, ...\\n!!...\\n")
        6.0
        >>> ios_ping_seconds("ping 192.0.2.1 size 1500 df-bit repeat 2 timeout 1", "..\\n")
        2.0
        >>> ios_ping_seconds("show ip route", "")
        0.0
    """
    words = [w for w in line.split() if w != "df-bit"]  # the one option without a value
    if not words or words[0] != "ping":
        return 0.0
    options = dict(zip(words[2::2], words[3::2], strict=False))
    timeout = options.get("timeout", "2")
    marks = next((w for w in output.split() if w and set(w) <= {"!", "."}), "")
    lost = marks.count(".")
    return lost * float(timeout) if timeout.replace(".", "", 1).isdigit() else 0.0
