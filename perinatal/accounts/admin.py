"""Staff accounts in the admin (``Can.MANAGE_STAFF``); the site's own sign-in rules are
``admin_access.StaffAdminSite``.

What a person may do is their role; Django's groups, permissions and superuser flag are not
offered, so no one gains access around the matrix in ``roles.py``. Deactivating an account ends
its sessions at once (``perinatal.accounts.events``). A role that opens patient records waits
for a medical director's approval (``perinatal.accounts.grants``), on "Roles waiting for
approval" below.
"""

from axes.handlers.proxy import AxesProxyHandler
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.http import HttpResponseRedirect
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from perinatal.accounts import grants, mfa
from perinatal.accounts.access import is_verified
from perinatal.accounts.admin_access import CapabilityAdmin, ReadOnlyAdmin
from perinatal.accounts.models import RoleGrant, StaffSession, User
from perinatal.accounts.roles import Can, Role, can
from perinatal.audit.log import record
from perinatal.audit.models import Action

# Roles replace groups; second factors are reset with the action below, never edited (an
# authenticator's secret must not be readable in a page); lockouts are lifted the same way.
for model in (Group, TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


class StaffCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "first_name", "last_name", "email", "role")


class StaffChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        # django-stubs types this Meta's fields as a str (Django's own "__all__"); a tuple is valid.
        fields = ("username", "first_name", "last_name", "email", "role", "is_active")  # type: ignore[assignment]


@admin.register(User)
class StaffAdmin(CapabilityAdmin, UserAdmin):
    capability = Can.MANAGE_STAFF
    form = StaffChangeForm
    add_form = StaffCreationForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Person", {"fields": ("first_name", "last_name", "email")}),
        (
            "Access",
            {
                "fields": ("role", "is_active"),
                "description": "Unticking “active” signs the person out everywhere at once.",
            },
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "first_name",
                    "last_name",
                    "email",
                    "role",
                    "usable_password",
                    "password1",
                    "password2",
                ),
                "description": "On first sign-in the person sets up an authenticator app.",
            },
        ),
    )
    readonly_fields = ["last_login", "date_joined"]
    list_display = ["username", "first_name", "last_name", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    filter_horizontal = []
    actions = ["reset_second_factor", "lift_lockouts"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        # No one changes their own role or deactivates themselves by accident.
        if obj is not None and obj.pk == request.user.pk:
            fields += ["role", "is_active"]
        return fields

    def save_model(self, request, obj, form, change):
        """The role typed is asked for, not set: ``grants.request_role`` sets it at once or
        leaves it waiting for a director."""
        asked = obj.role
        if not change or "role" in form.changed_data:
            obj.role = form.initial.get("role", "") if change else ""
        super().save_model(request, obj, form, change)
        if change and "username" in form.changed_data:
            record(Action.ACCOUNT, obj, detail={"change": "updated", "fields": ["username"]})
        elif not change:
            record(Action.ACCOUNT, obj, detail={"change": "created"})
        role_asked = "role" in form.changed_data if change else bool(asked)
        if role_asked and grants.request_role(user=obj, role=asked, requested_by=request.user):
            self.message_user(
                request,
                f"The role “{Role(asked).label}” works once a medical director approves it "
                "(Roles waiting for approval).",
                messages.WARNING,
            )

    def user_change_password(self, request, id, form_url=""):
        """Setting someone else's password is audited and holds a role that reaches patient
        records for a director; one's own is changed on the account page (current password,
        lockout, audit)."""
        if unquote(id) == str(request.user.pk):
            return HttpResponseRedirect(reverse("accounts:account"))
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, unquote(id))
            record(Action.ACCOUNT, user, detail={"change": "password set"})
            self._hold_role(request, user)
        return response

    def _hold_role(self, request, user: User) -> None:
        """Whoever set the password or authenticator could sign in as this person."""
        if grants.hold_for_approval(user=user, requested_by=request.user):
            self.message_user(
                request,
                f"{user}'s role works again once a medical director approves it "
                "(Roles waiting for approval).",
                messages.WARNING,
            )

    @admin.action(description="Reset second factor (the person sets up a new authenticator)")
    def reset_second_factor(self, request, queryset):
        for user in queryset:
            self._hold_role(request, user)
            removed = mfa.remove_all(user)
            ended = StaffSession.objects.filter(user=user).end()
            record(
                Action.MFA,
                user,
                detail={"change": "reset", "devices_removed": removed, "sessions_ended": ended},
            )
        self.message_user(
            request,
            f"Second factor reset for {queryset.count()} account(s); their sessions have ended. "
            "Each sets up an authenticator at the next sign-in.",
            messages.SUCCESS,
        )

    @admin.action(description="Lift sign-in lockouts")
    def lift_lockouts(self, request, queryset):
        for user in queryset:
            count = AxesProxyHandler.reset_attempts(username=user.get_username())
            if count:
                record(Action.ACCOUNT, user, detail={"change": "lockout lifted"})
        self.message_user(request, "Lockouts lifted.", messages.SUCCESS)


@admin.register(RoleGrant)
class RoleGrantAdmin(ReadOnlyAdmin):
    """Roles waiting for a director: whoever keeps the accounts sees them; only a medical director
    other than the one who asked approves or refuses (the service decides, not this page)."""

    capability = Can.APPROVE_ROLES
    list_display = ["user", "role", "status", "requested_by", "requested_at", "decided_by"]
    list_filter = ["status", "role"]
    fields = readonly_fields = (
        "user",
        "role",
        "status",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
    )
    actions = ["approve", "refuse"]

    def _allowed(self, request) -> bool:
        return super()._allowed(request) or (
            is_verified(request.user) and can(request.user, Can.MANAGE_STAFF)
        )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "requested_by", "decided_by")

    def has_approve_permission(self, request):
        return is_verified(request.user) and can(request.user, Can.APPROVE_ROLES)

    def _decide(self, request, queryset, decide):
        for grant in queryset.select_related("user"):
            try:
                decide(grant=grant, approver=request.user)
            except grants.NotAllowed as refused:
                self.message_user(request, f"{grant}: {refused}", messages.ERROR)
            else:
                self.message_user(request, f"{grant}: done.", messages.SUCCESS)

    @admin.action(description="Approve the selected roles", permissions=["approve"])
    def approve(self, request, queryset):
        self._decide(request, queryset, grants.approve)

    @admin.action(description="Refuse the selected roles", permissions=["approve"])
    def refuse(self, request, queryset):
        self._decide(request, queryset, grants.refuse)


@admin.register(StaffSession)
class StaffSessionAdmin(ReadOnlyAdmin):
    """Who is signed in, since when and from where; an administrator can end a session."""

    capability = Can.MANAGE_STAFF
    list_display = ["user", "started", "last_seen", "ip"]
    list_filter = ["user"]
    fields = readonly_fields = ("user", "started", "last_seen", "ip")
    actions = ["end_sessions"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    @admin.action(description="End the selected sessions")
    def end_sessions(self, request, queryset):
        for session in queryset.select_related("user"):
            StaffSession.objects.filter(pk=session.pk).end()
            record(Action.SESSION_ENDED, session.user, detail={"reason": "ended by admin"})
        self.message_user(request, "Sessions ended.", messages.SUCCESS)


# The task queue's own admin, read-only, for the people who run the clinic's system.
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin, CapabilityAdmin):
    capability = Can.CONFIGURE_CLINIC
