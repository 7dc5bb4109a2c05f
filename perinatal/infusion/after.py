"""The page behind her next-day link: a short check-in in her language. The token in the address
is the only key; a used or old link says so and how to reach the clinic. A positive self-harm
answer shows the crisis lines at once, as the self-screen does."""

from django import forms
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from perinatal.audit.log import record
from perinatal.audit.models import Action
from perinatal.clinic.pagecache import private_page
from perinatal.infusion import next_day
from perinatal.infusion.models import NextDayCheck
from perinatal.lib.ratelimit import rate_limited
from perinatal.screening.content import crisis_resources


class CheckForm(forms.Form):
    mood = forms.TypedChoiceField(
        label=_("Since the infusion, how is your mood?"),
        choices=NextDayCheck.Mood.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comments = forms.CharField(
        label=_("Anything else you want us to know (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, language="en", **kwargs):
        super().__init__(*args, **kwargs)
        lasted = [("", _("I did not have this")), *NextDayCheck.Lasted.choices]
        for code, label in NextDayCheck.SideEffect.choices:
            self.fields[f"effect_{code}"] = forms.ChoiceField(
                label=label, choices=lasted, required=False
            )
        item = next_day.self_harm_item(language)
        self.fields["self_harm"] = forms.TypedChoiceField(
            label=item.text,
            choices=[(n, option.text) for n, option in enumerate(item.options)],
            coerce=int,
            widget=forms.RadioSelect,
        )
        self.order_fields(["mood", *[f"effect_{c}" for c in NextDayCheck.SideEffect], "self_harm"])

    def effects(self):
        return [self[f"effect_{code}"] for code in NextDayCheck.SideEffect]

    def answers(self) -> next_day.Answers:
        data = self.cleaned_data
        return next_day.Answers(
            side_effects={
                code: data[f"effect_{code}"]
                for code in NextDayCheck.SideEffect
                if data.get(f"effect_{code}")
            },
            mood=data["mood"],
            self_harm_position=data["self_harm"],
            comments=data["comments"],
        )


def _respond(request, template, context, status=200):
    response = render(request, template, {**context, "language_links": []}, status=status)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"
    return response


@private_page
@require_http_methods(["GET", "HEAD", "POST"])
@rate_limited("manage")
def check(request, token):
    try:
        found = next_day.open_check(token)
    except next_day.LinkClosed:
        return _respond(request, "infusion/after_closed.html", {}, status=410)
    with translation.override(found.language):
        form = CheckForm(request.POST or None, language=found.language)
        if request.method == "POST" and form.is_valid():
            try:
                answered = next_day.answer(found, form.answers())
            except next_day.LinkClosed:
                return _respond(request, "infusion/after_closed.html", {}, status=410)
            record(Action.CREATE, answered, patient=answered.patient_id, detail={"by": "patient"})
            return _respond(
                request,
                "infusion/after_thanks.html",
                {
                    "crisis": answered.self_harm,
                    "crisis_resources": crisis_resources(found.language),
                },
            )
        record(Action.VIEW, found, patient=found.patient_id, detail={"by": "patient"})
        return _respond(
            request,
            "infusion/after_check.html",
            {"form": form},
            status=400 if form.is_bound else 200,
        )
