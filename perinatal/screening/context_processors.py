from django.utils.translation import get_language

from perinatal.screening.services import public_instrument


def self_screen(request):
    """The self-screen the menu may offer: none in a language without a validated wording, as
    the check page itself decides."""
    return {"self_screen": public_instrument(get_language())}
