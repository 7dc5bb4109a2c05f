from django.contrib import admin
from django.utils import timezone

from perinatal.accounts.admin_access import CapabilityAdmin
from perinatal.notify.models import Message
from perinatal.notify.tasks import send_message


@admin.register(Message)
class MessageAdmin(CapabilityAdmin):
    """The outbox, visible to staff: every message with its state, tries and last error."""

    list_display = [
        "created_at",
        "template",
        "to",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
    ]
    list_filter = ["status", "template", "channel"]
    search_fields = ["to"]
    readonly_fields = [f.name for f in Message._meta.fields]
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Send again now (failed or waiting messages)")
    def retry_now(self, request, queryset):
        now = timezone.now()
        ids = list(
            queryset.filter(status__in=[Message.Status.FAILED, Message.Status.PENDING]).values_list(
                "pk", flat=True
            )
        )
        Message.objects.filter(pk__in=ids).update(
            status=Message.Status.PENDING, next_attempt_at=now, attempts=0
        )
        for pk in ids:
            send_message.enqueue(pk)
        self.message_user(request, f"{len(ids)} message(s) queued to send again.")
