from django.apps import AppConfig


class CommonConfig(AppConfig):
    """The project-wide web kit: no models, no domain rules; any app may use it."""

    name = "common"
