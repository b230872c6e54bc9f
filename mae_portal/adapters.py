import base64
import hashlib
import time
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from cryptography.fernet import Fernet
from django.conf import settings
from django.template.loader import render_to_string

from mae_portal.emails import queue_rendered_email
from mae_portal.permissions import requires_mfa


@dataclass(frozen=True)
class PortalSite:
    """What allauth's templates read as `current_site`. The portal does not use django.contrib.sites
    (one site, configured by SITE_URL), so allauth would otherwise see a blank name."""

    name: str
    domain: str


def portal_site() -> PortalSite:
    return PortalSite(name=settings.PORTAL_NAME, domain=urlsplit(settings.SITE_URL).netloc)


def signed_in_with_password_recently(request) -> bool:
    """A password typed to sign in within ACCOUNT_REAUTHENTICATION_TIMEOUT counts as a re-authentication.

    allauth counts only its re-authentication form ("reauthenticated" records), so staff sent from the
    sign-in straight to the mandatory TOTP set-up would type their password twice in a row."""
    if request is None or not request.user.is_authenticated:
        return False
    records = get_authentication_records(request, request.user)
    signed_in_at = [record["at"] for record in records if record.get("method") == "password" and "at" in record]
    return bool(signed_in_at) and time.time() - max(signed_in_at) < account_settings.REAUTHENTICATION_TIMEOUT


class AccountAdapter(DefaultAccountAdapter):
    def is_reauthentication_required(self, *, app, **kwargs) -> bool:
        # Later sensitive changes (after the timeout) still ask for the password again.
        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        return not signed_in_with_password_recently(getattr(allauth_context, "request", None))

    def send_mail(self, template_prefix, email, context):
        """Account emails (verification, password reset...) go through the same Celery delivery as
        every other email; their one-time links are wiped from the log once sent. They carry the
        portal's name and layout (templates/emails/base.*) like the portal's own emails."""
        context = {"site_url": settings.SITE_URL, **context, "current_site": portal_site()}
        message = self.render_mail(template_prefix, email, context)
        html = next((body for body, mime in getattr(message, "alternatives", []) if mime == "text/html"), "")
        if not html:
            # allauth ships text only: its text, without the text footer, in the HTML layout.
            text = render_to_string(f"{template_prefix}_message.txt", {**context, "embedded": True}).strip()
            html = render_to_string("emails/account-body.html", {**context, "text": text})
        queue_rendered_email(
            idempotency_key=f"account:{template_prefix}:{uuid.uuid4()}",
            template_name=template_prefix.rsplit("/", 1)[-1],
            to=email,
            subject=message.subject,
            text=message.body,
            html=html,
            sensitive=True,
        )


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
