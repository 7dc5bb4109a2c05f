"""The ``perinatal`` command: Django's management commands under one name for people.

``perinatal serve`` runs the demo clinic, ``perinatal worker`` the background worker,
``perinatal demo`` loads the demo clinic; any other Django command works too
(``perinatal migrate``, ``perinatal createsuperuser``).
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perinatal.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["perinatal", *sys.argv[1:]])
