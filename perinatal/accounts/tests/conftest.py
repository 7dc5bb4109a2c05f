import pytest


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings):
    """The production hasher takes half a second a password; these tests type many."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
