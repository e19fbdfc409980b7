"""A small world of groups for the «Ansvar», search, API and download tests: an organisation
that belongs to a group that belongs to a group, with tiltak through each, of any size."""

from partnerskap.models import Gruppemedlemskap, Organisasjon, OrganisasjonType
from tests.factories import AnsvarFactory, OrganisasjonFactory, TemaFactory, TiltakFactory
from tiltak.models import ProgramStatus, Rolle


def member(gruppe: Organisasjon, medlem: Organisasjon) -> None:
    membership = Gruppemedlemskap(gruppe=gruppe, medlem=medlem)
    membership.full_clean()
    membership.save()


def build_world(size: int) -> dict:
    """Gol kommune ∈ «Kommunene i Hallingdal» ∈ «Kommunene», and «Regionrådene» next to them.
    `size` tiltak each where Gol itself, «Kommunene i Hallingdal» and «Kommunene» have a role,
    each tiltak with two more parties; one tiltak where «Regionrådene» (not Gol's) leads; and
    a draft programme where «Kommunene» leads, which only its owner may see."""
    gol = OrganisasjonFactory(navn="Gol kommune", slug="gol-kommune")
    hallingdal = OrganisasjonFactory(
        navn="Kommunene i Hallingdal", slug="kommunene-hallingdal", er_gruppe=True
    )
    kommunene = OrganisasjonFactory(navn="Kommunene", slug="kommunene", er_gruppe=True)
    regionraadene = OrganisasjonFactory(
        navn="Regionrådene", slug="regionradene", er_gruppe=True, type=OrganisasjonType.REGIONRAAD
    )
    member(kommunene, hallingdal)
    member(hallingdal, gol)
    others = [OrganisasjonFactory(navn=f"Part {n}") for n in range(2)]
    tema = TemaFactory(nummer=3, navn="Vertskapsattraktivitet")
    programme = tema.program
    made = {"own": [], "via_hallingdal": [], "via_kommunene": []}
    nummer = 0
    for key, org, rolle in (
        ("own", gol, Rolle.HOVEDANSVAR),
        ("via_hallingdal", hallingdal, Rolle.SAMARBEIDSPART),
        ("via_kommunene", kommunene, Rolle.HOVEDANSVAR),
    ):
        for _ in range(size):
            nummer += 1
            t = TiltakFactory(
                tema=tema,
                nummer=nummer,
                rekkefoelge=nummer,
                tittel=f"Tiltak {key} {nummer}",
                beskrivelse=f"Full beskrivelse av tiltak {nummer}.\nMed to linjer.",
            )
            AnsvarFactory(tiltak=t, organisasjon=org, rolle=rolle)
            for i, other in enumerate(others):
                AnsvarFactory(
                    tiltak=t, organisasjon=other, rolle=Rolle.SAMARBEIDSPART, rekkefoelge=i + 1
                )
            made[key].append(t)
    not_gols = TiltakFactory(tema=tema, nummer=nummer + 1, tittel="Regionrådenes tiltak")
    AnsvarFactory(tiltak=not_gols, organisasjon=regionraadene)
    draft_tema = TemaFactory(program__status=ProgramStatus.UTKAST, nummer=1)
    draft = TiltakFactory(tema=draft_tema, nummer=1, tittel="Hemmelig utkast for kommunene")
    AnsvarFactory(tiltak=draft, organisasjon=kommunene)
    return {
        "gol": gol,
        "hallingdal": hallingdal,
        "kommunene": kommunene,
        "programme": programme,
        "draft": draft,
        **made,
    }
