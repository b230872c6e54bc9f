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
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string

from mae_portal.audit import audit_record, client_ip
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

    def get_client_ip(self, request):
        """Rate limits, user sessions and account emails see the portal's client address (one rule for
        TRUSTED_PROXY_COUNT, see mae_portal.audit.client_ip), not allauth's own reading of the header."""
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine client IP address")
        return ip


class MFASecretUnreadable(ValidationError):
    """A stored two-factor secret that no key in MFA_ENCRYPTION_KEY opens (the key was changed without
    keeping the old one). A ValidationError, so the sign-in form shows it instead of failing."""


UNREADABLE_MESSAGE = (
    "Two-factor sign-in could not be checked: the portal cannot read your authenticator's settings. "
    "This is not your code's fault. Please contact MAE at 601-354-4463 to have two-factor authentication reset."
)
# What a signed-in user is told by the two-factor pages (mae_portal.middleware.UnreadableMFASecretMiddleware).
UNREADABLE_PAGE_MESSAGE = (
    "Your two-factor secret can no longer be read (the portal's key was changed). "
    "Ask an administrator to reset your two-factor authentication."
)


def mfa_keys() -> list[str]:
    """MFA_ENCRYPTION_KEY holds one or more secrets, comma-separated: the first encrypts, all decrypt."""
    return [key.strip() for key in settings.MFA_ENCRYPTION_KEY.split(",") if key.strip()]


def _fernet_for(secret: str) -> Fernet:
    # Any secret string works as a key: it is stretched to a Fernet key.
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest()))


def mfa_cipher() -> MultiFernet:
    return MultiFernet([_fernet_for(key) for key in mfa_keys()])


# Where allauth keeps encrypted text in Authenticator.data, by type: single values and lists of values.
_ENCRYPTED_FIELDS = {
    Authenticator.Type.TOTP: ("secret",),
    Authenticator.Type.RECOVERY_CODES: ("seed", "migrated_codes"),
}


@transaction.atomic
def mfa_secrets_reencrypt() -> int:
    """Re-encrypt every stored two-factor secret with the first key of MFA_ENCRYPTION_KEY; returns how
    many authenticators were rewritten. All or nothing: one secret that no key opens raises
    MFASecretUnreadable (naming the authenticators) and nothing is changed."""
    cipher = mfa_cipher()
    changed, unreadable = [], []
    for authenticator in Authenticator.objects.select_for_update().filter(type__in=_ENCRYPTED_FIELDS).order_by("pk"):
        data = dict(authenticator.data)
        try:
            for field in _ENCRYPTED_FIELDS[authenticator.type]:
                if isinstance(data.get(field), str):
                    data[field] = cipher.rotate(data[field].encode()).decode()
                elif isinstance(data.get(field), list):
                    data[field] = [cipher.rotate(value.encode()).decode() for value in data[field]]
        except InvalidToken:
            unreadable.append(f"{authenticator.pk} (user {authenticator.user_id}, {authenticator.type})")
            continue
        authenticator.data = data
        changed.append(authenticator)
    if unreadable:
        raise MFASecretUnreadable(
            "These two-factor secrets could not be decrypted with any key in MFA_ENCRYPTION_KEY: "
            + ", ".join(unreadable) + ". Nothing was re-encrypted."
        )
    Authenticator.objects.bulk_update(changed, ["data"])
    return len(changed)


@transaction.atomic
def mfa_reset(*, user, actor, ip: str | None = None) -> list[str]:
    """Remove every two-factor authenticator of `user` (authenticator app, recovery codes), e.g. when its secret
    can no longer be read: they set two-factor authentication up again (a role that requires it, before any
    other page opens). Audited; returns the kinds removed (none if there were none)."""
    authenticators = list(Authenticator.objects.select_for_update().filter(user=user).order_by("type"))
    if not authenticators:
        return []
    kinds = [authenticator.type for authenticator in authenticators]
    Authenticator.objects.filter(pk__in=[authenticator.pk for authenticator in authenticators]).delete()
    audit_record(actor=actor, ip=ip, action="mfa.reset", obj=user, changes={"removed": kinds})
    return kinds


class MFAAdapter(DefaultMFAAdapter):
    """Encrypts TOTP secrets and recovery-code seeds at rest, with key rotation (`manage.py rotate_mfa_key`)."""

    def encrypt(self, text: str) -> str:
        return mfa_cipher().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        try:
            return mfa_cipher().decrypt(encrypted_text.encode()).decode()
        except InvalidToken:
            raise MFASecretUnreadable(UNREADABLE_MESSAGE, code="mfa_secret_unreadable") from None

    def can_delete_authenticator(self, authenticator) -> bool:
        # A persona that must use MFA cannot switch its last authenticator app off.
        if authenticator.type == Authenticator.Type.TOTP and requires_mfa(authenticator.user):
            return False
        return True
