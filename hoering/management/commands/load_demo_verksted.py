from django.core.management.base import BaseCommand, CommandError

from hoering.demo_verksted import DemoVerkstedError, demo_verksted_load


class Command(BaseCommand):
    help = (
        "Load the demo workshops (seed 002: Verksted for regional utvikling 2021; seed 004: "
        "økt yrkesdeltagelse i Buskerud, with proposed tiltak). Run after load_demo. Idempotent."
    )

    def handle(self, *args, **options):
        try:
            report = demo_verksted_load()
        except DemoVerkstedError as exc:
            raise CommandError(str(exc)) from exc
        for name in report.lastet:
            self.stdout.write(self.style.SUCCESS(f"Lastet inn verksted: {name}"))
        for name in report.hoppet_over:
            self.stdout.write(f"Verksted finnes fra før, ikke endret: {name}")
        if report.forslag:
            self.stdout.write(f"Tiltaksforslag fra verkstedet: {report.forslag}")
