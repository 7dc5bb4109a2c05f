import csv

from django.core.management.base import BaseCommand, CommandError

from perinatal.audit.log import record
from perinatal.audit.models import Action
from perinatal.outcomes import report
from perinatal.outcomes.forms import INSTRUMENTS, RangeForm


class Command(BaseCommand):
    help = (
        "The outcome figures of the infusions given in a date range, as the dashboard shows "
        "them: a short summary, or with --csv every figure as the dashboard's CSV."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", help="first infusion day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", help="last infusion day, YYYY-MM-DD")
        parser.add_argument(
            "--instrument", choices=[code for code, _ in INSTRUMENTS], default="epds"
        )
        parser.add_argument(
            "--csv", dest="as_csv", action="store_true", help="every figure, as CSV"
        )

    def handle(self, *args, start, end, instrument, as_csv: bool, **options):
        form = RangeForm({"start": start or "", "end": end or "", "instrument": instrument})
        if not form.is_valid():
            problems = "; ".join(
                f"{name}: {' '.join(str(e) for e in errors)}"
                for name, errors in form.errors.items()
            )
            raise CommandError(problems)
        window, instrument = form.cleaned_data["window"], form.cleaned_data["instrument"]
        found = report.build(window, instrument)
        record(
            Action.EXPORT,
            model="outcomes.report",
            detail={"from": str(window.start), "to": str(window.end), "instrument": instrument,
                    "by": "command"},
        )  # fmt: skip
        if as_csv:
            self._csv(found)
        else:
            self._summary(found)

    def _csv(self, found):
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(report.HEADER)
        writer.writerows(report.rows(found))

    def _summary(self, found):
        overall = found.overall
        out = self.stdout.write
        out(
            f"{found.abbreviation}, infusions {found.window.start} to {found.window.end}: "
            f"{overall.infusions} infusions, {overall.with_baseline} with a baseline."
        )
        for day in overall.days:
            change = (
                "no change measured"
                if day.change.mean is None
                else (f"mean change {day.change.mean:+.1f}")
            )
            out(
                f"  day {day.day}: {day.answered} of {day.due} due answered ({day.missed} "
                f"missed, {day.open} open); {change}; response {day.response.count} of "
                f"{day.response.of}"
                + (
                    f"; remission {day.remission.count} of {day.remission.of}"
                    if day.remission is not None
                    else ""
                )
            )
