from django.conf import settings
from django.core.management.base import BaseCommand

from perinatal.clinic.demo import ensure_demo_staff, load_demo_clinic


class Command(BaseCommand):
    help = "Load the demo clinic and its staff account (does nothing if they exist)."

    def handle(self, *args, **options):
        clinic, created = load_demo_clinic()
        username, password = ensure_demo_staff(settings.VAR_DIR / "demo-staff-password")
        self.stdout.write(f"{'Created' if created else 'Using'} clinic: {clinic.name}")
        self.stdout.write(f"Staff sign-in: username {username}, password {password}")
