import pytest

from tests.harness import restore_shipped_defaults


@pytest.fixture
def day_clinic(clinic):
    """The demo clinic with chairs, the infusion visit and every shipped default."""
    restore_shipped_defaults()
    return clinic


@pytest.fixture
def clinician(staff):
    return staff("clinician", username="dr-okafor", first_name="Maya", last_name="Okafor")


@pytest.fixture
def nurse(staff):
    return staff("nurse", username="nurse-ruiz", first_name="Lena", last_name="Ruiz")


@pytest.fixture
def second_nurse(staff):
    return staff("nurse", username="nurse-park", first_name="Jin", last_name="Park")
