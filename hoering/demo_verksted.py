"""Demo workshops (`manage.py load_demo_verksted`, after `load_demo`): seed 002's «Verksted for
regional utvikling 2021» (KMD; two days; its questions as written and its inputs unedited) and
seed 004's Buskerud workshop on «økt yrkesdeltagelse» with the six questions, where a theme and
one input are turned into proposed tiltak in a draft programme so the trace can be followed.

Idempotent: a workshop that exists (same title and organiser) is left as it is."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from hoering.models import Innspill, Spoersmaal, Verksted, VerkstedDag
from hoering.models.verksted import TILTAK_TEMPLATE
from hoering.services import verksted as services
from partnerskap.models import Bruker, BrukerRolle, Organisasjon, OrganisasjonType
from tiltak.models import Handlingsprogram, ProgramStatus, RegionalPlan, Tema
from tiltak.services.common import validate

SOURCE_DIR = Path(settings.BASE_DIR) / "fixtures" / "source"
SEED_002 = "verksted_2021.json"
SEED_004 = "verksted_buskerud_yrkesdeltagelse.json"
DEMO_PLANNER = "planlegger@demo.test"


class DemoVerkstedError(Exception):
    pass


@dataclass
class VerkstedReport:
    lastet: list[str] = field(default_factory=list)
    hoppet_over: list[str] = field(default_factory=list)
    forslag: int = 0


def _read(name: str, source_dir: Path) -> dict:
    with open(source_dir / name, encoding="utf-8") as f:
        return json.load(f)


def _save(instance):
    validate(instance)
    instance.save()
    return instance


def _days(verksted: Verksted, dates: list[str], extra: list[dict] | None = None) -> list:
    days = []
    for n, dato in enumerate(dates):
        info = (extra or [{}] * len(dates))[n]
        days.append(
            _save(
                VerkstedDag(
                    verksted=verksted,
                    dato=datetime.date.fromisoformat(dato),
                    tema=info.get("tema", ""),
                    notat=info.get("notat", ""),
                )
            )
        )
    return days


def _questions(verksted: Verksted, days: list, questions: list[dict], gruppe: str, felt=None):
    rows = []
    for order, q in enumerate(questions):
        dag = days[q["dag"] - 1] if "dag" in q else None
        spoersmaal = _save(
            Spoersmaal(
                verksted=verksted,
                dag=dag,
                rekkefoelge=order,
                overskrift=q.get("overskrift", ""),
                tekst=q["tekst"],
                tiltak_felt=(felt or {}).get(q["tekst"], ""),
                # A past workshop: its questions are closed.
                lukket=verksted.opprettet,
            )
        )
        inputs = [
            _save(Innspill(spoersmaal=spoersmaal, tekst=tekst, gruppe=gruppe, rekkefoelge=n))
            for n, tekst in enumerate(q["innspill"])
        ]
        rows.append((spoersmaal, inputs))
    return rows


def load_seed_002(source_dir: Path, report: VerkstedReport) -> Verksted | None:
    data = _read(SEED_002, source_dir)
    kmd, _ = Organisasjon.objects.get_or_create(
        slug="kmd",
        defaults={
            "navn": "Kommunal- og moderniseringsdepartementet",
            "forkortelse": "KMD",
            "type": OrganisasjonType.STATLIG,
        },
    )
    if Verksted.objects.filter(tittel=data["tittel"], eier=kmd).exists():
        report.hoppet_over.append(data["tittel"])
        return None
    verksted = _save(
        Verksted(
            tittel=data["tittel"],
            beskrivelse=data["beskrivelse"],
            eier=kmd,
            sted=data["sted"],
            digitalt=data["digitalt"],
            # Published by KMD as «Innspill … ufiltrert»: public.
            offentlig=True,
        )
    )
    days = _days(verksted, [d["dato"] for d in data["dager"]], data["dager"])
    _questions(verksted, days, data["spoersmaal"], gruppe="")
    report.lastet.append(verksted.tittel)
    return verksted


def _actor() -> Bruker:
    actor = (
        Bruker.objects.filter(email__iexact=DEMO_PLANNER, is_active=True).first()
        or Bruker.objects.filter(
            rolle=BrukerRolle.PLANLEGGER, organisasjon__slug="bfk", is_active=True
        ).first()
        or Bruker.objects.filter(rolle=BrukerRolle.ADMINISTRATOR, is_active=True).first()
    )
    if actor is None:
        raise DemoVerkstedError(
            "No planner of Buskerud fylkeskommune or administrator to make the proposals: "
            "run `manage.py load_demo` first."
        )
    return actor


def load_seed_004(source_dir: Path, report: VerkstedReport) -> Verksted | None:
    data = _read(SEED_004, source_dir)
    eier = Organisasjon.objects.filter(slug=data["eier"]).first()
    if eier is None:
        raise DemoVerkstedError(
            "Buskerud fylkeskommune is missing: run `manage.py load_demo` first."
        )
    if Verksted.objects.filter(tittel=data["tittel"], eier=eier).exists():
        report.hoppet_over.append(data["tittel"])
        return None
    actor = _actor()
    meta = data["program"]
    planer = [
        RegionalPlan.objects.get_or_create(navn=name, defaults={"eier": eier})[0]
        for name in meta["planer"]
    ]
    programme, created = Handlingsprogram.objects.get_or_create(
        navn=meta["navn"],
        start_aar=meta["start_aar"],
        slutt_aar=meta["slutt_aar"],
        defaults={"eier": eier, "status": ProgramStatus.UTKAST},
    )
    if created:
        programme.planer.set(planer)
    tema, _ = Tema.objects.get_or_create(
        program=programme, nummer=1, defaults={"navn": meta["tema"]}
    )
    verksted = _save(
        Verksted(
            tittel=data["tittel"],
            beskrivelse=data["beskrivelse"],
            eier=eier,
            program=programme,
            regional_plan=RegionalPlan.objects.get(navn=data["regional_plan"]),
            sted=data["sted"],
            digitalt=data["digitalt"],
        )
    )
    verksted.fasilitatorer.set([actor])
    days = _days(verksted, data["dager"])
    rows = _questions(
        verksted, days, data["spoersmaal"], gruppe=data["gruppe"], felt=dict(TILTAK_TEMPLATE)
    )

    def pick(q: int, i: int) -> Innspill:
        return rows[q - 1][1][i - 1]

    for t in data["temaer"]:
        gruppe = services.gruppe_create(
            actor=actor,
            verksted=verksted,
            etikett=t["etikett"],
            innspill=[pick(q, i) for q, i in t["innspill"]],
        )
        if t.get("foreslaa"):
            services.forslag_create(actor=actor, verksted=verksted, tema=tema, gruppe=gruppe)
            report.forslag += 1
    for q, i in data["enkeltforslag"]:
        services.forslag_create(actor=actor, verksted=verksted, tema=tema, innspill=pick(q, i))
        report.forslag += 1
    report.lastet.append(verksted.tittel)
    return verksted


@transaction.atomic
def demo_verksted_load(*, source_dir: Path = SOURCE_DIR) -> VerkstedReport:
    report = VerkstedReport()
    load_seed_002(source_dir, report)
    load_seed_004(source_dir, report)
    return report
