from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """A person who signs in: clinic staff now; OBs and patients get their own access later."""
