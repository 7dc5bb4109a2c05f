"""The consent forms a new clinic starts with, in English and Spanish.

The texts live in ``default_forms/<kind>.<language>.txt``: the title on the first line, the
statement she ticks on the second, an empty line, then the body in the plain-text layout every
consent body uses (see ``perinatal.consents.templatetags.consent_text``).

They are published as version 1 and flagged ``is_default``: a starting point written from the
clinical reference (FDA status, label warnings, lactation data), not legal or medical advice. The
medical director must review each one and publish the clinic's own wording as a new version;
until then staff see the "default" label wherever they send one.
"""

from pathlib import Path

from django.utils import timezone

FOLDER = Path(__file__).resolve().parent / "default_forms"


def texts() -> dict[tuple[str, str], tuple[str, str, str]]:
    """(kind, language) -> (title, body, confirmation) for every shipped form."""
    found = {}
    for path in sorted(FOLDER.glob("*.txt")):
        kind, language = path.stem.split(".")
        title, confirmation, body = path.read_text(encoding="utf-8").split("\n", 2)
        found[kind, language] = (title.strip(), body.strip(), confirmation.strip())
    return found


def install(template_model) -> int:
    """Publish each default form as version 1 where that form and language has no version yet.

    ``template_model`` is the ConsentTemplate class, or its historical version in a migration.
    Returns how many forms were added; running it again adds none.
    """
    added = 0
    now = timezone.now()
    for (kind, language), (title, body, confirmation) in texts().items():
        if template_model.objects.filter(kind=kind, language=language).exists():
            continue
        template_model.objects.create(
            kind=kind,
            language=language,
            version=1,
            title=title,
            body=body,
            confirmation=confirmation,
            is_default=True,
            published_at=now,
        )
        added += 1
    return added
