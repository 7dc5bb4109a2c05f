"""Text people type, refused when it holds characters no person means to type.

Control characters (NUL, ESC, BEL, the C1 range) arrive by copy-paste, broken keyboards or on
purpose: PostgreSQL refuses NUL outright (a server error if it gets that far), and the others
corrupt CSV exports, emails and terminal logs. ``plain_text`` refuses them in any text; a name or
other one-line field refuses line breaks too (``one_line``). ``ControlCharacterGuard`` applies
the first rule to every query string and form post, so no page, filter or admin form can be
reached with them, and each form still names the field for the values it checks itself.
"""

import re

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

# C0 controls but tab, line feed and carriage return; DEL; the C1 range.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAK = re.compile(r"[\r\n\u2028\u2029]")


def has_control_characters(value: str) -> bool:
    return bool(_CONTROL.search(value))


def without_control_characters(value: str) -> str:
    """What was typed less its control characters: for search boxes, where nothing stored can
    contain one, so dropping them changes no match (and PostgreSQL never sees a NUL)."""
    return _CONTROL.sub("", value)


def plain_text(value: str) -> None:
    if has_control_characters(value):
        raise ValidationError(
            _("This contains an invisible control character. Please type it again."),
            code="control_character",
        )


def one_line(value: str) -> None:
    plain_text(value)
    if _LINE_BREAK.search(value):
        raise ValidationError(_("Please keep this on one line."), code="line_break")


API_PREFIX = "/api/"
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class ControlCharacterGuard:
    """Answers 400 with a page that says what is wrong when a query string or a form post holds
    a control character. The API is left to its own guard (``perinatal.lib.api_guard``), which
    answers in JSON and in the shapes its schema documents."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(API_PREFIX):
            return self.get_response(request)
        values = [v for vs in request.GET.lists() for v in [vs[0], *vs[1]]]
        if request.method == "POST" and request.content_type in FORM_CONTENT_TYPES:
            values += [v for vs in request.POST.lists() for v in [vs[0], *vs[1]]]
        if any(has_control_characters(value) for value in values):
            return render(request, "control_characters.html", status=400)
        return self.get_response(request)
