"""Giving someone a role that opens patient records takes two people.

``request_role`` is how an account's role changes (the admin's staff page calls it): a role that
needs no approval (``roles.needs_approval``) is set at once; any other is written as a pending
``RoleGrant`` and the account keeps the role it had. ``approve`` and ``refuse`` are a medical
director's, never the one who asked nor the person it is for. Every step is audited.

``hold_for_approval`` is for the administrator's resets: whoever sets someone's password or
removes their authenticator could sign in as them, so an account that reaches patient records
loses its role until a director approves it again.
"""

from django.db import transaction
from django.utils import timezone

from perinatal.accounts.models import RoleGrant, User
from perinatal.accounts.roles import Can, can, needs_approval
from perinatal.audit.log import record
from perinatal.audit.models import Action


class NotAllowed(Exception):
    """This person may not decide this grant, or it is no longer waiting."""


def request_role(*, user: User, role: str, requested_by: User | None) -> RoleGrant | None:
    """Give ``user`` the role ``role``, or ask a director to. Returns the pending grant, or None
    when the role took effect at once. A newer request replaces one still waiting."""
    with transaction.atomic():
        current = User.objects.select_for_update().values_list("role", flat=True).get(pk=user.pk)
        RoleGrant.objects.filter(user=user, status=RoleGrant.Status.PENDING).update(
            status=RoleGrant.Status.WITHDRAWN, decided_at=timezone.now()
        )
        if not needs_approval(current, role):
            User.objects.filter(pk=user.pk).update(role=role)
            user.role = role
            record(Action.ACCOUNT, user, detail={"change": "role set", "role": role})
            return None
        grant = RoleGrant.objects.create(user=user, role=role, requested_by=requested_by)
        user.role = current
        record(
            Action.ACCOUNT,
            user,
            detail={"change": "role requested", "role": role, "grant": grant.pk},
        )
        return grant


def hold_for_approval(*, user: User, requested_by: User | None) -> RoleGrant | None:
    """Take away a role that reaches patient records and ask a director to give it back.
    Returns the pending grant, or None when the role needs no approval."""
    with transaction.atomic():
        role = User.objects.select_for_update().values_list("role", flat=True).get(pk=user.pk)
        if not needs_approval("", role):
            return None
        User.objects.filter(pk=user.pk).update(role="")
        user.role = ""
        return request_role(user=user, role=role, requested_by=requested_by)


def _decide(grant: RoleGrant, approver: User, status: str) -> RoleGrant:
    if not can(approver, Can.APPROVE_ROLES):
        raise NotAllowed("Only a medical director approves a role.")
    if approver.pk in {grant.requested_by_id, grant.user_id}:
        raise NotAllowed("A role is approved by a director other than the one who asked for it.")
    now = timezone.now()
    with transaction.atomic():
        decided = RoleGrant.objects.filter(pk=grant.pk, status=RoleGrant.Status.PENDING).update(
            status=status, decided_by=approver, decided_at=now
        )
        if not decided:
            raise NotAllowed("This request is no longer waiting.")
        if status == RoleGrant.Status.APPROVED:
            User.objects.filter(pk=grant.user_id).update(role=grant.role)
        change = "role approved" if status == RoleGrant.Status.APPROVED else "role refused"
        record(
            Action.ACCOUNT,
            grant.user,
            user=approver,
            detail={"change": change, "role": grant.role, "grant": grant.pk},
        )
    grant.refresh_from_db()
    return grant


def approve(*, grant: RoleGrant, approver: User) -> RoleGrant:
    return _decide(grant, approver, RoleGrant.Status.APPROVED)


def refuse(*, grant: RoleGrant, approver: User) -> RoleGrant:
    return _decide(grant, approver, RoleGrant.Status.REFUSED)
