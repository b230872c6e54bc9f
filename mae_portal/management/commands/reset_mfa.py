"""Reset the two-factor authentication of accounts, by email: every authenticator they have is removed (audited),
and they set it up again at their next sign-in.

For a secret that no key in MFA_ENCRYPTION_KEY opens any more when no administrator can sign in to use the
Authenticator admin's "Reset two-factor authentication" action (the key changed for everyone). If the old key
is still known, put it back after the new one and run `rotate_mfa_key` instead: nobody has to set anything up.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from mae_portal.adapters import mfa_reset


class Command(BaseCommand):
    help = "Remove every two-factor authenticator of the accounts with these emails; they set it up again."

    def add_arguments(self, parser):
        parser.add_argument("emails", nargs="+", metavar="EMAIL")

    def handle(self, *, emails, **options):
        users = []
        for email in emails:
            user = get_user_model().objects.filter(email__iexact=email.strip()).first()
            if user is None:
                raise CommandError(f"No account has the email {email}. Nothing was reset.")
            users.append(user)
        for user in users:
            removed = mfa_reset(user=user, actor=None)
            self.stdout.write(f"{user.email}: " + (f"removed {', '.join(removed)}; two-factor authentication is "
                                                   "set up again at the next sign-in." if removed
                                                   else "had no two-factor authentication."))
