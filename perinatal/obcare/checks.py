"""Start-up checks for OB coordination."""

from django.core.checks import Warning, register


@register()
def pdf_font_installed(app_configs, **kwargs):
    from perinatal.obcare.pdf import FontMissing, font_files

    try:
        font_files()
    except FontMissing as exc:
        return [
            Warning(
                "Care-plan letters cannot be made as PDF files.",
                hint=str(exc),
                id="obcare.W001",
            )
        ]
    return []
