"""Sedation and dissociation on the scales the medical director chooses: the form follows the
choice, each score keeps the scale it was taken on, and the action limit reads that scale."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from perinatal.infusion import letter, services
from perinatal.infusion.models import DaySettings, Observation
from perinatal.infusion.tests.helpers import CALM, booked_infusion, checked_in, discharged
from tests.harness import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def appointment(day_clinic, clinician):
    return booked_infusion(clinician)


@pytest.fixture
def on_the_day(appointment):
    with time_machine.travel(appointment.starts_at - timedelta(minutes=5), tick=False) as t:
        yield t


def choose(**fields) -> DaySettings:
    day = DaySettings.objects.current()
    for name, value in fields.items():
        setattr(day, name, value)
    day.full_clean()
    day.save()
    return day


def observe_url(appointment):
    return reverse("infusion:observe", args=[appointment.public_id])


def test_a_limit_outside_the_chosen_scale_is_refused(day_clinic):
    with pytest.raises(ValidationError) as refused:
        choose(sedation_scale="moaas", act_sedation_at_or_below=-3)
    assert "MOAA/S runs 0 to 5" in str(refused.value)
    with pytest.raises(ValidationError):
        choose(dissociation_scale="cadss6", act_dissociation_above=40)
    choose(dissociation_scale="cadss23", act_dissociation_above=40)  # the long form runs to 92


def test_the_form_scores_on_the_directors_scale_and_the_score_keeps_its_scale(
    client, appointment, nurse, on_the_day
):
    checked_in(appointment, nurse)
    sign_in(client, nurse)
    page = client.get(reverse("infusion:session", args=[appointment.public_id])).content.decode()
    assert "Sedation, MOAA/S (0 to 5)" in page

    choose(sedation_scale="rass", act_sedation_at_or_below=-3)
    page = client.get(reverse("infusion:session", args=[appointment.public_id])).content.decode()
    assert "Sedation, RASS (-5 to 4)" in page
    typed = {**CALM, "sedation": -6}
    response = client.post(observe_url(appointment), {f"obs-{k}": v for k, v in typed.items()})
    assert response.status_code == 422 and 'value="-6"' in response.content.decode()

    on_the_day.shift(timedelta(minutes=1))
    typed = {**CALM, "sedation": -4}
    response = client.post(observe_url(appointment), {f"obs-{k}": v for k, v in typed.items()})
    assert response.status_code == 302
    taken = Observation.objects.latest("at")
    assert (taken.sedation, taken.sedation_scale) == (-4, "rass")
    assert taken.outside == ["RASS -4, at or below -3."]

    # The director goes back to MOAA/S: the earlier score still says it was RASS.
    choose(sedation_scale="moaas", act_sedation_at_or_below=3)
    record = client.get(reverse("infusion:record", args=[appointment.public_id]))
    assert '-4 <span class="muted small">RASS</span>' in record.content.decode()


def test_the_service_refuses_a_score_off_the_scale(appointment, nurse, on_the_day):
    session = checked_in(appointment, nurse)
    on_the_day.shift(timedelta(minutes=1))
    with pytest.raises(services.Refused, match="MOAA/S runs 0 to 5"):
        services.observe(session, by=nurse, **CALM, sedation=-2)
    with pytest.raises(services.Refused, match="CADSS-6 runs 0 to 24"):
        services.observe(session, by=nurse, **CALM, dissociation=30)


def test_the_ob_summary_names_each_scale_it_reports(
    appointment, nurse, second_nurse, clinician, on_the_day
):
    session = discharged(appointment, nurse, second_nurse, clinician, on_the_day)
    Observation.objects.filter(pk=session.observations.first().pk).update(
        sedation=4, sedation_scale="moaas", dissociation=9, dissociation_scale="cadss6"
    )
    readings = dict(letter.sections(session))["Observations"]
    assert "Sedation (MOAA/S, lower is deeper): lowest 4" in readings
    assert "Dissociation (CADSS-6, higher is more): highest 9" in readings
