from django.conf import settings
from django_tasks_db.management.commands import db_worker

from perinatal.lib.worker import Sweeper


class Command(db_worker.Command):
    help = "Run the background worker: queued jobs, stalled-job recovery and the outbox sweep."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--sweep-seconds",
            type=float,
            default=settings.PERINATAL_WORKER_SWEEP_SECONDS,
            help="Seconds between sweeps for stalled jobs and due messages (default: %(default)s).",
        )

    def handle(self, *args, sweep_seconds, **options):
        sweeper = Sweeper(sweep_seconds)
        sweeper.start()
        try:
            super().handle(*args, **options)
        finally:
            sweeper.stopped.set()
