"""The outcome dashboard on a cohort made through the real services: three mothers' infusions,
their baselines on the day, follow-ups answered, missed or still open. The figures were worked
out by hand; the page, the CSV and the command must all show them."""

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from perinatal.audit.models import AuditEvent
from perinatal.followup import services as follow_ups
from perinatal.followup.models import FollowUp
from perinatal.infusion import services
from perinatal.infusion.models import DaySettings, InfusionEvent
from perinatal.infusion.tests.helpers import CALM, booked_infusion, ready_to_start
from perinatal.outcomes import report
from perinatal.outcomes.cohort import Window
from perinatal.plans.tests.helpers import a_patient
from perinatal.screening.instruments import get_instrument
from perinatal.screening.services import save_screening
from tests.harness import sign_in

pytestmark = pytest.mark.django_db
VITALS: dict[str, Any] = dict(CALM)

BOOKED_ON = datetime(2026, 3, 5, 15, 0, tzinfo=UTC)  # a Thursday; infusions from 16 March


def epds(total: int):
    """The English EPDS scored at ``total``, the self-harm item at 0."""
    instrument = get_instrument("epds", "en")
    assert instrument is not None
    positions, left = [], total
    for item in instrument.items:
        want = 0 if item.safety else min(left, 3)
        left -= want
        positions.append(next(n for n, o in enumerate(item.options) if o.score == want))
    assert left == 0
    return instrument.score(positions)


def infused(clinician, nurse, checker, *, days: int, baseline: int, seat: int = 0):
    """Her infusion ``days`` after BOOKED_ON, her baseline EPDS taken before the start, and
    her discharge (which schedules her follow-ups)."""
    with time_machine.travel(BOOKED_ON, tick=False) as clock:
        appointment = booked_infusion(clinician, patient=a_patient(), days=days, seat=seat)
        clock.move_to(appointment.starts_at)
        session = ready_to_start(appointment, nurse, checker)
        clock.shift(timedelta(minutes=2))
        save_screening(
            scored=epds(baseline), risk_factors=[], channel="clinic", patient=appointment.patient
        )
        clock.shift(timedelta(minutes=2))
        session = services.start(session, by=nurse)
        clock.shift(timedelta(minutes=40))
        session = services.change(session, by=nurse, kind=InfusionEvent.Kind.STOP)
        vial = session.vials.get()
        services.close_vial(vial, given_mg=session.dose_mg, wasted_mg=Decimal(5), witness=checker)
        clock.shift(timedelta(minutes=125))
        services.observe(session, by=nurse, **VITALS)
        return services.discharge(
            session,
            by=clinician,
            ticked=DaySettings.objects.current().checklist(),
            escort=appointment.plan.escort_name,
        )


def answer(session, day: int, total: int) -> None:
    follow_up = FollowUp.objects.get(session=session, anchor="infusion", day=day)
    with time_machine.travel(follow_up.opens_at + timedelta(minutes=5), tick=False):
        follow_ups.sweep()
        follow_up.refresh_from_db()
        follow_ups.answer(follow_up, epds(total))


@pytest.fixture
def cohort(day_clinic, clinician, nurse, second_nurse):
    """By hand. Baselines 20, 16, 18; the third mother's infusion a day after the others'.
    Day 1: all three missed. Day 7: first 8, second 10, third missed. Day 14: first 9, second
    missed, third still open when we look."""
    first = infused(clinician, nurse, second_nurse, days=11, baseline=20)
    second = infused(clinician, nurse, second_nurse, days=11, baseline=16, seat=1)
    third = infused(clinician, nurse, second_nurse, days=12, baseline=18)
    answer(first, 7, 8)
    answer(second, 7, 10)
    answer(first, 14, 9)
    second_day_14 = FollowUp.objects.get(session=second, anchor="infusion", day=14)
    looking = second_day_14.closes_at + timedelta(hours=1)
    with time_machine.travel(looking, tick=False):
        follow_ups.sweep()
    return looking, [first, second, third]


def figures(rows) -> dict[tuple[str, str, str, str], list[str]]:
    """(split, group, measure, day) -> [count, of, value, low, high]."""
    return {(r[3], r[4], r[5], r[6]): r[7:] for r in rows}


def test_the_hand_built_cohort_on_the_page_in_the_csv_and_in_the_command(client, cohort, clinician):
    looking, _ = cohort
    with time_machine.travel(looking, tick=False):
        sign_in(client, clinician)
        page = client.get(reverse("outcomes:dashboard")).content.decode()
        download = client.get(reverse("outcomes:dashboard"), {"format": "csv"})
        today = looking.date().isoformat()
        out = io.StringIO()
        call_command("outcomes", "--to", today, "--csv", stdout=out)

    table = figures(list(csv.reader(io.StringIO(download.content.decode())))[1:])
    every = ("all", "all")
    assert table[(*every, "infusions", "")][0] == "3"
    assert table[(*every, "with a baseline", "")][0] == "3"
    assert table[(*every, "baseline mean", "")][2] == "18.00"  # (20 + 16 + 18) / 3
    # Day 1: three due, none answered.
    assert table[(*every, "answered", "1")][:2] == ["0", "3"]
    # Day 7: answered 8 and 10 (changes -12 and -6: mean -9; sd 4.243; t(0.975, 1) 12.706;
    # half-width 38.118); the third missed. Response: 20 -> 8 yes, 16 -> 10 no.
    assert table[(*every, "answered", "7")][:3] == ["2", "3", "66.67"]
    assert table[(*every, "mean change", "7")] == ["2", "", "-9.00", "-47.12", "29.12"]
    assert table[(*every, "response", "7")][:3] == ["1", "2", "50.00"]
    # Day 14: the first answered 9 (-11), the second missed, the third's still open.
    assert table[(*every, "due", "14")][0] == "2"
    assert table[(*every, "still open", "14")][0] == "1"
    assert table[(*every, "mean change", "14")][:3] == ["1", "", "-11.00"]
    # EPDS remission is not defined by default: no row claims a rate.
    assert not [key for key in table if key[2] == "remission"]
    # Later days have not opened yet and are not counted at all.
    assert not [k for k in table if k[3] in ("30", "42", "90", "180") and k[2] == "due"]
    # Responding on day 7: the first alone; nobody has answered on day 42 yet.
    assert table[(*every, "still responding (of responders on day 7)", "42")][:2] == ["0", "0"]

    assert "1 of 2 (50 %)" in page and "-9.0 (-47.1 to 29.1), n = 2" in page
    assert "not defined for the EPDS yet" in page
    command_rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert command_rows == list(csv.reader(io.StringIO(download.content.decode())))
    assert AuditEvent.objects.filter(model="outcomes.report", action="export").count() == 2


def test_the_report_reads_the_same_queries_for_one_infusion_or_three(
    day_clinic, clinician, nurse, second_nurse
):
    window = Window(datetime(2026, 3, 1).date(), datetime(2026, 12, 31).date())
    infused(clinician, nurse, second_nurse, days=11, baseline=20)
    with CaptureQueriesContext(connection) as one:
        small = report.build(window, "epds")
    infused(clinician, nurse, second_nurse, days=12, baseline=16)
    infused(clinician, nurse, second_nurse, days=13, baseline=18)
    with CaptureQueriesContext(connection) as three:
        large = report.build(window, "epds")
    assert (small.overall.infusions, large.overall.infusions) == (1, 3)
    assert len(one) == len(three)


def test_only_clinical_staff_see_outcomes_and_bad_dates_are_named(client, day_clinic, staff):
    sign_in(client, staff("front_desk", username="desk"))
    assert client.get(reverse("outcomes:dashboard")).status_code == 404  # as for any page
    assert (
        reverse("outcomes:dashboard") not in client.get(reverse("infusion:board")).content.decode()
    )
    client.logout()
    sign_in(client, staff("director", username="director"))
    response = client.get(reverse("outcomes:dashboard"), {"start": "2026-02-30", "end": "x"})
    assert response.status_code == 200
    assert "Enter a date as YYYY-MM-DD." in response.content.decode()
    response = client.get(reverse("outcomes:dashboard"), {"start": "2020-01-01"})
    assert "three years or less" in response.content.decode()
    for far in ({"end": "0001-01-01"}, {"start": "0001-01-01"}, {"end": "9999-12-31"}):
        response = client.get(reverse("outcomes:dashboard"), far)
        assert response.status_code == 200, far
        assert "Choose" in response.content.decode(), far


def test_the_command_refuses_dates_it_cannot_use(day_clinic):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("outcomes", "--from", "2026-13-01")
