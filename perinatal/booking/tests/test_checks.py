import importlib

from django.core import checks
from django.db import connection

from perinatal.booking.checks import overlap_guard_present

MIGRATION = importlib.import_module("perinatal.booking.migrations.0002_no_overlap")


def test_the_overlap_guard_is_found_and_its_loss_reported(transactional_db):
    assert overlap_guard_present(databases=["default"]) == []
    if connection.vendor == "sqlite":
        drop, restore = ["DROP TRIGGER appointment_no_overlap_update"], MIGRATION.SQLITE_UP[1:]
    else:
        drop, restore = MIGRATION.POSTGRES_DOWN, MIGRATION.POSTGRES_UP[1:]
    with connection.cursor() as cursor:
        for sql in drop:
            cursor.execute(sql)
    try:
        problems = overlap_guard_present(databases=["default"])
        assert [p.id for p in problems] == ["perinatal.booking.E001"]
        assert problems[0].level == checks.ERROR
    finally:
        with connection.cursor() as cursor:
            for sql in restore:
                cursor.execute(sql)
    assert overlap_guard_present(databases=["default"]) == []
