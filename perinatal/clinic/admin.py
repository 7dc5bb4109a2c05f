from django.contrib import admin

from perinatal.clinic.models import Clinic, Location


class LocationInline(admin.StackedInline):
    model = Location
    extra = 0


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    list_display = ["name", "phone", "email", "is_current"]
    inlines = [LocationInline]
