from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from partnerskap.models import BrukerRolle
from tiltak.demo import DemoDataError, demo_accounts_load, demo_load


class Command(BaseCommand):
    help = (
        "Load the demo data (Buskerud 2019-2020, Vestfold og Telemark 2021-2022) and, in "
        "development, one account per role. Idempotent."
    )

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
        if settings.PRODUCTION:
            self.stdout.write("Demokontoer opprettes ikke i produksjon (DJANGO_PRODUCTION=1).")
            return
        try:
            accounts = demo_accounts_load()
        except DemoDataError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("\nDemokontoer (kun i utvikling) — logg inn på /konto/logg-inn/:")
        for account in accounts:
            state = (
                "opprettet"
                if account.opprettet
                else "fantes fra før, ikke endret av denne kjøringen"
            )
            self.stdout.write(
                f"  {BrukerRolle(account.rolle).label:<20} {account.email:<28} "
                f"passord: {account.passord:<22} ({account.organisasjon}; {state})"
            )
