"""The demo's setup loads once, however often ``serve`` starts: the clinic's logo, the infusion
chairs and visit, the OB directory."""

import pytest

from perinatal.booking.models import ConsultationType
from perinatal.clinic.models import Location
from perinatal.obcare.models import Obstetrician
from perinatal.ops.demo import obcare, plans
from perinatal.ops.demo.clinic import load_demo_clinic
from perinatal.plans.models import InfusionChair, Protocol

pytestmark = pytest.mark.django_db


def test_loading_the_demo_twice_keeps_one_logo_file(clinic):
    name = clinic.logo.name
    again, _ = load_demo_clinic()
    assert again.logo.name == name
    assert clinic.logo.storage.listdir("clinic")[1].count(name.rsplit("/", 1)[1]) == 1


def test_the_demo_gives_each_location_two_chairs_and_an_infusion_type_not_offered_online(clinic):
    plans.load_demo()
    plans.load_demo()  # idempotent
    for location in Location.objects.all():
        assert InfusionChair.objects.filter(location=location).count() == 2
    infusion = ConsultationType.objects.get(slug="iv-ketamine-infusion")
    assert infusion.in_person and not infusion.is_active
    assert infusion.duration_minutes >= 120
    assert infusion.clinicians.exists()
    assert Protocol.objects.default().visit_type == infusion


def test_the_demo_directory_loads_once():
    assert obcare.load_demo() == len(obcare.DEMO_OBS)
    assert obcare.load_demo() == 0
    assert Obstetrician.objects.count() == len(obcare.DEMO_OBS)
