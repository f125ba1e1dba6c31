from django.apps import AppConfig


class CommonConfig(AppConfig):
    """The project-wide web kit: no domain rules; any app may use it. Its one model is the public
    data version that keys the response cache."""

    name = "common"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from common.public_cache import install_write_watch

        connection_created.connect(install_write_watch, dispatch_uid="common.public_cache")
