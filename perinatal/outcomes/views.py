"""The outcome dashboard: a director's or clinician's view of how the clinic's infusions did,
with every chart's figures as a table beneath it and as CSV. Reading it is audited."""

import csv

from django.http import HttpResponse
from django.shortcuts import render

from perinatal.accounts.access import staff_view
from perinatal.accounts.roles import Can
from perinatal.audit.log import record
from perinatal.audit.models import Action
from perinatal.outcomes import charts, report
from perinatal.outcomes.forms import RangeForm


@staff_view(Can.SEE_OUTCOMES)
def dashboard(request):
    form = RangeForm(request.GET or None)
    window, instrument = form.choice() if form.is_bound else RangeForm({}).choice()
    found = report.build(window, instrument)
    exporting = request.GET.get("format") == "csv"
    record(
        Action.EXPORT if exporting else Action.VIEW,
        model="outcomes.report",
        detail={
            "from": str(window.start),
            "to": str(window.end),
            "instrument": instrument,
            "infusions": found.overall.infusions,
        },
    )
    if exporting:
        response = HttpResponse(content_type="text/csv")
        name = f"outcomes-{instrument}-{window.start}-{window.end}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        writer = csv.writer(response)
        writer.writerow(report.HEADER)
        writer.writerows(report.rows(found))
        return response
    return render(
        request,
        "outcomes/dashboard.html",
        {
            "nav": "outcomes",
            "form": form if form.is_bound else RangeForm(initial={"instrument": instrument}),
            "report": found,
            "window": window,
            "change_chart": charts.change(found.overall, most=found.most),
            "response_chart": charts.response(found.overall),
        },
    )
