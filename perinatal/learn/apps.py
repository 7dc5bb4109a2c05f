from django.apps import AppConfig


class LearnConfig(AppConfig):
    name = "perinatal.learn"
    verbose_name = "Education pages"
