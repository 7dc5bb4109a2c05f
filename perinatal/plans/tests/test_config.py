"""Clinical configuration ships as data to review."""

from decimal import Decimal

import pytest

from perinatal.plans.admin import FollowUpScheduleForm
from perinatal.plans.models import FollowUpSchedule, Protocol, compute_dose
from tests.harness import sign_in


@pytest.mark.django_db
def test_the_default_protocol_is_half_a_milligram_per_kilo_over_forty_minutes_to_review():
    protocol = Protocol.objects.default()
    assert protocol is not None
    assert (protocol.dose_mg_per_kg, protocol.minutes) == (Decimal("0.50"), 40)
    assert protocol.route == Protocol.Route.IV
    assert protocol.needs_review is True
    assert "default" in protocol.name.lower() and "review" in protocol.name.lower()
    assert "Andrade" in protocol.source and "Talati" in protocol.source
    assert protocol.describe() == "0.5 mg/kg IV over 40 minutes"


@pytest.mark.django_db
def test_the_default_follow_up_schedule_is_the_product_brief_days_to_review():
    schedule = FollowUpSchedule.objects.default()
    assert schedule.days == [1, 7, 14, 30, 42, 90, 180]
    assert schedule.needs_review is True
    assert "review" in schedule.name.lower()


@pytest.mark.django_db
def test_only_one_protocol_can_be_the_default():
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        Protocol.objects.create(
            name="Another", dose_mg_per_kg=Decimal("0.75"), minutes=40, is_default=True
        )


def test_the_dose_is_weight_times_dose_per_kilo_to_a_tenth_of_a_milligram():
    assert compute_dose(Decimal("72.5"), Decimal("0.50")) == Decimal("36.3")  # 36.25 rounds up
    assert compute_dose(Decimal("60.0"), Decimal("0.50")) == Decimal("30.0")
    assert compute_dose(Decimal("81.3"), Decimal("0.75")) == Decimal("61.0")  # 60.975


@pytest.mark.django_db
def test_follow_up_days_are_typed_as_a_list_and_checked():
    def form(days):
        return FollowUpScheduleForm({"name": "Short", "days": days, "is_active": "on", "notes": ""})

    good = form("1, 7, 14")
    assert good.is_valid(), good.errors
    assert good.cleaned_data["days"] == [1, 7, 14]
    assert not form("7, 1").is_valid()  # out of order
    assert not form("1, 1").is_valid()  # twice
    assert not form("one week").is_valid()
    assert not form("").is_valid()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "protocols", "chairs"),
    [("director", True, False), ("admin", False, True), ("clinician", False, False)],
)
def test_protocols_are_the_directors_and_chairs_the_clinic_setup(
    client, staff, clinic, role, protocols, chairs
):
    sign_in(client, staff(role, is_staff=True))
    for path, allowed in (
        ("/admin/plans/protocol/", protocols),
        ("/admin/plans/infusionchair/", chairs),
    ):
        status = client.get(path, follow=True).status_code
        assert status == 200 if allowed else status in (403, 404), (path, status)
