from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from mae_portal import registry


class Command(BaseCommand):
    help = "Load every app's demo data (registered with mae_portal.registry.register_demo_loader). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=300)

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo data is never loaded when DEBUG is off.")
        today = timezone.localdate()
        for loader in registry.demo_loaders():
            with transaction.atomic():
                lines = loader(today=today, options=options)
            for line in lines:
                self.stdout.write(line)
