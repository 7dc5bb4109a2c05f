from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


def refuse_unsafe_production() -> None:
    """WSGI/ASGI servers do not run system checks; in production we run ours ourselves."""
    if not settings.PRODUCTION:
        return
    errors = [m for m in checks.run_checks(include_deployment_checks=True) if m.is_serious()]
    if errors:
        raise ImproperlyConfigured(
            "Refusing to start in production:\n" + "\n".join(f"  {e}" for e in errors)
        )
