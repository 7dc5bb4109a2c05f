import importlib

import pytest
from django.apps import apps

from perinatal.ops.demo.plans import load_demo
from perinatal.plans.tests.helpers import a_patient

DEFAULTS = importlib.import_module("perinatal.plans.migrations.0002_default_protocol_and_follow_up")


@pytest.fixture
def infusion_clinic(clinic):
    """The demo clinic with two chairs per location and the infusion day appointment type.

    The shipped defaults come from a data migration; a test on ``transactional_db`` empties
    every table afterwards, so they are put back for whatever runs next.
    """
    DEFAULTS.add_defaults(apps, None)
    load_demo()
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
