from django.core.management.base import BaseCommand, CommandError

from perinatal.audit.models import AuditEvent


class Command(BaseCommand):
    help = "The audit log. `audit verify`: was any event changed, removed or moved?"

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser(
            "verify",
            help="Walk the hash chain from the first event; exit 1 at the first broken link.",
        )

    def handle(self, *args, action, **options):
        count, broken = AuditEvent.objects.first_break()
        if broken is not None:
            raise CommandError(
                f"Audit chain broken at row {broken.id} ({broken.at:%Y-%m-%d %H:%M:%S} UTC), "
                f"after {count} intact events: that row, or one before it, was changed, removed "
                "or moved."
            )
        self.stdout.write(f"{count} audit events, chain intact.")
