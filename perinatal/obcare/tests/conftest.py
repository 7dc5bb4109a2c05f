import pytest


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings):
    """Staff accounts are made in almost every test here; none of them tests hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
