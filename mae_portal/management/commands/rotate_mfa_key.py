"""Re-encrypt every stored two-factor secret with the first key of MFA_ENCRYPTION_KEY.

Rotation: set MFA_ENCRYPTION_KEY="new-key,old-key" and restart (both keys now decrypt, the new one
encrypts), run this command, then drop the old key.
"""

from django.core.management.base import BaseCommand, CommandError

from mae_portal.adapters import MFASecretUnreadable, mfa_keys, mfa_secrets_reencrypt


class Command(BaseCommand):
    help = "Re-encrypt stored TOTP secrets and recovery-code seeds with the first key of MFA_ENCRYPTION_KEY."

    def handle(self, **options):
        try:
            count = mfa_secrets_reencrypt()
        except MFASecretUnreadable as exc:
            raise CommandError(exc.message) from None
        others = len(mfa_keys()) - 1
        self.stdout.write(f"Re-encrypted {count} two-factor secrets with the first key. "
                          + (f"The other {others} key(s) may now be removed from MFA_ENCRYPTION_KEY." if others else ""))
