from django.core.management.base import BaseCommand, CommandError

from tiltak.demo import DemoDataError, demo_load


class Command(BaseCommand):
    help = "Load the demo data (Buskerud 2019-2020, Vestfold og Telemark 2021-2022). Idempotent."

    def handle(self, *args, **options):
        try:
            report = demo_load()
        except DemoDataError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Organisasjoner i registeret: {report.organisasjoner}")
        for name in report.programmer:
            self.stdout.write(self.style.SUCCESS(f"Lastet inn: {name}"))
        for name in report.hoppet_over:
            self.stdout.write(f"Finnes fra før, ikke endret: {name}")
        if report.grunnlinjer:
            self.stdout.write(f"Historikk «Innlest fra kilden» for {report.grunnlinjer} tiltak")
