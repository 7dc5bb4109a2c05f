"""Showing a consent body: plain text in, escaped HTML out.

Directors write forms as plain text in the admin, so nothing they type is ever taken as HTML.
The layout rules are few: paragraphs are separated by an empty line; a paragraph whose first
line is short and has no end punctuation starts with that line as a heading; lines starting
with "- " form a list.
"""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

HEADING_MAX = 90


def _is_heading(line: str, rest: list[str]) -> bool:
    return (
        bool(rest)
        and not line.startswith("- ")
        and len(line) <= HEADING_MAX
        and line[-1] not in '.:;,!?)"”'
    )


def blocks(text: str) -> list[tuple[str, str | list[str]]]:
    """The body as ("heading", text), ("p", text) and ("list", [items]) blocks, in order."""
    out: list[tuple[str, str | list[str]]] = []
    for paragraph in text.replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in paragraph.split("\n") if line.strip()]
        if not lines:
            continue
        if _is_heading(lines[0], lines[1:]):
            out.append(("heading", lines[0]))
            lines = lines[1:]
        prose: list[str] = []
        items: list[str] = []
        for line in lines:
            if line.startswith("- "):
                if prose:
                    out.append(("p", " ".join(prose)))
                    prose = []
                items.append(line[2:].strip())
            else:
                if items:
                    out.append(("list", items))
                    items = []
                # A line break inside prose starts a new paragraph of the same section.
                if prose:
                    out.append(("p", " ".join(prose)))
                prose = [line]
        if prose:
            out.append(("p", " ".join(prose)))
        if items:
            out.append(("list", items))
    return out


@register.filter
def consent_html(text: str, heading_level: int = 3) -> SafeString:
    """Render a consent body; headings are ``<h{heading_level}>``."""
    level = int(heading_level)
    parts = []
    for kind, value in blocks(text or ""):
        if kind == "heading":
            parts.append(format_html("<h{0}>{1}</h{0}>", level, value))
        elif kind == "p":
            parts.append(format_html("<p>{}</p>", value))
        else:
            items = format_html_join("", "<li>{}</li>", ((item,) for item in value))
            parts.append(format_html("<ul>{}</ul>", items))
    # Every part above went through format_html, which escaped what the director typed.
    return mark_safe("\n".join(parts))  # noqa: S308
