import pytest
import time_machine

from perinatal.backoffice.tests.helpers import NOW, Clinic


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def clinic_day(db, frozen):
    """A clinic on Monday morning: one location, one clinician, nothing booked."""
    return Clinic()
