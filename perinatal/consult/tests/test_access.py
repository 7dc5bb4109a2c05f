"""Who may open consultation pages: clinicians and the medical director write and sign; nurses
read; front desk, IT admins and anyone else get 404, whatever the record."""

import pytest

from perinatal.accounts.roles import capabilities
from perinatal.consult import services
from perinatal.consult.models import ConsultationNote
from perinatal.consult.tests.helpers import note_data
from tests.harness import chart_section_html, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def notes(clinician, patient, client, clinic):
    """A draft and a signed note of the patient, written by the clinician."""
    sign_in(client, clinician)
    url = f"/staff/patients/{patient.public_id}/consultations/new/"
    client.post(url, note_data())
    client.post(url, note_data())
    signed, draft = ConsultationNote.objects.order_by("pk")
    services.sign(note=signed, user=clinician)
    client.logout()
    return draft, signed


def urls(patient, draft, signed) -> list[str]:
    return [
        f"/staff/patients/{patient.public_id}/consultations/new/",
        f"/staff/consultations/{draft.public_id}/",
        f"/staff/consultations/{signed.public_id}/",
        f"/staff/consultations/{draft.public_id}/sign/",
        f"/staff/consultations/{signed.public_id}/addendum/",
    ]


@pytest.mark.parametrize("role", ["front_desk", "admin"])
def test_front_desk_and_it_admins_get_404_on_every_consultation_page(
    client, staff, patient, notes, role
):
    sign_in(client, staff(role))
    for url in urls(patient, *notes):
        assert client.get(url).status_code == 404, url
        assert client.post(url, note_data()).status_code == 404, url
    assert ConsultationNote.objects.count() == 2


def test_a_nurse_reads_notes_but_cannot_write_or_sign(client, staff, patient, notes):
    draft, signed = notes
    sign_in(client, staff("nurse"))
    for note in (draft, signed):
        page = client.get(f"/staff/consultations/{note.public_id}/")
        assert page.status_code == 200
        assert "Save draft" not in page.content.decode()
        assert "Sign and add addendum" not in page.content.decode()
        assert (
            client.post(f"/staff/consultations/{note.public_id}/", note_data()).status_code == 404
        )
    assert client.get(f"/staff/patients/{patient.public_id}/consultations/new/").status_code == 404
    assert client.post(f"/staff/consultations/{draft.public_id}/sign/").status_code == 404
    assert (
        client.post(f"/staff/consultations/{signed.public_id}/addendum/", {"text": "x"}).status_code
        == 404
    )
    draft.refresh_from_db()
    assert not draft.is_signed and not signed.addenda.exists()


def test_someone_not_signed_in_is_sent_to_sign_in(client, patient, notes):
    draft, _signed = notes
    response = client.get(f"/staff/consultations/{draft.public_id}/")
    assert response.status_code == 302 and "/staff/sign-in/" in response.url


def test_a_note_that_does_not_exist_is_404(client, clinician, patient, notes):
    sign_in(client, clinician)
    assert client.get("/staff/consultations/999999/").status_code == 404
    assert client.get("/staff/patients/999999/consultations/new/").status_code == 404


def test_another_clinician_may_continue_and_sign_a_colleagues_draft(client, staff, patient, notes):
    draft, _signed = notes
    colleague = staff("clinician", username="second-clinician")
    sign_in(client, colleague)
    assert client.post(f"/staff/consultations/{draft.public_id}/sign/").status_code == 302
    draft.refresh_from_db()
    assert draft.clinician.username == "clinician" and draft.signed_by == colleague


@pytest.mark.parametrize(
    ("role", "sees_list", "may_start"),
    [
        ("front_desk", False, False),
        ("admin", False, False),
        ("nurse", True, False),
        ("clinician", True, True),
        ("director", True, True),
    ],
)
def test_the_chart_actions_show_by_role(staff, patient, notes, role, sees_list, may_start):
    html = chart_section_html(
        "consult/_chart_actions.html", patient, capabilities(staff(role, username=f"u-{role}"))
    )
    assert ("Consultation notes" in html) is sees_list
    assert ("Start consultation note" in html) is may_start
    if sees_list:
        assert html.count("/staff/consultations/") == 2
        assert "Eligible" in html and "signed" in html and "draft" in html


def test_the_chart_panel_and_timeline_each_read_the_notes_in_two_queries(
    staff, patient, notes, django_assert_num_queries
):
    from perinatal.consult.sources import consultation_timeline

    can = capabilities(staff("nurse"))
    with django_assert_num_queries(2):  # the notes with their decisions, then their addenda
        chart_section_html("consult/_chart_actions.html", patient, can)
    with django_assert_num_queries(2):  # the timeline reads them again, as cheaply
        assert consultation_timeline(patient)
