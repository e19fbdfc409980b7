"""Demo data (b) of issue 10: the 2018 reporting on Nasjonal kompetansepolitisk strategi (seed
003), loaded through the list import (tiltak.services.excel.liste) from the spreadsheet
fixtures/source/kompetanse_2018_tiltak.xlsx (made by scripts/make_kompetanse_xlsx.py from
kompetanse_2018.json). The programme and its levels (3 hovedinnsatsområder, 16 delmål) are made
through the structure services; the 129 tiltak and their parties by the import, unknown
organisation names created in the registry. Idempotent: a programme that has its tiltak
already is left as it is. The programme is then adopted (vedtatt), so its annual report is
public."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from partnerskap.models import Bruker, BrukerRolle, OrganisasjonType
from partnerskap.selectors import fold, organisasjon_by_name
from partnerskap.services import organisasjon_create

from .models import Handlingsprogram, ProgramStatus, Tema, Tiltak
from .services.excel.liste import programme_list_apply, programme_list_preview
from .services.excel.types import ImportRefused, OrgChoice
from .services.programme import programme_create
from .services.structure import delmaal_create, tema_create
from .services.workflow import programme_transition

SOURCE_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "source"
JSON_FILE = "kompetanse_2018.json"
XLSX_FILE = "kompetanse_2018_tiltak.xlsx"
LOADER_EMAIL = "demo-import@kompetanse.invalid"


@dataclass
class KompetanseReport:
    programme: Handlingsprogram
    created: int = 0
    organisations_created: int = 0
    skipped: bool = False


def _org_type(name: str) -> str:
    """A reasonable registry type for a name the seed uses (the planner can change it)."""
    n = name.casefold()
    if "fylkeskommun" in n:
        return OrganisasjonType.FYLKESKOMMUNE
    if re.search(r"\bkommune(ne|r)?\b", n):
        return OrganisasjonType.KOMMUNE
    if n in {"lo", "nho", "ys", "unio", "ks", "virke", "spekter", "akademikerne", "partene"} or (
        n.startswith(("lo/", "lo ", "akademikerne/", "ys/"))
    ):
        return OrganisasjonType.ARBEIDSLIVETS_PARTER
    if re.search(r"departement|regjering|direktorat|kompetanse norge|^k?[a-z]{1,3}d$|nav|nokut", n):
        return OrganisasjonType.STATLIG
    if re.search(r"universitet|høgsk|høysk|fagsk|skole|uh$|ntnu|uio|oslomet|forskning|nifu", n):
        return OrganisasjonType.UTDANNING_FORSKNING
    if re.search(r"vofo|studieforbund|frivillig", n):
        return OrganisasjonType.FRIVILLIG
    return OrganisasjonType.ANNET


def _loader() -> Bruker:
    """The account the import is recorded under: an administrator that cannot log in."""
    user = Bruker.objects.filter(email=LOADER_EMAIL).first()
    if user is None:
        user = Bruker(
            email=LOADER_EMAIL,
            first_name="Demoimport",
            last_name="(kompetansestrategien)",
            rolle=BrukerRolle.ADMINISTRATOR,
        )
        user.set_unusable_password()
        user.save()
    return user


@transaction.atomic
def load_kompetanse(*, source_dir: Path = SOURCE_DIR) -> KompetanseReport:
    data = json.loads((source_dir / JSON_FILE).read_text(encoding="utf-8"))
    spec = data["program"]
    actor = _loader()
    owner = organisasjon_by_name().get(fold(spec["eier"]))
    if owner is None:
        owner = organisasjon_create(actor=actor, navn=spec["eier"], type=OrganisasjonType.STATLIG)
    programme = Handlingsprogram.objects.filter(
        navn=spec["navn"], start_aar=spec["start_aar"], slutt_aar=spec["slutt_aar"]
    ).first()
    if programme is not None and Tiltak.objects.filter(program=programme).exists():
        return KompetanseReport(programme=programme, skipped=True)
    if programme is None:
        programme = programme_create(
            actor=actor,
            navn=spec["navn"],
            undertittel=spec.get("undertittel", ""),
            start_aar=spec["start_aar"],
            slutt_aar=spec["slutt_aar"],
            eier=owner,
            nivaa_betegnelse=spec["nivaa_betegnelse"],
            beskrivelse=data["kilde"],
        )
    existing = {t.nummer: t for t in Tema.objects.filter(program=programme)}
    for omraade in data["hovedinnsatsomraader"]:
        tema = existing.get(omraade["nummer"]) or tema_create(
            actor=actor, program=programme, navn=omraade["navn"], nummer=omraade["nummer"]
        )
        have = set(tema.delmaal.values_list("nummer", flat=True))
        for delmaal in omraade["delmaal"]:
            if delmaal["nummer"] not in have:
                delmaal_create(
                    actor=actor, tema=tema, navn=delmaal["navn"], nummer=delmaal["nummer"]
                )
    xlsx = (source_dir / XLSX_FILE).read_bytes()
    preview = programme_list_preview(
        actor=actor, programme=programme, data=xlsx, filename=XLSX_FILE
    )
    if not preview.ok:
        raise ImportRefused(preview.errors)
    mapping = {
        u.key: OrgChoice(create_type=_org_type(u.navn)) for u in preview.unknown_organisations
    }
    result = programme_list_apply(
        actor=actor,
        programme=programme,
        data=xlsx,
        filename=XLSX_FILE,
        org_mapping=mapping,
        expected_fingerprint=preview.fingerprint,
    )
    programme.refresh_from_db()
    if programme.status == ProgramStatus.UTKAST:
        programme = programme_transition(
            actor=actor, programme=programme, to_status=ProgramStatus.PAA_HOERING
        )
        programme = programme_transition(
            actor=actor, programme=programme, to_status=ProgramStatus.VEDTATT
        )
    return KompetanseReport(
        programme=programme,
        created=result.created,
        organisations_created=len(result.organisations_created),
    )
