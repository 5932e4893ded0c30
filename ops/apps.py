from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations: request ids and logs, health checks, and degraded-service handling."""

    name = "ops"

    def ready(self) -> None:
        from django.core.signals import got_request_exception

        from ops.middleware import mark_database_unavailable

        got_request_exception.connect(mark_database_unavailable, dispatch_uid="ops-db-unavailable")
