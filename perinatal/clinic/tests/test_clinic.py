import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from perinatal.clinic.models import Location

pytestmark = pytest.mark.django_db

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def test_without_a_logo_the_logo_address_is_404(client, clinic):
    clinic.logo = ""
    clinic.save()
    assert client.get("/clinic/logo").status_code == 404


def test_the_demo_clinic_has_a_logo_on_every_public_page(client, clinic):
    response = client.get("/clinic/logo")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    svg = b"".join(response.streaming_content)
    assert svg.startswith(b"<svg") and b"<script" not in svg
    # Opened on its own, an SVG is a page: this one may run nothing and load nothing.
    assert "sandbox" in response["Content-Security-Policy"]
    assert "script-src" not in response["Content-Security-Policy"]
    page = client.get("/").text
    assert 'src="/clinic/logo"' in page
    assert '<link rel="icon" href="/clinic/logo">' in page


def test_staff_can_save_the_demo_clinic_with_its_svg_logo(clinic):
    clinic.full_clean()  # what the admin's form runs: an SVG logo is allowed


def test_a_logo_whose_file_is_gone_is_404_not_an_error(client, clinic):
    clinic.logo.name = "clinic/gone.png"
    clinic.save()
    assert client.get("/clinic/logo").status_code == 404


def test_favicon_ico_leads_to_the_icon_browsers_ask_for_on_their_own(client, clinic):
    response = client.get("/favicon.ico")
    assert (response.status_code, response["Location"]) == (302, "/clinic/logo")
    clinic.logo = ""
    clinic.save()
    response = client.get("/favicon.ico", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].endswith("perinatal/icon.svg")


def test_the_clinic_logo_is_served_from_its_own_address(client, clinic, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    clinic.logo.save("logo.png", ContentFile(PNG_1PX))
    response = client.get("/clinic/logo")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG_1PX
    assert 'src="/clinic/logo"' in client.get("/").text


def test_phone_numbers_are_stored_in_international_form(clinic):
    clinic.phone = "(617) 555-0100"
    clinic.save()
    clinic.refresh_from_db()
    assert (clinic.phone, clinic.phone_display) == ("+16175550100", "(617) 555-0100")


def test_a_location_needs_a_real_time_zone(clinic):
    location = Location(
        clinic=clinic, name="Nowhere", address="1 Test St", time_zone="Mars/Olympus"
    )
    with pytest.raises(ValidationError, match="IANA time zone"):
        location.full_clean()


def test_spanish_pages_show_the_hours_staff_wrote_in_spanish(client, clinic):
    clinic.hours = "Monday to Friday, 8 am to 6 pm"
    clinic.hours_es = "De lunes a viernes, de 8 a 18 h"
    clinic.save()
    spanish = client.get("/es/").text
    assert "De lunes a viernes, de 8 a 18 h" in spanish
    assert "Monday to Friday" not in spanish
    assert "Nuestro horario: De lunes a viernes, de 8 a 18 h." in client.get("/es/help-now/").text
    english = client.get("/").text
    assert "Monday to Friday, 8 am to 6 pm" in english and "De lunes" not in english


def test_without_a_spanish_version_spanish_pages_show_the_english_hours_marked_so(client, clinic):
    clinic.hours, clinic.hours_es = "Monday to Friday, 8 am to 6 pm", ""
    clinic.save()
    assert '<span lang="en">Monday to Friday, 8 am to 6 pm</span>' in client.get("/es/").text


def test_the_demo_clinic_has_its_hours_in_both_languages(clinic):
    assert clinic.hours and clinic.hours_es and clinic.hours != clinic.hours_es


def test_staff_edit_the_hours_in_both_languages_in_the_admin(client, clinic, staff):
    from tests.harness import sign_in

    sign_in(client, staff("admin"))
    page = client.get(f"/admin/clinic/clinic/{clinic.pk}/change/").text
    assert 'name="hours"' in page and 'name="hours_es"' in page
