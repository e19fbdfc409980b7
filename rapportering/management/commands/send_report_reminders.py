from django.core.management.base import BaseCommand

from rapportering.services.paaminnelser import send_report_reminders


class Command(BaseCommand):
    help = (
        "Email the lead organisations that have not reported in an open reporting round "
        "(14 and 3 days before the deadline, and once after it). Safe to run as often as you "
        "like, also on two servers at once: each reminder is sent once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url", default="", help="Scheme and host for the link, e.g. https://portal.no"
        )

    def handle(self, *args, **options):
        sent = send_report_reminders(base_url=options["base_url"].rstrip("/"))
        for s in sent:
            self.stdout.write(f"{s.runde}: {s.organisasjon} ({s.step}) → {len(s.recipients)}")
        self.stdout.write(f"{len(sent)} reminder(s) sent.")
