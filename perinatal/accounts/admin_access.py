"""The Django admin stays for configuration; a model's admin names the capability it needs.

``CapabilityAdmin`` opens a model only to people signed in with both factors whose role carries
``capability`` (from ``perinatal.accounts.roles``), whatever their Django permissions say.
"""

from django.contrib import admin

from perinatal.accounts.access import is_verified
from perinatal.accounts.roles import Can, can


class CapabilityAdmin(admin.ModelAdmin):
    capability: str = Can.CONFIGURE_CLINIC

    def _allowed(self, request) -> bool:
        return is_verified(request.user) and can(request.user, self.capability)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)
