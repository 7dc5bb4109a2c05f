"""The medical director's consent texts. A published version is shown read-only; the next
wording starts as a copy ("Copy as a new draft"), is edited, then published."""

from django.contrib import admin, messages

from perinatal.accounts.admin_access import CapabilityAdmin
from perinatal.accounts.roles import Can
from perinatal.consents.models import ConsentTemplate, Locked


@admin.register(ConsentTemplate)
class ConsentTemplateAdmin(CapabilityAdmin):
    capability = Can.CONFIGURE_CLINICAL
    list_display = ["title", "kind", "language", "version", "is_default", "published_at"]
    list_filter = ["kind", "language", "is_default", ("published_at", admin.EmptyFieldListFilter)]
    fields = [
        "kind",
        "language",
        "version",
        "title",
        "body",
        "confirmation",
        "is_default",
        "created_at",
        "published_at",
    ]
    actions = ["publish", "copy_as_draft"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["version", "created_at", "published_at"]
        if obj.is_published:
            return self.fields
        # A draft keeps the form and language its version number was counted in.
        return ["kind", "language", "version", "created_at", "published_at"]

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or not obj.is_published)

    def has_delete_permission(self, request, obj=None):
        # Drafts only, one at a time: no bulk delete that could take published versions along.
        allowed = super().has_delete_permission(request, obj)
        return allowed and obj is not None and not obj.is_published

    @admin.action(description="Publish: lock the text and send it from now on")
    def publish(self, request, queryset):
        for template in queryset.order_by("version"):
            if template.is_published:
                continue
            try:
                template.publish()
            except Locked as refused:
                self.message_user(request, f"{template}: {refused}", messages.ERROR)
            else:
                self.message_user(request, f"Published {template}.", messages.SUCCESS)

    @admin.action(description="Copy as a new draft version")
    def copy_as_draft(self, request, queryset):
        for template in queryset:
            draft = template.new_draft()
            self.message_user(request, f"Made {draft}: edit it, then publish.", messages.SUCCESS)
