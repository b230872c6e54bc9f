"""Security logging. Failed logins go to the `mae_portal.security` logger (never the password)."""

import logging

from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

from mae_portal.audit import client_ip

log = logging.getLogger("mae_portal.security")


@receiver(user_login_failed)
def log_login_failure(sender, credentials, request=None, **kwargs):
    who = credentials.get("email") or credentials.get("username") or "?"
    ip = client_ip(request)
    log.warning("login failed for %r from %s", who, ip)
