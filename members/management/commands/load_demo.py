from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from members.demo import PERSONAS, load_demo


class Command(BaseCommand):
    help = "Load demo data: one user per persona, districts, worksites, locals, regions and members. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=300)

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo data is never loaded when DEBUG is off.")
        result = load_demo(member_count=options["members"], today=timezone.localdate())
        self.stdout.write(f"Demo data ready: {result['members']} members ({result['members_created']} new).")
        self.stdout.write("")
        self.stdout.write(f"Sign in at {settings.SITE_URL}/accounts/login/ with password: {settings.DEMO_PASSWORD}")
        for email, first, last, groups, _, is_superuser in PERSONAS:
            role = "admin" if is_superuser else (", ".join(groups) or "member")
            self.stdout.write(f"  {email:<26} {first} {last} ({role})")
        self.stdout.write("Staff, directors, reviewers and the admin set up two-factor authentication at first sign-in.")
