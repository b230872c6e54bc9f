from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PortalConfig(AppConfig):
    name = "mae_portal"
    verbose_name = "Portal plumbing"

    def ready(self):
        from mae_portal import (
            registry,
            security,  # noqa: F401  (connects the login-failure logger)
        )
        from mae_portal.permissions import is_admin
        from mae_portal.roles import sync_group_permissions
        from mae_portal.signed_in import connect_signals

        connect_signals()

        # The core's own menu entries; apps slot theirs in between by order.
        registry.register_nav_link("home", label="Home", order=10)
        registry.register_nav_link("dashboard", label="Dashboard", order=20, visible=registry.signed_in)
        registry.register_nav_link("audit_log", label="Audit log", order=70, visible=is_admin)
        registry.register_nav_link("admin:index", label="Admin", order=80, visible=lambda user: user.is_staff)
        registry.register_nav_link("account_email", label="Account", order=90, visible=registry.signed_in)

        # Runs after each app migrates (idempotent), so every app's permissions exist by the last call.
        post_migrate.connect(sync_group_permissions, dispatch_uid="mae_sync_group_permissions")
