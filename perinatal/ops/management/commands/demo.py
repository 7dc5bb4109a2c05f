from django.core.management.base import BaseCommand

from perinatal.accounts.demo import load_demo as load_demo_staff
from perinatal.clinic.demo import load_demo_back_office, load_demo_clinic


class Command(BaseCommand):
    help = "Load the demo clinic and its staff account (does nothing if they exist)."

    def handle(self, *args, **options):
        clinic, created = load_demo_clinic()
        load_demo_back_office()
        demo_staff = load_demo_staff()
        self.stdout.write(f"{'Created' if created else 'Using'} clinic: {clinic.name}")
        self.stdout.write("\n".join(demo_staff.lines()))
