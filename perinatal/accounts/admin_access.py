"""The Django admin stays for configuration; a model's admin names the capability it needs.

``CapabilityAdmin`` opens a model only to people signed in with both factors whose role carries
``capability`` (from ``perinatal.accounts.roles``), whatever their Django permissions say; inlines
use ``CapabilityInline`` the same way. ``StaffAdminSite`` makes the admin site itself follow the
back office's rules: no login page of its own (its address leads to the staff sign-in, with the
second factor), and no entry without both factors and a role that configures something.

``PatientDataAdmin`` is for a model holding patient data: its capability must be one the
administrator's role lacks, every list, search, change page and history it shows writes an audit
row as a staff page does, and nothing is deleted through it (a correction is an addendum).
"""

from operator import attrgetter

from django.contrib import admin
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse

from perinatal.accounts.access import is_verified
from perinatal.accounts.redirects import safe_next, with_next
from perinatal.accounts.roles import Can, can
from perinatal.audit.log import record, tracked_models
from perinatal.audit.models import Action

# A person may enter the admin at all only with one of these.
ADMIN_CAPABILITIES = (Can.CONFIGURE_CLINICAL, Can.CONFIGURE_CLINIC, Can.MANAGE_STAFF)


class _CapabilityPermissions:
    capability: str = Can.CONFIGURE_CLINIC

    def _allowed(self, request) -> bool:
        return is_verified(request.user) and can(request.user, self.capability)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request, *args):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)


class CapabilityAdmin(_CapabilityPermissions, admin.ModelAdmin):
    """A person without the capability gets 404 from this model's pages, as everywhere in the
    back office, rather than the admin's 403 that would confirm the page exists."""

    def has_module_permission(self, request):
        return self._allowed(request)

    def _refuse_without_capability(self, request):
        if not self._allowed(request):
            raise Http404

    def changelist_view(self, request, extra_context=None):
        self._refuse_without_capability(request)
        return super().changelist_view(request, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        self._refuse_without_capability(request)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._refuse_without_capability(request)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._refuse_without_capability(request)
        return super().history_view(request, object_id, extra_context)


class ReadOnlyAdmin(CapabilityAdmin):
    """Rows written by the application only (sessions, outbox messages, role requests): listed
    and shown, never added, edited or deleted here; actions may still act on them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PatientDataAdmin(CapabilityAdmin):
    """An admin for records that hold patient data: every read audited, no delete for anyone.

    Whose record it is comes from the model's ``track()`` registration (``perinatal.audit.log``),
    so the admin and the save/delete audit agree on the patient.
    """

    capability = Can.SEE_CLINICAL

    def has_delete_permission(self, request, obj=None):
        # Clinical records are corrected by addenda, never deleted; this also drops the
        # "delete selected" action.
        return False

    def _patient_of(self, obj):
        attribute = tracked_models().get(type(obj), "")
        try:
            return attrgetter(attribute)(obj) if attribute else None
        except AttributeError:
            return None

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            searched = bool(changelist.query)
            record(
                Action.SEARCH if searched else Action.VIEW,
                model=self.model._meta.label_lower,
                detail={"page": "admin list", "rows": changelist.result_count},
            )
        return response

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            record(Action.VIEW, obj, patient=self._patient_of(obj), detail={"page": "admin"})
        return super().render_change_form(request, context, add, change, form_url, obj)

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        obj = getattr(response, "context_data", {}).get("object")
        if obj is not None:
            record(
                Action.VIEW, obj, patient=self._patient_of(obj), detail={"page": "admin history"}
            )
        return response


class CapabilityInline(_CapabilityPermissions):
    """Mix in before ``admin.TabularInline`` / ``admin.StackedInline``; set the same capability
    as the admin it belongs to."""


def may_enter_admin(user) -> bool:
    return is_verified(user) and any(can(user, c) for c in ADMIN_CAPABILITIES)


class StaffAdminSite(admin.AdminSite):
    """The admin site (made the default one by ``apps.StaffAdminConfig``): its login goes
    through the staff sign-in, its password change to the staff account page, and every page
    needs both factors and a configuring role."""

    def has_permission(self, request) -> bool:
        return may_enter_admin(request.user)

    def login(self, request, extra_context=None):
        """The admin's own login address: never a way in with a password alone."""
        if may_enter_admin(request.user):
            return HttpResponseRedirect(reverse("admin:index"))
        if is_verified(request.user):
            raise Http404  # signed in, but the admin is not for this role
        return HttpResponseRedirect(
            with_next("accounts:sign_in", safe_next(request) or reverse("admin:index"))
        )

    def password_change(self, request, extra_context=None):
        """A password is changed on the staff account page, where a wrong current password
        counts towards the lockout and the change is audited; the admin's own form does
        neither."""
        return HttpResponseRedirect(reverse("accounts:account"))

    def password_change_done(self, request, extra_context=None):
        return HttpResponseRedirect(reverse("accounts:account"))
