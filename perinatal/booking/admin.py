"""Staff setup (clinicians, hours, types), and the bookings list, urgent first, for the medical
director (the only role that both manages the schedule and may enter the admin; never the
administrator). Each look at a booking here is audited like the back office's appointment page,
and none is deleted. Moving or cancelling an appointment here goes through the same services as
the public pages, so the overlap rule, emails and reminders behave the same."""

import zoneinfo

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.utils import timezone

from perinatal.accounts.admin_access import CapabilityAdmin, CapabilityInline, PatientDataAdmin
from perinatal.accounts.roles import Can
from perinatal.booking import services
from perinatal.booking.models import (
    Appointment,
    AppointmentEvent,
    Clinician,
    ConsultationType,
    DateException,
    WeeklyHours,
)


class WeeklyHoursInline(CapabilityInline, admin.TabularInline):
    model = WeeklyHours
    extra = 0


class DateExceptionInline(CapabilityInline, admin.TabularInline):
    model = DateException
    extra = 0


@admin.register(Clinician)
class ClinicianAdmin(CapabilityAdmin):
    list_display = ["name", "is_active"]
    list_filter = ["is_active", "locations"]
    filter_horizontal = ["locations"]
    inlines = [WeeklyHoursInline, DateExceptionInline]


@admin.register(ConsultationType)
class ConsultationTypeAdmin(CapabilityAdmin):
    list_display = ["name", "mode", "duration_minutes", "buffer_minutes", "is_active", "order"]
    list_editable = ["is_active", "order"]
    filter_horizontal = ["clinicians"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(DateException)
class DateExceptionAdmin(CapabilityAdmin):
    list_display = ["date", "clinician", "kind", "starts", "ends", "location", "note"]
    list_filter = ["kind", "clinician"]
    date_hierarchy = "date"


class EventInline(CapabilityInline, admin.TabularInline):
    capability = Can.MANAGE_SCHEDULE
    model = AppointmentEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = ("at", "kind", "actor", "user", "previous_starts_at", "starts_at")

    def has_add_permission(self, request, obj=None):
        return False


class AppointmentForm(forms.ModelForm):
    class Meta:
        model = Appointment
        fields = ["clinician", "starts_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["starts_at"].help_text = (
                f"In the location's time ({self.instance.time_zone}). Changing it emails the "
                "patient the new time."
            )

    def clean(self):
        data = super().clean()
        clinician, starts_at = data.get("clinician"), data.get("starts_at")
        if clinician and starts_at and self.instance.is_booked:
            ends = starts_at + (self.instance.ends_at - self.instance.starts_at)
            blocked = ends + (self.instance.blocked_until - self.instance.ends_at)
            clash = (
                Appointment.objects.booked()
                .filter(clinician=clinician, starts_at__lt=blocked, blocked_until__gt=starts_at)
                .exclude(pk=self.instance.pk)
                .first()
            )
            if clash:
                raise forms.ValidationError(
                    "%(clinician)s already has an appointment then (including its buffer).",
                    params={"clinician": clinician},
                )
        return data


@admin.register(Appointment)
class AppointmentAdmin(PatientDataAdmin):
    capability = Can.MANAGE_SCHEDULE
    form = AppointmentForm
    list_display = [
        "urgent_flag",
        "local_start",
        "type_name",
        "location_name",
        "clinician_name",
        "name",
        "status",
        "via",
        "created_at",
    ]
    list_display_links = ["urgent_flag", "local_start"]
    list_filter = ["status", "urgent", "mode", "via", "clinician", "location"]
    search_fields = ["name", "email", "phone"]
    date_hierarchy = "starts_at"
    inlines = [EventInline]
    actions = ["cancel_selected"]
    readonly_fields = [
        "status",
        "urgent",
        "local_start",
        "type_name",
        "mode",
        "duration_minutes",
        "location_name",
        "location_address",
        "video_url",
        "name",
        "email",
        "phone",
        "language",
        "stage",
        "key_date",
        "ob_name",
        "ob_practice",
        "contact_consent_at",
        "contact_consent_text",
        "sequence",
        "via",
        "created_at",
        "cancelled_at",
        # Closed on the appointment's staff page by a clinician (services.close_urgent), audited.
        "urgent_closed_at",
        "urgent_closed_by",
        "urgent_close_note",
    ]

    # New bookings, urgent ones first: the top of the list is who needs attention.
    ordering = ["-urgent", "-created_at"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="urgent", boolean=True, ordering="urgent")
    def urgent_flag(self, obj):
        return obj.urgent

    @admin.display(description="starts (location time)", ordering="starts_at")
    def local_start(self, obj):
        local = timezone.localtime(obj.starts_at, zoneinfo.ZoneInfo(obj.time_zone))
        return f"{local:%a %d %b %Y %H:%M} {local.tzname()}"

    def save_model(self, request, obj, form, change):
        if change and {"starts_at", "clinician"} & set(form.changed_data):
            services.reschedule(
                obj,
                obj.starts_at,
                actor=AppointmentEvent.Actor.STAFF,
                user=request.user,
                clinician=obj.clinician,
            )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Staff read and type the start in the location's own time, as the list shows it.
        appointment = self.get_object(request, object_id) if object_id else None
        zone = zoneinfo.ZoneInfo(appointment.time_zone) if appointment else None
        try:
            if zone is None:
                return super().changeform_view(request, object_id, form_url, extra_context)
            with timezone.override(zone):
                response = super().changeform_view(request, object_id, form_url, extra_context)
                if hasattr(response, "render"):
                    response.render()  # the form shows its times in the zone too
                return response
        except services.SlotTaken:
            # Lost a race after the form's own check: nothing was saved.
            self.message_user(
                request,
                "That time was just taken by another booking; nothing was changed.",
                messages.ERROR,
            )
            return HttpResponseRedirect(request.path)
        except services.NotBooked:
            self.message_user(request, "A cancelled appointment cannot be moved.", messages.ERROR)
            return HttpResponseRedirect(request.path)

    @admin.action(description="Cancel the selected appointments (the patient is emailed)")
    def cancel_selected(self, request, queryset):
        count = 0
        for appointment in queryset.filter(status=Appointment.Status.BOOKED):
            services.cancel(appointment, actor=AppointmentEvent.Actor.STAFF, user=request.user)
            count += 1
        self.message_user(request, f"{count} appointment(s) cancelled.")
