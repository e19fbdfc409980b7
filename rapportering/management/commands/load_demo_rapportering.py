from django.core.management.base import BaseCommand

from rapportering.demo import demo_rapportering_load


class Command(BaseCommand):
    help = (
        "Load example indicators and an example 2019 reporting round for the Buskerud demo "
        "programme (after load_demo). Every figure is an invented example, marked as such. "
        "Idempotent."
    )

    def handle(self, *args, **options):
        report = demo_rapportering_load()
        for message in report.skipped:
            self.stdout.write(self.style.WARNING(message))
        if not report.programme:
            return
        self.stdout.write(
            f"{report.programme}: {report.indikatorer} indikatorer og {report.verdier} verdier "
            f"(eksempelverdier – ikke statistikk); rapporteringsrunde 2019 "
            f"{'opprettet' if report.runde else 'fantes fra før'} med {report.rapporter} "
            "eksempelrapporter."
        )
