import base64
import hashlib
import uuid

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.exceptions import PermissionDenied

from mae_portal.audit import client_ip
from mae_portal.emails import queue_rendered_email
from mae_portal.permissions import requires_mfa


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        """Account emails (verification, password reset...) go through the same Celery delivery as
        every other email; their one-time links are wiped from the log once sent."""
        message = self.render_mail(template_prefix, email, context)
        html = next((body for body, mime in getattr(message, "alternatives", []) if mime == "text/html"), "")
        queue_rendered_email(
            idempotency_key=f"account:{template_prefix}:{uuid.uuid4()}",
            template_name=template_prefix.rsplit("/", 1)[-1],
            to=email,
            subject=message.subject,
            text=message.body,
            html=html,
            sensitive=True,
        )

    def get_client_ip(self, request):
        """Rate limits, user sessions and account emails see the portal's client address (one rule for
        TRUSTED_PROXY_COUNT, see mae_portal.audit.client_ip), not allauth's own reading of the header."""
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine client IP address")
        return ip


def _fernet() -> Fernet:
    # Any secret string works as MFA_ENCRYPTION_KEY: it is stretched to a Fernet key.
    digest = hashlib.sha256(settings.MFA_ENCRYPTION_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


class MFAAdapter(DefaultMFAAdapter):
    """Encrypts TOTP secrets and recovery-code seeds at rest."""

    def encrypt(self, text: str) -> str:
        return _fernet().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        return _fernet().decrypt(encrypted_text.encode()).decode()

    def can_delete_authenticator(self, authenticator) -> bool:
        # A persona that must use MFA cannot switch its last authenticator app off.
        if authenticator.type == Authenticator.Type.TOTP and requires_mfa(authenticator.user):
            return False
        return True
