from django.core.management.base import BaseCommand, CommandError

from hoering.deadlines import format_deadline
from hoering.demo import HoeringDemoError, load_demo_hoering


class Command(BaseCommand):
    help = (
        "Load the demo hearing on the Buskerud 2019-2020 draft with Regionrådet for Hallingdal's "
        "real answer (SAK 44/18). Run after load_demo. Idempotent."
    )

    def handle(self, *args, **options):
        try:
            report = load_demo_hoering()
        except HoeringDemoError as exc:
            raise CommandError(str(exc)) from exc
        hoering = report.hoering
        state = "opprettet" if report.opprettet else "fantes fra før, ikke endret"
        self.stdout.write(
            self.style.SUCCESS(
                f"Høring: {hoering} ({state}), frist {format_deadline(hoering.frist)}"
            )
        )
        self.stdout.write(
            f"  Nye invitasjoner: {report.invitasjoner}; side: /hoering/{hoering.pk}/"
        )
        svar = report.svar
        if report.svar_opprettet:
            self.stdout.write(
                f"  Høringssvar fra {svar.organisasjon} sendt inn, SHA-256 {svar.sha256}"
            )
        else:
            self.stdout.write(f"  Høringssvar fra {svar.organisasjon} fantes fra før")
        for note in report.merknader:
            self.stdout.write(f"  {note}")
