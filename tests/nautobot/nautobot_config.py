"""Nautobot's settings for the test tier: its defaults, the database, Redis and secret key
from the environment the test helper sets (tests/nautobot_server.py), nothing reaching out
(no installation metrics: these machines have no network)."""

import os

from nautobot.core.settings import *  # noqa: F403 - Nautobot's documented way to configure

SECRET_KEY = os.environ["NAUTOBOT_SECRET_KEY"]
INSTALLATION_METRICS_ENABLED = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
