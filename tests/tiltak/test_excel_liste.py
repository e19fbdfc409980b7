"""The forgiving list import (tiltak/services/excel/liste.py): header synonyms, no ID and no Nr
columns, the theme from the delmål, parties split by «;» and by «,» only where the registry
does not know the text, types in three languages, .xlsx and .csv, errors naming row and
column, and nothing written on error."""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from partnerskap.models import Organisasjon, OrganisasjonAlias, OrganisasjonType
from tests.factories import DelmaalFactory, OrganisasjonFactory, TemaFactory, TiltakFactory
from tiltak.models import Ansvar, ProgramStatus, Rolle, Tiltak, TiltakType
from tiltak.services.excel.liste import (
    build_list_preview,
    programme_list_apply,
    programme_list_preview,
    split_parties,
)
from tiltak.services.excel.types import ImportRefused, OrgChoice

pytestmark = pytest.mark.django_db


def xlsx(rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list], sep=";", bom=True, encoding="utf-8") -> bytes:
    text = "\r\n".join(sep.join(f'"{c}"' if sep in str(c) else str(c) for c in r) for r in rows)
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


@pytest.fixture
def programme(users):
    from tests.factories import HandlingsprogramFactory

    p = HandlingsprogramFactory(eier=users["county"], status=ProgramStatus.UTKAST)
    t1 = TemaFactory(program=p, nummer=1, navn="Gode valg")
    t2 = TemaFactory(program=p, nummer=2, navn="Læring i arbeidslivet")
    DelmaalFactory(tema=t1, nummer="1.1", navn="Kompetansebehovsutvalg")
    DelmaalFactory(tema=t1, nummer="1.2", navn="Regionalt folkevalgt nivå")
    DelmaalFactory(tema=t2, nummer="2.1", navn="Digital kompetanse")
    return p


@pytest.fixture
def orgs(db):
    lo = OrganisasjonFactory(navn="Landsorganisasjonen i Norge", forkortelse="LO")
    nho = OrganisasjonFactory(navn="Næringslivets Hovedorganisasjon", forkortelse="NHO")
    nf = OrganisasjonFactory(
        navn="Næringsforeningene i Drammen-, Kongsberg og Ringerike",
        type=OrganisasjonType.NAERINGSFORENING_HAGE,
    )
    kd = OrganisasjonFactory(navn="Kunnskapsdepartementet", forkortelse="KD")
    OrganisasjonAlias.objects.create(navn="Olsen, Hansen og co", organisasjon=kd)
    return {"lo": lo, "nho": nho, "nf": nf, "kd": kd}


def create_all(preview) -> dict[str, OrgChoice]:
    return {
        u.key: OrgChoice(create_type=OrganisasjonType.ANNET) for u in preview.unknown_organisations
    }


def test_synonyms_no_id_no_nr_numbering_in_file_order_parties_and_types(users, programme, orgs):
    data = xlsx(
        [
            [
                "  HOVEDINNSATSOMRÅDE ",
                "delmål",
                "Beskrivelse",
                "Kategori",
                "Hovedansvar",
                "Samarbeidsparter",
                "Antall totalt",
            ],
            [
                "1",
                "1.2",
                "Første",
                "Råd/utvalg/ nettverk",
                "LO",
                "NHO, Næringsforeningene i Drammen-, Kongsberg og Ringerike",
                19,
            ],
            ["Læring i arbeidslivet", "2.1", "Andre", "R&D", "KD", "LO; Olsen, Hansen og co", None],
            [
                "1",
                "Kompetansebehovsutvalg",
                "Tredje",
                "Council/committee/network",
                "Nye Aktør AS",
                "",
                None,
            ],
            ["1", "1.2", "Fjerde", "Prosjekt", "", "KD,LO", None],
        ]
    )
    TiltakFactory(program=programme, tema=programme.temaer.get(nummer=1), nummer=4)
    preview = programme_list_preview(
        actor=users["planner"], programme=programme, data=data, filename="liste.xlsx"
    )
    assert preview.ok, preview.errors
    assert [w.column for w in preview.warnings] == [None]  # «Antall totalt» ignored
    assert "Antall totalt" in preview.warnings[0].message
    assert [(r.tema.nummer, r.nummer) for r in preview.new] == [(1, 5), (2, 1), (1, 6), (1, 7)]
    first, second, third, fourth = preview.new
    assert first.instance.type == TiltakType.RAAD_UTVALG_NETTVERK
    assert second.instance.type == TiltakType.FOU
    assert third.instance.type == TiltakType.RAAD_UTVALG_NETTVERK
    assert third.delmaal.nummer == "1.1"
    assert first.instance.tittel == "Første"
    samarbeid = [p.organisasjon for p in first.parties[Rolle.SAMARBEIDSPART]]
    assert samarbeid == [orgs["nho"], orgs["nf"]]
    assert [p.organisasjon for p in second.parties[Rolle.SAMARBEIDSPART]] == [
        orgs["lo"],
        orgs["kd"],
    ]
    assert [p.organisasjon for p in fourth.parties[Rolle.SAMARBEIDSPART]] == [
        orgs["kd"],
        orgs["lo"],
    ]
    assert [u.navn for u in preview.unknown_organisations] == ["Nye Aktør AS"]

    before = Tiltak.objects.count()
    result = programme_list_apply(
        actor=users["planner"],
        programme=programme,
        data=data,
        filename="liste.xlsx",
        org_mapping=create_all(preview),
        expected_fingerprint=preview.fingerprint,
    )
    assert result.created == 4
    assert Tiltak.objects.count() == before + 4
    new = Tiltak.objects.get(tittel="Tredje")
    assert new.ansvar.get(rolle=Rolle.HOVEDANSVAR).organisasjon.navn == "Nye Aktør AS"
    assert list(
        Ansvar.objects.filter(tiltak__tittel="Første", rolle=Rolle.SAMARBEIDSPART)
        .order_by("rekkefoelge")
        .values_list("organisasjon__navn", flat=True)
    ) == [
        "Næringslivets Hovedorganisasjon",
        "Næringsforeningene i Drammen-, Kongsberg og Ringerike",
    ]


def test_split_parties_the_registry_decides():
    known = {"a, b og c", "x"}.__contains__
    assert split_parties("A, B og C", lambda t: t.lower() in {"a, b og c"}) == ["A, B og C"]
    assert split_parties("x, a, b og c, y", lambda t: t.lower() in {"a, b og c", "x"}) == [
        "x",
        "a, b og c",
        "y",
    ]
    assert split_parties("p; q,r\ns", known) == ["p", "q", "r", "s"]
    # Unknown, but a hyphen at the end of a piece continues the name.
    assert split_parties("Drammen-, Kongsberg og Ringerike, KD", known) == [
        "Drammen-, Kongsberg og Ringerike",
        "KD",
    ]


@pytest.mark.parametrize(
    "sep,bom,encoding",
    [(";", True, "utf-8"), (",", False, "utf-8"), (";", False, "cp1252")],
)
def test_csv_semicolon_comma_bom_and_windows_encoding(users, programme, orgs, sep, bom, encoding):
    data = csv_bytes(
        [
            ["Område", "Delmål", "Tiltak", "Type", "Ansvarlig", "Samarbeidspartnere"],
            ["1", "1.1", "Kompetansebehovsutvalget", "Råd/utvalg/nettverk", "KD", "LO, NHO"],
            ["2", "2.1", "Digitalt løft", "Kurs/utdanning", "NHO", ""],
        ],
        sep=sep,
        bom=bom,
        encoding=encoding,
    )
    preview = build_list_preview(programme, data, "liste.csv")
    assert preview.ok, preview.errors
    assert [r.tittel for r in preview.new] == ["Kompetansebehovsutvalget", "Digitalt løft"]
    assert [p.organisasjon for p in preview.new[0].parties[Rolle.SAMARBEIDSPART]] == [
        orgs["lo"],
        orgs["nho"],
    ]
    assert preview.new[1].instance.type == TiltakType.KURS_UTDANNING


def test_errors_name_row_and_column_and_nothing_is_written(users, programme, orgs):
    data = xlsx(
        [
            ["Område", "Delmål", "Tiltak", "Type", "Ansvarlig"],
            ["1", "1.1", "God rad", "FoU", "LO"],
            ["9", "", "Ukjent tema", "FoU", "LO"],
            ["1", "1.9", "Ukjent delmål", "FoU", "LO"],
            ["2", "2.1", "Ukjent type", "Seminar", "LO"],
            ["1", "1.1", "", "FoU", "LO"],
        ]
    )
    preview = build_list_preview(programme, data, "liste.xlsx")
    assert not preview.ok
    located = {(e.row, e.column) for e in preview.errors}
    assert located == {(3, "Tema"), (4, "Delmål"), (5, "Type"), (6, "Tiltak")}
    assert all(e.letter for e in preview.errors)
    assert "1.9" in next(e.message for e in preview.errors if e.row == 4)
    assert preview.new == []
    count = Tiltak.objects.count()
    with pytest.raises(ImportRefused):
        programme_list_apply(
            actor=users["planner"],
            programme=programme,
            data=data,
            filename="liste.xlsx",
            org_mapping={},
            expected_fingerprint=preview.fingerprint,
        )
    assert Tiltak.objects.count() == count


def test_rows_with_id_missing_columns_and_bad_files(users, programme):
    preview = build_list_preview(
        programme, xlsx([["ID", "Område", "Tiltak"], [12, "1", "Har ID"]]), "l.xlsx"
    )
    assert [(e.row, e.column) for e in preview.errors] == [(2, "ID")]
    preview = build_list_preview(programme, xlsx([["Tiltak", "Type"], ["x", "FoU"]]), "l.xlsx")
    assert not preview.ok and "Område" in preview.errors[0].message
    preview = build_list_preview(programme, xlsx([["Område", "Ansvarlig"], ["1", "LO"]]), "l.xlsx")
    assert not preview.ok and "Tiltak" in preview.errors[0].message
    assert not build_list_preview(programme, b"", "l.csv").ok
    assert not build_list_preview(programme, b"PK\x03\x04broken", "l.xlsx").ok
    assert not build_list_preview(programme, b"\x00\x01binary", "l.csv").ok
    preview = build_list_preview(
        programme,
        csv_bytes([["Område", "Nr", "Tiltak"], ["1", "3", "a"], ["1", "3", "b"]]),
        "l.csv",
    )
    assert [(e.row, e.column) for e in preview.errors] == [(3, "Nr")]


def test_apply_is_atomic_when_an_organisation_choice_fails(users, programme, orgs):
    data = xlsx([["Område", "Tiltak", "Ansvarlig"], ["1", "a", "LO"], ["1", "b", "Ukjent"]])
    preview = build_list_preview(programme, data, "l.xlsx")
    count, orgs_count = Tiltak.objects.count(), Organisasjon.objects.count()
    with pytest.raises(ImportRefused):
        programme_list_apply(
            actor=users["planner"],
            programme=programme,
            data=data,
            filename="l.xlsx",
            org_mapping={},
            expected_fingerprint=preview.fingerprint,
        )
    assert (Tiltak.objects.count(), Organisasjon.objects.count()) == (count, orgs_count)


def test_only_planners_of_a_draft_may_import(users, programme):
    from django.core.exceptions import PermissionDenied

    data = xlsx([["Område", "Tiltak"], ["1", "a"]])
    for role in ("member", "other_planner", "board"):
        with pytest.raises(PermissionDenied):
            programme_list_preview(actor=users[role], programme=programme, data=data)
    programme.status = ProgramStatus.VEDTATT
    programme.save()
    with pytest.raises(PermissionDenied):
        programme_list_preview(actor=users["planner"], programme=programme, data=data)


@pytest.mark.parametrize(
    "role,expected",
    [
        ("anonymous", 404),
        ("administrator", 200),
        ("planner", 200),
        ("other_planner", 404),
        ("member", 404),
        ("other_member", 404),
        ("board", 403),
    ],
)
def test_view_permission_matrix(client_for, programme, role, expected):
    for name in ("tiltak:programme_list_import", "tiltak:programme_list_preview"):
        response = client_for(role).get(reverse(name, args=[programme.pk]))
        want = 302 if (expected == 200 and name.endswith("preview")) else expected
        assert response.status_code == want, (name, role)


def test_view_upload_preview_apply(client_for, programme, orgs):
    client = client_for("planner")
    data = xlsx(
        [["Innsatsområde", "Tiltak", "Ansvarlig"], ["1", "Nytt", "LO"], ["2", "Mer", "Ny org"]]
    )
    upload = io.BytesIO(data)
    upload.name = "liste.xlsx"
    url = reverse("tiltak:programme_list_import", args=[programme.pk])
    response = client.post(url, {"fil": upload})
    assert response.status_code == 302
    preview_url = reverse("tiltak:programme_list_preview", args=[programme.pk])
    page = client.get(preview_url)
    assert page.status_code == 200
    assert "Nytt" in page.content.decode() and "Ny org" in page.content.decode()
    fingerprint = page.context["preview"].fingerprint
    # Without a choice for the unknown organisation: nothing written.
    response = client.post(preview_url, {"fingerprint": fingerprint, "bekreft": "1"})
    assert response.status_code == 200
    assert not Tiltak.objects.filter(tittel="Nytt").exists()
    response = client.post(
        preview_url,
        {
            "fingerprint": fingerprint,
            "bekreft": "1",
            "org0-handling": "create",
            "org0-type": "annet",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Tiltak.objects.filter(program=programme, tittel__in=["Nytt", "Mer"]).count() == 2
    # A bad file is refused on the upload page with its errors.
    bad = io.BytesIO(xlsx([["Område", "Tiltak"], ["7", "x"]]))
    bad.name = "liste.xlsx"
    response = client.post(url, {"fil": bad})
    assert response.status_code == 200 and "7" in response.content.decode()
