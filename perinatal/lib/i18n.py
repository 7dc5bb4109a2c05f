from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language


def language_links(request):
    """Links to the page being shown in every site language, for the language switch."""
    current = get_language()
    path = request.get_full_path()
    return {
        "language_links": [
            {
                "code": code,
                "name": {"en": "English", "es": "Español"}.get(code, code),
                "url": translate_url(path, code),
                "current": code == current,
            }
            for code, _ in settings.LANGUAGES
        ]
    }
