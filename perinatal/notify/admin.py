"""The outbox, visible to the people who run the system: what kind of message, its state, tries
and times, and what it is about. Never the recipient, subject or body: a body holds a patient's
private links (an appointment, an OB's letter), which open without a session."""

import re

from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html

from perinatal.accounts.admin_access import ReadOnlyAdmin
from perinatal.notify.models import Message
from perinatal.notify.tasks import send_message

# A mail server's refusal often quotes the address it refused.
ADDRESS = re.compile(r"\S+@\S+")


# What the outbox page shows of a message, none of it editable.
SHOWN = [
    "template",
    "channel",
    "about",
    "status",
    "attempts",
    "created_at",
    "next_attempt_at",
    "sent_at",
    "error",
]


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "template",
        "about",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "error",
    ]
    list_filter = ["status", "template", "channel"]
    fields = tuple(SHOWN)
    readonly_fields = SHOWN
    actions = ["retry_now"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .defer("to", "subject", "body_text", "body_html")
            .select_related("about_type")
        )

    @admin.display(description="about")
    def about(self, obj) -> str:
        """The record it is about, by kind and internal number (``appointment 12``), linked to
        that record's admin page where it has one; and, for a reminder, the version it is for."""
        if obj.about_type is None:
            return "—"
        kind = obj.about_type
        text = f"{kind.name} {obj.about_id}"
        if obj.about_version is not None:
            text += f" (version {obj.about_version})"
        try:
            url = reverse(f"admin:{kind.app_label}_{kind.model}_change", args=[obj.about_id])
        except NoReverseMatch:
            return text
        return format_html('<a href="{}">{}</a>', url, text)

    @admin.display(description="last error")
    def error(self, obj) -> str:
        return ADDRESS.sub("[address]", obj.last_error)

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
