from django.core.management.base import BaseCommand

from perinatal.ops.demo.clinic import load_demo_back_office, load_demo_clinic
from perinatal.ops.demo.patients import load_demo_patients
from perinatal.ops.demo.staff import load_demo as load_demo_staff


class Command(BaseCommand):
    help = "Load the demo clinic, its staff accounts and patients (adds only what is missing)."

    def handle(self, *args, **options):
        clinic, created = load_demo_clinic()
        load_demo_back_office()
        demo_staff = load_demo_staff()
        self.stdout.write(f"{'Created' if created else 'Using'} clinic: {clinic.name}")
        added = load_demo_patients()
        self.stdout.write("\n".join(demo_staff.lines()))
        self.stdout.write(f"Demo patients added: {added}")
