"""Shared fixtures: named personas and the clinic they work in.

Tests that only PostgreSQL can show carry ``@pytest.mark.postgres`` and are skipped on SQLite.
"""

import pytest
from django.conf import settings
from django.core.cache import cache


def _on_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def pytest_collection_modifyitems(config, items):
    if _on_postgres():
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL to run)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clinic(db):
    from perinatal.clinic.demo import load_demo_clinic

    clinic, _ = load_demo_clinic()
    return clinic


@pytest.fixture
def front_desk(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(
        "frontdesk", password="a long test password 1", is_staff=True, is_superuser=True
    )


@pytest.fixture
def outsider(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user("outsider", password="a long test password 2")
