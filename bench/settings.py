"""Settings for the benchmark server: the app's own settings, plus the bare baseline view."""

from perinatal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
