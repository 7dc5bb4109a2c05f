from django.contrib import admin
from django.utils import timezone

from perinatal.accounts.admin_access import CapabilityAdmin
from perinatal.accounts.roles import Can
from perinatal.screening.models import CallbackRequest, Screening


@admin.register(CallbackRequest)
class CallbackRequestAdmin(CapabilityAdmin):
    """Interim staff view of call-back requests: urgent first, then oldest first."""

    capability = Can.HANDLE_CALLBACKS

    list_display = [
        "urgent",
        "status",
        "created_at",
        "first_name",
        "phone",
        "screen_summary",
        "handled_by",
    ]
    list_display_links = ["created_at"]
    list_filter = ["status", "urgent"]
    readonly_fields = [
        "first_name",
        "phone",
        "language",
        "screening",
        "urgent",
        "created_at",
        "handled_by",
        "handled_at",
    ]
    fields = [*readonly_fields[:6], "status", "staff_note", "handled_by", "handled_at"]
    actions = ["mark_calling", "mark_done"]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("screening", "handled_by").urgent_first()
        )

    @admin.display(description="screen")
    def screen_summary(self, obj):
        if not obj.screening:
            return "—"
        flag = " · self-harm answer" if obj.screening.safety_alert else ""
        return f"{obj.screening.instrument.upper()} {obj.screening.total}{flag}"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if "status" in form.changed_data and obj.status != CallbackRequest.Status.NEW:
            obj.handled_by = request.user
            obj.handled_at = timezone.now()
        super().save_model(request, obj, form, change)

    def _mark(self, request, queryset, status):
        updated = queryset.exclude(status=status).update(
            status=status, handled_by=request.user, handled_at=timezone.now()
        )
        self.message_user(
            request, f"{updated} request(s) marked {CallbackRequest.Status(status).label}."
        )

    @admin.action(description="Mark as being called")
    def mark_calling(self, request, queryset):
        self._mark(request, queryset, CallbackRequest.Status.CALLING)

    @admin.action(description="Mark as done")
    def mark_done(self, request, queryset):
        self._mark(request, queryset, CallbackRequest.Status.DONE)


@admin.register(Screening)
class ScreeningAdmin(CapabilityAdmin):
    """Anonymous screens, read-only: they are aggregate data, not anyone's record."""

    capability = Can.SEE_CLINICAL

    list_display = [
        "created_at",
        "instrument",
        "total",
        "band",
        "safety_alert",
        "channel",
        "language",
    ]
    list_filter = ["instrument", "safety_alert", "channel", "language"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
