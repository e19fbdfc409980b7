"""Send the reminders that are due: `manage.py send_hearing_reminders --days 7 --days 2`.

Meant for cron (e.g. every hour). Safe to run twice, or on two servers at once: each reminder
is recorded under a unique constraint before it is sent (hoering.services.runde.reminders_send).
Without --days: settings.HOERING_REMINDER_DAYS, default 7 and 2 days before the deadline."""

from django.conf import settings
from django.core.management.base import BaseCommand

from hoering.services.runde import DEFAULT_REMINDER_DAYS, reminders_send


class Command(BaseCommand):
    help = "Email reminders to invitees without a submitted answer, N days before their deadline."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            action="append",
            help="Days before the deadline (repeat for several); default settings.HOERING_REMINDER_DAYS.",
        )
        parser.add_argument(
            "--base-url",
            default=getattr(settings, "PORTAL_BASE_URL", "http://127.0.0.1:8000/"),
            help="The portal's address for the links (default settings.PORTAL_BASE_URL).",
        )

    def handle(self, *args, days=None, base_url="", **options):
        days = days or list(getattr(settings, "HOERING_REMINDER_DAYS", DEFAULT_REMINDER_DAYS))
        run = reminders_send(days=days, base_url=base_url)
        self.stdout.write(f"{len(run.sent)} reminders sent, {run.skipped} already sent.")
