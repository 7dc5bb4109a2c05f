import gc

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.urls import get_resolver


def refuse_unsafe_production() -> None:
    """WSGI/ASGI servers do not run system checks; in production we run ours ourselves."""
    if not settings.PRODUCTION:
        return
    errors = [m for m in checks.run_checks(include_deployment_checks=True) if m.is_serious()]
    if errors:
        raise ImproperlyConfigured(
            "Refusing to start in production:\n" + "\n".join(f"  {e}" for e in errors)
        )


def freeze_what_is_loaded() -> None:
    """Load every view now and exempt everything loaded so far from garbage collection.

    Settings, apps, models, the URLconf and the views it imports live as long as the server
    process. Left to the collector, each of its full passes walks them all again: about 100 ms
    on the back office, a pause shared by every request in flight, often enough to set the p99.
    Frozen, a full pass walks only what requests created since.

    Under ``gunicorn --preload`` (``perinatal serve``, the bench, the README's production
    command) this runs once, in the master, and the workers fork with it done, sharing the frozen
    pages; without it, each worker loads the app and freezes it on its own.
    """
    get_resolver().url_patterns  # noqa: B018 (imports every view module)
    gc.collect()
    gc.freeze()
