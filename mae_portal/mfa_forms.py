"""allauth's two-factor code forms, with a log line when a stored secret cannot be decrypted.

The member sees the adapter's message on the form (MFASecretUnreadable is a ValidationError); staff
learn from the log which account is affected and that MFA_ENCRYPTION_KEY lost the key it was
encrypted with (put the old key back after the new one, then run `manage.py rotate_mfa_key`)."""

import logging

from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm

from mae_portal.adapters import MFASecretUnreadable

log = logging.getLogger("mae_portal.security")


class _LogsUnreadableSecret:
    def clean_code(self):
        try:
            return super().clean_code()
        except MFASecretUnreadable:
            log.error(
                "two-factor sign-in of user %s could not be checked: a stored secret opens with no key in "
                "MFA_ENCRYPTION_KEY (was the key changed without keeping the old one after it?)", self.user.pk,
            )
            raise


class PortalAuthenticateForm(_LogsUnreadableSecret, AuthenticateForm):
    pass


class PortalReauthenticateForm(_LogsUnreadableSecret, ReauthenticateForm):
    pass
