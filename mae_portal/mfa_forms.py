"""allauth's two-factor code forms, with a log line when a stored secret cannot be decrypted.

The member sees the adapter's message on the form (MFASecretUnreadable is a ValidationError); staff
learn from the log which account is affected and that MFA_ENCRYPTION_KEY lost the key it was
encrypted with (put the old key back after the new one, then run `manage.py rotate_mfa_key`; if the
old key is gone, an admin resets the account's two-factor authentication: the Authenticator admin's
action, or `manage.py reset_mfa EMAIL`). Signed in already, someone asked for their code again is told
what the other two-factor pages tell them (mae_portal.middleware.UnreadableMFASecretMiddleware)."""

import logging

from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from django import forms

from mae_portal.adapters import UNREADABLE_PAGE_MESSAGE, MFASecretUnreadable

log = logging.getLogger("mae_portal.security")


class _LogsUnreadableSecret:
    unreadable_message = ""  # what the form says instead of the adapter's sign-in message, if anything

    def clean_code(self):
        try:
            return super().clean_code()
        except MFASecretUnreadable as unreadable:
            log.error(
                "two-factor sign-in of user %s could not be checked: a stored secret opens with no key in "
                "MFA_ENCRYPTION_KEY (was the key changed without keeping the old one after it?)", self.user.pk,
            )
            if self.unreadable_message:
                raise forms.ValidationError(self.unreadable_message, code=unreadable.code) from None
            raise


class PortalAuthenticateForm(_LogsUnreadableSecret, AuthenticateForm):
    pass


class PortalReauthenticateForm(_LogsUnreadableSecret, ReauthenticateForm):
    unreadable_message = UNREADABLE_PAGE_MESSAGE
