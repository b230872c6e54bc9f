"""Re-enqueue what the broker lost (mae_portal/outbox.py): once, or every N seconds until stopped.

In production beat runs the sweep every minute. `make run` has no broker and no beat (tasks run
inline), so it starts `sweep_outbox --every 60` next to runserver: an email whose inline send failed,
or that was being sent when the server was stopped, still goes out.
"""

import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from mae_portal.outbox import outbox_sweep


class Command(BaseCommand):
    help = "Re-enqueue queued emails (and other outbox rows) whose task was lost or whose retry is due."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, metavar="SECONDS",
                            help="Sweep again every SECONDS until interrupted (default: sweep once).")

    def handle(self, *, every, **options):
        while True:
            enqueued = outbox_sweep(now=timezone.now())
            if not every:
                self.stdout.write(f"Re-enqueued {enqueued}.")
                return
            close_old_connections()  # a long-lived loop must not keep a connection the database dropped
            try:
                time.sleep(every)
            except KeyboardInterrupt:
                return
