from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PortalConfig(AppConfig):
    name = "mae_portal"
    verbose_name = "Portal plumbing"

    def ready(self):
        from mae_portal import security  # noqa: F401  (connects the login-failure logger)
        from mae_portal.roles import sync_group_permissions

        # Runs after each app migrates (idempotent), so every app's permissions exist by the last call.
        post_migrate.connect(sync_group_permissions, dispatch_uid="mae_sync_group_permissions")
