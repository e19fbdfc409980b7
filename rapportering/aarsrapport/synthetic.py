"""Synthetic data for the annual report's tests and benchmark: a programme `factor` times as large: 13 tiltak
per factor over 3 temaer and 6 delmål, each with a lead and two collaborators, a status report
for 2021 and 2022 on most, indicators with values and targets; reporting rounds for 2021 and
2022, so the 2022 report has a previous year."""

from datetime import UTC, datetime

from partnerskap.models import Organisasjon, OrganisasjonType
from rapportering.models import (
    Behandling,
    Indikator,
    Indikatormaal,
    Indikatorverdi,
    Rapporteringsrunde,
    RapportStatus,
    Statusrapport,
)
from tiltak.models import (
    Ansvar,
    Delmaal,
    Handlingsprogram,
    ProgramStatus,
    Rolle,
    Tema,
    Tiltak,
    TiltakType,
)

TYPES = list(TiltakType.values)
STATUSES = list(RapportStatus.values)


def build_report_programme(*, eier, factor: int = 1, status=ProgramStatus.VEDTATT, name=None):
    p = Handlingsprogram.objects.create(
        navn=name or f"Rapportprogram {factor}×",
        start_aar=2021,
        slutt_aar=2022,
        eier=eier,
        status=status,
    )
    temaer = [Tema.objects.create(program=p, nummer=n, navn=f"Tema {n}") for n in (1, 2, 3)]
    delmaal = [
        Delmaal.objects.create(
            tema=t, nummer=f"{t.nummer}.{k}", navn=f"Delmål {t.nummer}.{k}", rekkefoelge=k
        )
        for t in temaer
        for k in (1, 2)
    ]
    orgs = Organisasjon.objects.bulk_create(
        [
            Organisasjon(
                navn=f"Org {p.pk}-{i}", slug=f"org-{p.pk}-{i}", type=OrganisasjonType.ANNET
            )
            for i in range(4 + 2 * factor)
        ]
    )
    tiltak = []
    for i in range(13 * factor):
        d = delmaal[i % len(delmaal)]
        tiltak.append(
            Tiltak(
                program=p,
                tema_id=d.tema_id,
                delmaal=d,
                nummer=i + 1,
                tittel=f"Tiltak {i + 1}",
                type=TYPES[i % len(TYPES)],
                rekkefoelge=i,
            )
        )
    tiltak = Tiltak.objects.bulk_create(tiltak)
    ansvar = []
    for i, t in enumerate(tiltak):
        ansvar.append(Ansvar(tiltak=t, organisasjon=orgs[i % len(orgs)], rolle=Rolle.HOVEDANSVAR))
        if i % 5:
            ansvar.append(
                Ansvar(tiltak=t, organisasjon=orgs[(i + 1) % len(orgs)], rolle=Rolle.SAMARBEIDSPART)
            )
            ansvar.append(
                Ansvar(
                    tiltak=t,
                    organisasjon=orgs[(i + 2) % len(orgs)],
                    rolle=Rolle.SAMARBEIDSPART,
                    rekkefoelge=1,
                )
            )
    Ansvar.objects.bulk_create(ansvar)
    when = datetime(2022, 1, 15, tzinfo=UTC)
    rapporter = []
    for year in (2021, 2022):
        runde = Rapporteringsrunde.objects.create(program=p, aar=year, frist=when, aapnet=when)
        for i, t in enumerate(tiltak):
            if i % 4 == 3:
                continue
            rapporter.append(
                Statusrapport(
                    tiltak=t,
                    runde=runde,
                    aar=year,
                    status=STATUSES[(i + year) % len(STATUSES)],
                    behandling=Behandling.UTKAST if i % 7 == 0 else Behandling.GODKJENT,
                    innsendt=None if i % 7 == 0 else when,
                )
            )
    Statusrapport.objects.bulk_create(rapporter)
    for k in range(factor):
        ind = Indikator.objects.create(
            program=p,
            navn=f"Indikator {k + 1}",
            enhet="%",
            basis_aar=2020,
            basis_verdi=50 + k,
            eksempelverdier=True,
            tema=temaer[k % 3],
            rekkefoelge=k,
        )
        Indikatormaal.objects.create(indikator=ind, aar=2022, verdi=55)
        Indikatorverdi.objects.create(indikator=ind, aar=2021, verdi=51)
        Indikatorverdi.objects.create(indikator=ind, aar=2022, verdi=54 + k)
    return p
