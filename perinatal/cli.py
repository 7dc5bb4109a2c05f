"""The ``perinatal`` command: Django's management commands under one name for people.

``perinatal serve`` runs the demo clinic, ``perinatal worker`` the background worker,
``perinatal demo`` loads the demo clinic, ``perinatal audit verify`` checks the audit log's
chain; any other Django command works too (``perinatal migrate``, ``perinatal createsuperuser``).

``perinatal migrate`` connects as ``DATABASE_OWNER_URL`` when it is set: in production the app's
own role (``DATABASE_URL``) owns nothing and may only add to the audit log, so it cannot create
tables or install the triggers that guard the log (README, "Running in production").
"""

import os
import sys

OWNER_COMMANDS = {"migrate"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perinatal.settings")
    owner_url = os.environ.get("DATABASE_OWNER_URL")
    if owner_url and sys.argv[1:2] and sys.argv[1] in OWNER_COMMANDS:
        os.environ["DATABASE_URL"] = owner_url
    from django.core.management import execute_from_command_line

    execute_from_command_line(["perinatal", *sys.argv[1:]])
