from django.contrib import admin

from perinatal.accounts.admin_access import CapabilityAdmin, CapabilityInline
from perinatal.clinic.models import Clinic, Location


class LocationInline(CapabilityInline, admin.StackedInline):
    model = Location
    extra = 0


@admin.register(Clinic)
class ClinicAdmin(CapabilityAdmin):
    list_display = ["name", "phone", "email", "is_current"]
    inlines = [LocationInline]
