from django.core.management.base import BaseCommand, CommandError

from tiltak.demo_kompetanse import load_kompetanse
from tiltak.services.excel.types import ImportRefused


class Command(BaseCommand):
    help = (
        "Load the 2018 reporting on Nasjonal kompetansepolitisk strategi (seed 003) through the "
        "list import from fixtures/source/kompetanse_2018_tiltak.xlsx. Idempotent."
    )

    def handle(self, *args, **options):
        try:
            report = load_kompetanse()
        except ImportRefused as exc:
            raise CommandError(
                "; ".join(f"{i.location}: {i.message}" for i in exc.issues) or str(exc)
            ) from exc
        name = f"{report.programme.navn} {report.programme.start_aar}–{report.programme.slutt_aar}"
        if report.skipped:
            self.stdout.write(f"Finnes fra før, ikke endret: {name}")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Lastet inn: {name} – {report.created} tiltak, "
                f"{report.organisations_created} nye organisasjoner"
            )
        )
