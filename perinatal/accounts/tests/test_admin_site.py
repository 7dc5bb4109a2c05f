"""The admin follows the back office's rules: both factors, a configuring role, and each model
behind a capability from the matrix."""

import pytest
from django.contrib import admin

from perinatal.accounts.admin_access import CapabilityAdmin, CapabilityInline
from perinatal.accounts.models import User
from perinatal.accounts.tests.helpers import sign_in_for_real, type_password
from tests.harness import sign_in


def test_every_model_in_the_admin_names_its_capability():
    plain = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, CapabilityAdmin)
    ]
    assert plain == []
    plain_inlines = [
        f"{model._meta.label}: {inline.__name__}"
        for model, model_admin in admin.site._registry.items()
        for inline in model_admin.inlines
        if not issubclass(inline, CapabilityInline)
    ]
    assert plain_inlines == []


@pytest.mark.parametrize(
    ("role", "index", "appointments", "users"),
    [
        ("admin", 200, 404, 200),
        ("director", 200, 200, 404),
        ("clinician", 404, 404, 404),
        ("nurse", 404, 404, 404),
        ("front_desk", 404, 404, 404),
    ],
)
def test_who_may_open_the_admin(client, staff, role, index, appointments, users):
    sign_in(client, staff(role))
    assert client.get("/admin/", follow=True).status_code == index
    assert client.get("/admin/booking/appointment/", follow=True).status_code == appointments
    assert client.get("/admin/accounts/user/", follow=True).status_code == users


def test_an_authenticator_secret_is_never_shown_in_the_admin(client, staff):
    sign_in(client, staff("admin"))
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert client.get("/admin/auth/group/").status_code == 404


def test_the_admin_sign_out_ends_the_session_and_is_audited(client, staff):
    from perinatal.audit.models import Action, AuditEvent

    it_admin = staff("admin", username="itadmin")
    sign_in_for_real(client, it_admin)
    response = client.post("/admin/logout/")
    assert response.status_code == 200
    assert client.get("/admin/").status_code == 302
    assert AuditEvent.objects.filter(action=Action.SIGN_OUT, actor_id=it_admin.pk).exists()


@pytest.mark.urls("perinatal.accounts.tests.staff_api_urls")
def test_the_staff_api_needs_both_factors(client, staff):
    front = staff("front_desk", username="frontdesk")
    url = "/staff-api-test/schedule-probe"
    assert client.get(url).status_code == 401

    type_password(client, "frontdesk")
    assert client.get(url).status_code == 401  # a password alone

    sign_in_for_real(client, front)
    response = client.get(url)
    assert response.status_code == 200
    assert response.json() == {"username": "frontdesk"}


@pytest.mark.urls("perinatal.accounts.tests.staff_api_urls")
def test_the_staff_api_refuses_a_role_without_the_capability(client, staff):
    sign_in(client, staff("admin"))
    assert client.get("/staff-api-test/schedule-probe").status_code == 404


@pytest.mark.parametrize("role", ["director", "admin"])
def test_passwords_are_changed_on_the_account_page_not_in_the_admin(client, staff, role):
    """The account page asks for the current password, counts wrong ones towards the lockout
    and audits the change; the admin's own form did none of that."""
    sign_in(client, staff(role))
    for path in ("/admin/password_change/", "/admin/password_change/done/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == "/staff/account/"
    response = client.post(
        "/admin/password_change/",
        {
            "old_password": "a long test password 1",
            "new_password1": "another long password 9",
            "new_password2": "another long password 9",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username=role).check_password("a long test password 1")
