"""A role that opens patient records takes two people: whoever keeps the staff accounts asks for
it, and a medical director other than the one who asked approves it before it works."""

import pytest
from django.core.management import call_command

from perinatal.accounts import grants
from perinatal.accounts.models import RoleGrant, User
from perinatal.accounts.roles import Role, capabilities
from perinatal.audit.models import Action, AuditEvent
from tests.harness import sign_in


@pytest.fixture
def it_admin(staff):
    return staff("admin", username="itadmin")


@pytest.fixture
def director(staff):
    return staff("director", username="director")


def add_account(client, role: str, username: str = "newperson"):
    return client.post(
        "/admin/accounts/user/add/",
        {
            "username": username,
            "first_name": "New",
            "last_name": "Person",
            "email": "new@example.org",
            "role": role,
            "usable_password": "true",
            "password1": "a long new password 7",
            "password2": "a long new password 7",
        },
    )


def change_role(client, person: User, role: str):
    return client.post(
        f"/admin/accounts/user/{person.pk}/change/",
        {
            "username": person.username,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "email": person.email,
            "role": role,
            "is_active": "on",
        },
    )


def approve_in_admin(client, grant: RoleGrant):
    return client.post(
        "/admin/accounts/rolegrant/", {"action": "approve", "_selected_action": [grant.pk]}
    )


def test_the_administrator_cannot_make_a_director_alone(client, it_admin):
    sign_in(client, it_admin)
    assert add_account(client, Role.MEDICAL_DIRECTOR).status_code == 302
    made = User.objects.get(username="newperson")
    assert made.role == ""
    assert capabilities(made) == frozenset()
    grant = RoleGrant.objects.get(user=made)
    assert (grant.role, grant.status, grant.requested_by) == (
        Role.MEDICAL_DIRECTOR,
        RoleGrant.Status.PENDING,
        it_admin,
    )


def test_a_move_to_a_clinical_role_waits_for_approval(client, it_admin, staff):
    front = staff("front_desk", username="frontdesk")
    sign_in(client, it_admin)
    assert change_role(client, front, Role.CLINICIAN).status_code == 302
    front.refresh_from_db()
    assert front.role == Role.FRONT_DESK
    assert RoleGrant.objects.get(user=front).status == RoleGrant.Status.PENDING


def test_a_role_without_patient_records_takes_effect_at_once(client, it_admin, staff):
    sign_in(client, it_admin)
    add_account(client, Role.ADMIN)
    assert User.objects.get(username="newperson").role == Role.ADMIN
    nurse = staff("nurse", username="nurse")
    change_role(client, nurse, Role.ADMIN)  # fewer patient records, not more
    nurse.refresh_from_db()
    assert nurse.role == Role.ADMIN
    assert not RoleGrant.objects.exists()


def test_a_director_approves_in_the_admin_and_it_is_audited(client, it_admin, director):
    sign_in(client, it_admin)
    add_account(client, Role.CLINICIAN)
    grant = RoleGrant.objects.get()
    client.logout()

    sign_in(client, director)
    assert "New Person" in client.get("/admin/accounts/rolegrant/").text
    assert approve_in_admin(client, grant).status_code == 302
    grant.refresh_from_db()
    assert (grant.status, grant.decided_by) == (RoleGrant.Status.APPROVED, director)
    assert User.objects.get(username="newperson").role == Role.CLINICIAN
    event = AuditEvent.objects.get(action=Action.ACCOUNT, detail__change="role approved")
    assert (event.actor_id, event.object_id) == (director.pk, str(grant.user_id))


def test_the_administrator_cannot_approve(client, it_admin):
    sign_in(client, it_admin)
    add_account(client, Role.MEDICAL_DIRECTOR)
    grant = RoleGrant.objects.get()
    page = client.get("/admin/accounts/rolegrant/")
    assert page.status_code == 200  # she sees what waits, and cannot decide it
    assert 'value="approve"' not in page.text
    approve_in_admin(client, grant)
    grant.refresh_from_db()
    assert grant.status == RoleGrant.Status.PENDING
    with pytest.raises(grants.NotAllowed):
        grants.approve(grant=grant, approver=it_admin)
    assert User.objects.get(username="newperson").role == ""


def test_no_one_approves_a_grant_they_asked_for(staff, director):
    other = staff("director", username="otherdirector")
    nurse = staff("nurse", username="nurse")
    asked = grants.request_role(user=nurse, role=Role.CLINICIAN, requested_by=director)
    with pytest.raises(grants.NotAllowed):
        grants.approve(grant=asked, approver=director)
    nurse.refresh_from_db()
    assert nurse.role == Role.NURSE
    grants.approve(grant=asked, approver=other)
    nurse.refresh_from_db()
    assert nurse.role == Role.CLINICIAN


def test_a_lesser_role_needs_no_approval(staff, it_admin):
    director = staff("director", username="otherdirector")
    assert grants.request_role(user=director, role=Role.NURSE, requested_by=it_admin) is None
    director.refresh_from_db()
    assert director.role == Role.NURSE


def test_a_newer_request_replaces_the_pending_one(staff, it_admin, director):
    nurse = staff("nurse", username="nurse")
    first = grants.request_role(user=nurse, role=Role.CLINICIAN, requested_by=it_admin)
    second = grants.request_role(user=nurse, role=Role.MEDICAL_DIRECTOR, requested_by=it_admin)
    first.refresh_from_db()
    assert first.status == RoleGrant.Status.WITHDRAWN
    with pytest.raises(grants.NotAllowed):
        grants.approve(grant=first, approver=director)
    grants.approve(grant=second, approver=director)
    nurse.refresh_from_db()
    assert nurse.role == Role.MEDICAL_DIRECTOR


def test_createsuperuser_makes_the_first_medical_director(db, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a long first password 3")
    call_command("createsuperuser", interactive=False, username="first", email="first@example.org")
    assert User.objects.get(username="first").role == Role.MEDICAL_DIRECTOR


def reset_password(client, person: User):
    return client.post(
        f"/admin/accounts/user/{person.pk}/password/",
        {
            "usable_password": "true",
            "password1": "a password the admin knows 5",
            "password2": "a password the admin knows 5",
        },
    )


def test_a_reset_by_the_administrator_puts_a_clinical_role_back_to_a_director(
    client, it_admin, staff, director
):
    """Otherwise resetting a director's password and authenticator would be a director account
    of the administrator's own."""
    sign_in(client, it_admin)
    other_director = staff("director", username="otherdirector")
    nurse = staff("nurse", username="nurse")
    assert reset_password(client, other_director).status_code == 302
    client.post(
        "/admin/accounts/user/", {"action": "reset_second_factor", "_selected_action": [nurse.pk]}
    )
    other_director.refresh_from_db()
    nurse.refresh_from_db()
    assert (other_director.role, nurse.role) == ("", "")
    waiting = RoleGrant.objects.filter(status=RoleGrant.Status.PENDING)
    assert sorted(waiting.values_list("user__username", "role")) == [
        ("nurse", Role.NURSE),
        ("otherdirector", Role.MEDICAL_DIRECTOR),
    ]
    grants.approve(grant=waiting.get(user=nurse), approver=director)
    nurse.refresh_from_db()
    assert nurse.role == Role.NURSE


def test_a_reset_of_an_account_without_patient_records_changes_no_role(client, it_admin, staff):
    other_admin = staff("admin", username="otheradmin")
    sign_in(client, it_admin)
    assert reset_password(client, other_admin).status_code == 302
    other_admin.refresh_from_db()
    assert other_admin.role == Role.ADMIN
    assert not RoleGrant.objects.exists()


def test_the_administrator_sets_her_own_password_on_the_account_page_only(client, it_admin):
    sign_in(client, it_admin)
    response = reset_password(client, it_admin)
    assert (response.status_code, response["Location"]) == (302, "/staff/account/")
    it_admin.refresh_from_db()
    assert not it_admin.check_password("a password the admin knows 5")


def test_a_password_set_in_the_admin_is_audited(client, it_admin, staff):
    nurse = staff("nurse", username="nurse")
    sign_in(client, it_admin)
    reset_password(client, nurse)
    event = AuditEvent.objects.get(action=Action.ACCOUNT, detail__change="password set")
    assert (event.actor_id, event.object_id) == (it_admin.pk, str(nurse.pk))
