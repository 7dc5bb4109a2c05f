import pytest


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings):
    """Staff accounts are made in most tests; hashing their passwords properly only slows them."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
