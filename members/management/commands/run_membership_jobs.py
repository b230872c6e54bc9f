from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from members.services.nightly import membership_jobs_run


class Command(BaseCommand):
    help = ("Run the nightly membership jobs now: automatic renewals, installment drafts, renewal notices "
            "and lapse notices. Safe to run again: nothing is done twice.")

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Run as of this day (YYYY-MM-DD); default: today in America/Chicago.")

    def handle(self, *args, **options):
        try:
            today = date.fromisoformat(options["today"]) if options["today"] else timezone.localdate()
        except ValueError as exc:
            raise CommandError("--today must be a date like 2027-08-31.") from exc
        results = membership_jobs_run(today=today)
        self.stdout.write(f"Membership jobs for {today:%Y-%m-%d}:")
        for job, counts in results.items():
            summary = ", ".join(f"{key} {value}" for key, value in sorted(counts.items())) or "nothing to do"
            self.stdout.write(f"  {job.replace('_', ' ')}: {summary}")
