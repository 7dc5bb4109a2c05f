import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perinatal.settings")

application = get_wsgi_application()

from perinatal.lib.startup import freeze_what_is_loaded, refuse_unsafe_production  # noqa: E402

refuse_unsafe_production()
freeze_what_is_loaded()
