"""The OB directory, and linking a patient to her OB from the chart."""

import uuid

import pytest

from perinatal.audit.models import Action, AuditEvent
from perinatal.obcare.models import Obstetrician, PatientOb, ob_of
from perinatal.obcare.npi import is_valid_npi
from perinatal.obcare.tests.helpers import a_patient, an_ob
from tests.harness import sign_in

pytestmark = pytest.mark.django_db

VALID_NPI = "1234567893"  # the worked example in CMS's check-digit note (9 digits 123456789)


def test_an_npi_must_pass_the_cms_check_digit():
    assert is_valid_npi(VALID_NPI)
    assert is_valid_npi("1558598797")
    assert not is_valid_npi("1234567890")  # wrong check digit
    assert not is_valid_npi("123456789")  # nine digits
    assert not is_valid_npi("3234567897")  # NPIs start with 1 or 2
    assert not is_valid_npi("12345678a3")


def test_front_desk_adds_an_ob_with_numbers_stored_in_one_format(client, clinic, staff):
    sign_in(client, staff("front_desk"))
    response = client.post(
        "/staff/obs/new/",
        {
            "name": "Dr. Laura Chen",
            "practice": "Back Bay Obstetrics",
            "phone": "(617) 555-0111",
            "fax": "617 555 0112",
            "email": "lchen@backbay-ob.example.org",
            "npi": "1234-567-893",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    ob = Obstetrician.objects.get()
    assert (ob.phone, ob.fax, ob.npi) == ("+16175550111", "+16175550112", VALID_NPI)


def test_the_npi_is_optional(client, clinic, staff):
    sign_in(client, staff("front_desk"))
    response = client.post("/staff/obs/new/", {"name": "Midwife Rosa Díaz", "is_active": "on"})
    assert response.status_code == 302
    assert Obstetrician.objects.get().npi == ""


@pytest.mark.parametrize(
    ("npi", "message"),
    [("1234567890", "not a valid NPI"), ("12345", "not a valid NPI")],
)
def test_a_wrong_npi_is_refused_in_plain_words(client, clinic, staff, npi, message):
    sign_in(client, staff("front_desk"))
    response = client.post("/staff/obs/new/", {"name": "Dr. X", "npi": npi, "is_active": "on"})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Obstetrician.objects.exists()


def test_an_npi_already_in_the_directory_is_refused(client, clinic, staff):
    an_ob(npi=VALID_NPI)
    sign_in(client, staff("front_desk"))
    response = client.post("/staff/obs/new/", {"name": "Dr. Y", "npi": VALID_NPI})
    assert "already in the directory" in response.content.decode()
    assert Obstetrician.objects.count() == 1


def test_a_phone_number_that_is_not_one_is_refused(client, clinic, staff):
    sign_in(client, staff("front_desk"))
    response = client.post("/staff/obs/new/", {"name": "Dr. Z", "phone": "12"})
    assert "does not look like a phone number" in response.content.decode()
    assert not Obstetrician.objects.exists()


def test_staff_edit_an_entry(client, clinic, staff):
    ob = an_ob()
    sign_in(client, staff("nurse"))
    response = client.post(
        f"/staff/obs/{ob.public_id}/",
        {"name": ob.name, "practice": "Harbor OB/GYN", "email": "chen@harbor.example.org"},
    )
    assert response.status_code == 302
    ob.refresh_from_db()
    assert (ob.practice, ob.email, ob.is_active) == (
        "Harbor OB/GYN",
        "chen@harbor.example.org",
        False,
    )


def test_the_directory_lists_and_searches_in_a_constant_number_of_queries(
    client, clinic, staff, django_assert_max_num_queries
):
    for i in range(30):
        an_ob(name=f"Dr. Person {i}", practice="Harbor OB" if i % 2 else "Bay Midwives")
    sign_in(client, staff("front_desk"))
    client.get("/staff/obs/")  # warm the clinic cache and the session
    with django_assert_max_num_queries(12):
        response = client.get("/staff/obs/")
    assert response.status_code == 200
    assert response.content.decode().count("Dr. Person") == 30
    response = client.get("/staff/obs/", {"q": "midwives"})
    assert response.content.decode().count("Dr. Person") == 15


def test_people_without_the_directory_capability_get_404(client, clinic, staff):
    ob = an_ob()
    sign_in(client, staff("admin"))
    for url in ("/staff/obs/", "/staff/obs/new/", f"/staff/obs/{ob.public_id}/"):
        assert client.get(url).status_code == 404


def test_signing_in_is_needed_for_the_directory(client, clinic):
    response = client.get("/staff/obs/")
    assert response.status_code == 302
    assert "/staff/sign-in/" in response["Location"]


def test_the_link_page_offers_the_directory_entries_matching_what_she_typed(client, clinic, staff):
    an_ob()
    an_ob(name="Dr. Omar Haddad", practice="Cambridge Women's Health")
    patient = a_patient()
    sign_in(client, staff("front_desk"))
    page = client.get(f"/staff/patients/{patient.public_id}/ob/").content.decode()
    assert "Dr. Laura Chen" in page
    assert "Dr. Omar Haddad" not in page
    # The form to add a new entry is filled in from what she typed.
    assert 'value="Dr Chen"' in page
    assert 'value="Back Bay OB"' in page


def test_linking_her_ob_is_audited_as_a_change_to_her_record(client, clinic, staff):
    ob = an_ob()
    patient = a_patient()
    sign_in(client, staff("front_desk"))
    response = client.post(f"/staff/patients/{patient.public_id}/ob/", {"obstetrician": ob.pk})
    assert response.status_code == 302
    assert response["Location"] == f"/staff/patients/{patient.public_id}/"
    patient.refresh_from_db()
    assert ob_of(patient).obstetrician == ob
    change = AuditEvent.objects.get(action=Action.UPDATE, patient_id=patient.pk)
    assert change.model == "obcare.patientob"
    assert change.detail["fields"] == ["obstetrician"]
    assert change.actor_label == "front_desk"


def test_adding_a_new_entry_from_what_she_typed_links_it(client, clinic, staff):
    patient = a_patient()
    sign_in(client, staff("front_desk"))
    response = client.post(
        f"/staff/patients/{patient.public_id}/ob/new/",
        {"name": "Dr. Laura Chen", "practice": "Back Bay OB", "fax": "6175550112"},
    )
    assert response.status_code == 302
    patient.refresh_from_db()
    assert ob_of(patient).obstetrician.name == "Dr. Laura Chen"
    assert ob_of(patient).obstetrician.fax == "+16175550112"


def test_linking_to_an_unknown_patient_or_ob_changes_nothing(client, clinic, staff):
    ob = an_ob(is_active=False)
    patient = a_patient()
    sign_in(client, staff("front_desk"))
    assert (
        client.post(f"/staff/patients/{uuid.uuid4()}/ob/", {"obstetrician": ob.pk}).status_code
        == 404
    )
    client.post(f"/staff/patients/{patient.public_id}/ob/", {"obstetrician": ob.pk})  # not in use
    patient.refresh_from_db()
    assert ob_of(patient).obstetrician is None


def test_people_who_cannot_edit_patients_cannot_link(client, clinic, staff):
    ob = an_ob()
    patient = a_patient()
    sign_in(client, staff("admin"))
    assert client.get(f"/staff/patients/{patient.public_id}/ob/").status_code == 404
    assert (
        client.post(f"/staff/patients/{patient.public_id}/ob/", {"obstetrician": ob.pk}).status_code
        == 404
    )
    patient.refresh_from_db()
    assert ob_of(patient).obstetrician is None


def test_staff_link_her_ob_and_correct_what_she_named_on_her_ob_page(client, clinic, staff):
    ob = an_ob()
    patient = a_patient()
    sign_in(client, staff("front_desk"))
    page = client.get(f"/staff/patients/{patient.public_id}/ob/edit/").content.decode()
    assert 'value="Dr Chen"' in page

    response = client.post(
        f"/staff/patients/{patient.public_id}/ob/edit/",
        {"obstetrician": ob.pk, "name_given": "Dr Laura Chen", "practice_given": "Back Bay OB"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/staff/patients/{patient.public_id}/"
    her_ob = PatientOb.objects.get(patient=patient)
    assert (her_ob.obstetrician, her_ob.name_given) == (ob, "Dr Laura Chen")
    change = AuditEvent.objects.get(action=Action.UPDATE, model="obcare.patientob")
    assert change.patient_id == patient.pk
    assert sorted(change.detail["fields"]) == ["name_given", "obstetrician"]
    # Unlinked again: the directory entry goes, what she said stays.
    client.post(
        f"/staff/patients/{patient.public_id}/ob/edit/",
        {"obstetrician": "", "name_given": "Dr Laura Chen", "practice_given": "Back Bay OB"},
    )
    her_ob.refresh_from_db()
    assert (her_ob.obstetrician, her_ob.name_given) == (None, "Dr Laura Chen")


def test_her_ob_page_refuses_two_lines_and_keeps_what_was_typed(client, clinic, staff):
    patient = a_patient()
    sign_in(client, staff("front_desk"))

    response = client.post(
        f"/staff/patients/{patient.public_id}/ob/edit/",
        {"obstetrician": "", "name_given": "Dr Chen\nDr Lee", "practice_given": "Harbor OB"},
    )

    assert response.status_code == 200
    assert 'value="Harbor OB"' in response.content.decode()
    assert ob_of(patient).practice_given == "Back Bay OB"


def test_a_first_ob_for_a_patient_without_one_starts_her_row(client, clinic, staff):
    ob = an_ob()
    patient = a_patient()
    PatientOb.objects.filter(patient=patient).delete()
    sign_in(client, staff("front_desk"))
    client.post(f"/staff/patients/{patient.public_id}/ob/", {"obstetrician": ob.pk})
    assert PatientOb.objects.get(patient=patient).obstetrician == ob
    client.post(f"/staff/patients/{patient.public_id}/ob/edit/", {"obstetrician": ""})
    assert PatientOb.objects.get(patient=patient).obstetrician is None
