import pytest

from perinatal.consult.tests.helpers import make_patient
from tests.harness import sign_in


@pytest.fixture
def patient(db):
    return make_patient()


@pytest.fixture
def clinician(staff):
    return staff("clinician")


@pytest.fixture
def signed_in(client, clinic):
    """``signed_in(user)``: the test client, signed in as ``user`` with both factors."""

    def sign(user):
        return sign_in(client, user)

    return sign
