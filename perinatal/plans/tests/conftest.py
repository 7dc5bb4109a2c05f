import pytest

from perinatal.plans.tests.helpers import a_patient
from tests.harness import restore_shipped_defaults


@pytest.fixture
def infusion_clinic(clinic):
    """The demo clinic with two chairs per location and the infusion day appointment type, and
    what the data migrations ship (checklist, consent forms, protocol, gate settings): a test on
    ``transactional_db`` empties every table afterwards, so they are put back here."""
    restore_shipped_defaults()
    return clinic


@pytest.fixture
def patient(infusion_clinic):
    return a_patient()


@pytest.fixture
def clinician(staff):
    return staff("clinician", first_name="Maya", last_name="Okafor")


@pytest.fixture
def front_desk_user(staff):
    return staff("front_desk")
