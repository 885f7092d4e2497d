"""Run by the Nautobot venv's Python: migrate (whatever the template database lacks) and
print an API token for a superuser, in one process (each nautobot-server start costs
seconds)."""

import os
import sys

import nautobot

nautobot.setup(os.environ["NAUTOBOT_CONFIG"])

from django.core.management import call_command  # noqa: E402 - after Nautobot's setup
from nautobot.users.models import Token, User  # noqa: E402

call_command("migrate", interactive=False, verbosity=0)
user, _ = User.objects.get_or_create(username="netprov", defaults={"is_superuser": True})
user.is_superuser = user.is_staff = True
user.save()
token = Token.objects.create(user=user)
sys.stdout.write(token.key + "\n")
