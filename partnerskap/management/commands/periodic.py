"""manage.py periodic: run the periodic jobs (settings.PERIODIC_JOBS) once, each under a lock so
that two schedulers at once never run the same job in parallel (partnerskap/periodic.py).

    */10 * * * *  cd /srv/portal && .venv/bin/python manage.py periodic

Exit status 1 when a job failed (the others still ran); a job skipped because another
scheduler is running it is not a failure."""

from django.core.management.base import BaseCommand, CommandError

from partnerskap import periodic


class Command(BaseCommand):
    help = "Run the periodic jobs once (cleanup of stale uploads, old task results, sessions)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--job",
            action="append",
            dest="only",
            metavar="NAME",
            help="Run only this job (repeatable). Default: every job in PERIODIC_JOBS.",
        )
        parser.add_argument("--list", action="store_true", help="List the jobs and exit.")

    def handle(self, *args, only=None, list=False, **options):
        jobs = periodic.jobs()
        if list:
            for name in jobs:
                self.stdout.write(name)
            return
        unknown = sorted(set(only or ()) - set(jobs))
        if unknown:
            raise CommandError(f"Unknown job(s): {', '.join(unknown)}. Known: {', '.join(jobs)}")
        failed = []
        for name, function in jobs.items():
            if only and name not in only:
                continue
            outcome = periodic.run_job(name, function)
            self.stdout.write(outcome.line())
            if outcome.status == "failed":
                failed.append(name)
        if failed:
            raise CommandError(f"Failed: {', '.join(failed)}", returncode=1)
