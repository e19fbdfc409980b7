"""The organisation side of a hearing: the public page of a round, the invitation link, the
shared draft, submission and the receipt. Thin views: find what the user may see (404
otherwise), check the permission, read the form, call a service (hoering.services.svar),
render. A failed save or submit re-renders with everything the user typed."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from partnerskap.access import guarded, require, visible_or_404
from partnerskap.errors import ServiceError
from partnerskap.models import Organisasjon
from tiltak.models import Delmaal, Rolle, Satsingsomraade, Tema

from ..deadlines import frist_for
from ..forms_svar import FORSLAG_SPORSMAAL, InvitationAccountForm, SignatarForm
from ..models import Hoering, Hoeringssvar, Invitasjon, StandpunktValg
from ..receipt import receipt_pdf, submitted_at_display
from ..selectors.svar import (
    publiserte_svar,
    svar_med_innhold,
    svar_queryset,
    svar_side,
    svar_versjoner,
)
from ..services import svar as services
from ..services.svar import FORSLAG_TEXT_FIELDS, SvarConflict

# --- Lookups --------------------------------------------------------------------------------


def _hoering_for(request, pk: int) -> Hoering:
    hoering = visible_or_404(Hoering.objects.select_related("program", "program__eier"), pk=pk)
    if not request.user.has_perm("hoering.view_hoering", hoering):
        raise Http404(_("Not found."))
    return hoering


def _svar_for(request, pk: int) -> Hoeringssvar:
    svar = visible_or_404(svar_queryset(), pk=pk)
    if not request.user.has_perm("hoering.view_svar", svar):
        raise Http404(_("Not found."))
    return svar


def _status(hoering: Hoering, organisasjon_id: int | None, now) -> dict[str, Any]:
    frist = frist_for(hoering, organisasjon_id)
    return {
        "frist": frist,
        "utsatt": frist != hoering.frist,
        "ikke_aapnet": now < hoering.aapner,
        "aapen": hoering.aapnet is not None and hoering.aapner <= now <= frist,
        "passert": now > frist,
    }


# --- The round's public page ------------------------------------------------------------------


@guarded
@require_http_methods(["GET"])
def hoering_detail(request, pk: int):
    hoering = _hoering_for(request, pk)
    user = request.user
    now = timezone.now()
    org_id = getattr(user, "organisasjon_id", None)
    context: dict[str, Any] = {
        "hoering": hoering,
        "status": _status(hoering, org_id, now),
        "kan_svare": user.has_perm("hoering.answer_hoering", hoering),
        "kan_styre": user.has_perm("hoering.manage_hoering", hoering),
        "eget_svar": None,
        "side": None,
        "publiserte": [],
        "nav": "programmes",
    }
    if context["kan_svare"]:
        context["eget_svar"] = services.current_svar(hoering=hoering, organisasjon_id=org_id)
        context["side"] = svar_side(hoering=hoering, organisasjon=user.organisasjon, svar=None)
    if hoering.publiser_svar and hoering.aapnet and now > hoering.frist:
        context["publiserte"] = publiserte_svar(hoering=hoering)
    return render(request, "hoering/detail.html", context)


# --- The invitation link ----------------------------------------------------------------------


def _invitation(token: str) -> Invitasjon | None:
    if not token or len(token) > 64:
        return None
    return (
        Invitasjon.objects.select_related("hoering", "hoering__program", "organisasjon")
        .filter(token=token, hoering__aapnet__isnull=False)
        .first()
    )


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    """The invited organisation's personal link: sign in, or create an account tied to the
    organisation; then to its answer. Unknown token: a page that says so (404). Logged in for
    another organisation: a page that says so (403)."""
    invitasjon = _invitation(token)
    if invitasjon is None:
        return render(request, "hoering/svar/invitation_invalid.html", status=404)
    user = request.user
    if user.is_authenticated:
        if user.organisasjon_id != invitasjon.organisasjon_id:
            return render(
                request,
                "hoering/svar/invitation_other_org.html",
                {"invitasjon": invitasjon},
                status=403,
            )
        services.invitation_open(invitasjon=invitasjon)
        return redirect("hoering:svar_start", pk=invitasjon.hoering_id)
    form = InvitationAccountForm(request.POST or None, initial={"email": invitasjon.epost})
    if request.method == "POST" and form.is_valid():
        try:
            bruker = services.invitation_account_create(
                invitasjon=invitasjon,
                email=form.cleaned_data["email"],
                fornavn=form.cleaned_data["first_name"],
                etternavn=form.cleaned_data["last_name"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            login(request, bruker, backend="partnerskap.auth.EmailBackend")
            services.invitation_open(invitasjon=invitasjon)
            messages.success(
                request,
                _("Your account for %(org)s is ready. You are logged in.")
                % {"org": invitasjon.organisasjon.navn},
            )
            return redirect("hoering:svar_start", pk=invitasjon.hoering_id)
    login_url = f"{reverse('login')}?next={request.path}"
    return render(
        request,
        "hoering/svar/invitation.html",
        {"invitasjon": invitasjon, "form": form, "login_url": login_url},
    )


# --- Draft ----------------------------------------------------------------------------------


@guarded
@require_http_methods(["GET", "POST"])
def svar_start(request, pk: int):
    """My organisation's answer: its draft (made on first visit), or its submitted answer."""
    hoering = _hoering_for(request, pk)
    require(request, "hoering.answer_hoering", hoering)
    try:
        svar = services.svar_start(actor=request.user, hoering=hoering)
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect(hoering.get_absolute_url())
    if svar.er_innsendt:
        return redirect("hoering:svar_detail", pk=svar.pk)
    return redirect("hoering:svar_edit", pk=svar.pk)


def _int(value) -> int | None:
    """A posted id or number, or None when it is not one (or out of any id's range)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if -(2**63) < number < 2**63 else None


def _count(post, name: str, limit: int = 200) -> int:
    n = _int(post.get(name)) or 0
    return max(0, min(n, limit))


def _parse_answer(post, side) -> dict[str, Any]:
    """The answer form as the service takes it, plus what the user typed (for re-rendering)
    and the errors of values that cannot even be read (a date that is not a date)."""
    errors: dict[str, list[str]] = {}
    fields = {
        "generelle_merknader": post.get("generelle_merknader", ""),
        "saksnummer": post.get("saksnummer", "").strip(),
        "vedtakstekst": post.get("vedtakstekst", ""),
    }
    raw_date = post.get("vedtaksdato", "").strip()
    fields["vedtaksdato"] = None
    if raw_date:
        try:
            fields["vedtaksdato"] = date.fromisoformat(raw_date)
        except ValueError:
            errors["vedtaksdato"] = [
                _("Date of decision: write the date as YYYY-MM-DD, e.g. 2018-10-02.")
            ]
    standpunkter: dict[int, tuple[str, str] | None] = {}
    for rad in side.alle_rader:
        tid = rad.tiltak.pk
        valg = post.get(f"sp-{tid}", "")
        tekst = post.get(f"sptekst-{tid}", "")
        standpunkter[tid] = (valg, tekst) if (valg or tekst.strip()) else None
    aktoerer, aktoer_rows = [], []
    for i in range(_count(post, "aktoer_antall")):
        p = f"aktoer-{i}-"
        row = {
            "tiltak": _int(post.get(p + "tiltak")),
            "organisasjon": _int(post.get(p + "organisasjon")),
            "navn": post.get(p + "navn", ""),
            "rolle": post.get(p + "rolle", ""),
            "begrunnelse": post.get(p + "begrunnelse", ""),
        }
        filled = any(v for k, v in row.items() if k != "rolle")
        removed = bool(post.get(p + "fjern"))
        aktoer_rows.append({"index": i, **row, "fjern": removed, "errors": []})
        if filled and not removed:
            aktoerer.append((i, row))
    forslag, forslag_rows = [], []
    for i in range(_count(post, "forslag_antall")):
        p = f"forslag-{i}-"
        row = {
            "tema": _int(post.get(p + "tema")),
            "delmaal": _int(post.get(p + "delmaal")),
            "satsingsomraade": _int(post.get(p + "satsingsomraade")),
            **{name: post.get(p + name, "") for name in FORSLAG_TEXT_FIELDS},
        }
        filled = any(row[name].strip() for name in FORSLAG_TEXT_FIELDS)
        removed = bool(post.get(p + "fjern"))
        forslag_rows.append({"index": i, **row, "fjern": removed, "errors": []})
        if filled and not removed:
            forslag.append((i, row))
    return {
        "fields": fields,
        "raw_date": raw_date,
        "standpunkter": standpunkter,
        "aktoerer": aktoerer,
        "aktoer_rows": aktoer_rows,
        "forslag": forslag,
        "forslag_rows": forslag_rows,
        "errors": errors,
    }


def _state_from_svar(svar: Hoeringssvar, side) -> dict[str, Any]:
    """The form's values as saved."""
    aktoer_rows = [
        {
            "index": i,
            "tiltak": a.tiltak_id,
            "organisasjon": a.organisasjon_id,
            "navn": a.navn,
            "rolle": a.rolle,
            "begrunnelse": a.begrunnelse,
            "fjern": False,
            "errors": [],
        }
        for i, a in enumerate(side.aktoerforslag)
    ]
    forslag_rows = [
        {
            "index": i,
            "tema": f.tema_id,
            "delmaal": f.delmaal_id,
            "satsingsomraade": f.satsingsomraade_id,
            **{name: getattr(f, name) for name in FORSLAG_TEXT_FIELDS},
            "fjern": False,
            "errors": [],
        }
        for i, f in enumerate(side.tiltaksforslag)
    ]
    return {
        "fields": {
            "generelle_merknader": svar.generelle_merknader,
            "saksnummer": svar.saksnummer,
            "vedtakstekst": svar.vedtakstekst,
        },
        "raw_date": svar.vedtaksdato.isoformat() if svar.vedtaksdato else "",
        "standpunkter": {
            r.tiltak.pk: (r.standpunkt.standpunkt, r.standpunkt.tekst)
            for r in side.alle_rader
            if r.standpunkt
        },
        "aktoer_rows": aktoer_rows,
        "forslag_rows": forslag_rows,
        "errors": {},
    }


def _blank_rows(state: dict[str, Any]) -> None:
    """One empty row at the end of each proposal list, for adding one more."""
    for key, blank in (
        (
            "aktoer_rows",
            {"tiltak": None, "organisasjon": None, "navn": "", "rolle": "", "begrunnelse": ""},
        ),
        (
            "forslag_rows",
            {
                "tema": None,
                "delmaal": None,
                "satsingsomraade": None,
                **dict.fromkeys(FORSLAG_TEXT_FIELDS, ""),
            },
        ),
    ):
        rows = state[key]
        last = rows[-1] if rows else None
        empty = last is not None and not any(
            v for k, v in last.items() if k in blank and k != "rolle"
        )
        if not empty:
            rows.append({"index": len(rows), **blank, "fjern": False, "errors": []})
        for i, row in enumerate(rows):
            row["ny"] = i == len(rows) - 1
            row["index_str"] = str(row["index"])
            row["number"] = i + 1


def _apply_errors(state: dict[str, Any], errors: dict[str, list[str]], parsed=None) -> None:
    """Put the service's errors on the rows they belong to (the service numbers the proposals
    it was given; the form numbers every row, removed ones included)."""
    aktoer_map = {si: fi for si, (fi, _row) in enumerate(parsed["aktoerer"])} if parsed else {}
    forslag_map = {si: fi for si, (fi, _row) in enumerate(parsed["forslag"])} if parsed else {}
    general: dict[str, list[str]] = {}
    for key, messages_ in errors.items():
        for prefix, mapping, rows_key in (
            ("aktoerforslag_", aktoer_map, "aktoer_rows"),
            ("tiltaksforslag_", forslag_map, "forslag_rows"),
        ):
            if key.startswith(prefix):
                si = int(key[len(prefix) :].split("_", 1)[0])
                fi = mapping.get(si, si)
                for row in state[rows_key]:
                    if row["index"] == fi:
                        row["errors"].extend(messages_)
                break
        else:
            general[key] = messages_
    state["errors"] = general


def _edit_context(request, svar: Hoeringssvar, side, state, **extra) -> dict[str, Any]:
    now = timezone.now()
    _blank_rows(state)
    valg = state["standpunkter"]
    for rad in side.alle_rader:
        v = valg.get(rad.tiltak.pk)
        rad.valg, rad.tekst = (v[0], v[1]) if v else ("", "")
        rad.feil = state["errors"].get(f"standpunkt_{rad.tiltak.pk}", [])
    for tema in side.temaer:
        tema.aapen = any(r.valg or r.feil for r in tema.rader)
    feilliste = []
    for key, msgs in state["errors"].items():
        anchor = key.replace("standpunkt_", "sp-") if key.startswith("standpunkt_") else key
        feilliste.extend((anchor, m) for m in msgs)
    for rows_key, prefix in (("aktoer_rows", "aktoer"), ("forslag_rows", "forslag")):
        for row in state[rows_key]:
            feilliste.extend((f"{prefix}-{row['index']}", m) for m in row["errors"])
    temaer = list(Tema.objects.filter(program_id=svar.hoering.program_id).order_by("nummer"))
    return {
        "svar": svar,
        "hoering": svar.hoering,
        "side": side,
        "state": state,
        "feilliste": feilliste,
        "status": _status(svar.hoering, svar.organisasjon_id, now),
        "valg": StandpunktValg.choices,
        "forslag_sporsmaal": FORSLAG_SPORSMAAL,
        "tekst_kreves": [StandpunktValg.KAN_IKKE, StandpunktValg.ENDRING],
        "roller": Rolle.choices,
        "organisasjoner": Organisasjon.objects.only("id", "navn").order_by("navn"),
        "temaer": temaer,
        "delmaal": Delmaal.objects.filter(tema__program_id=svar.hoering.program_id)
        .select_related("tema")
        .order_by("tema__nummer", "rekkefoelge", "id"),
        "satsingsomraader": Satsingsomraade.objects.filter(tema__program_id=svar.hoering.program_id)
        .select_related("tema")
        .order_by("tema__nummer", "rekkefoelge", "id"),
        "alle_tiltak": sorted(
            side.tiltak.values(), key=lambda t: (t.tema.nummer, t.nummer or 0, t.pk)
        ),
        "nav": "programmes",
        **extra,
    }


@guarded
@require_http_methods(["GET", "POST"])
def svar_edit(request, pk: int):
    svar = _svar_for(request, pk)
    if svar.er_innsendt:
        return redirect("hoering:svar_detail", pk=svar.pk)
    require(request, "hoering.edit_svar", svar)
    now = timezone.now()
    status = _status(svar.hoering, svar.organisasjon_id, now)
    if not status["aapen"] and request.method == "GET":
        messages.warning(
            request,
            _("The deadline has passed. The draft can be read but no longer saved or submitted."),
        )
        return redirect("hoering:svar_detail", pk=svar.pk)
    side = svar_side(hoering=svar.hoering, organisasjon=svar.organisasjon, svar=svar)
    if request.method == "GET":
        return render(
            request,
            "hoering/svar/edit.html",
            _edit_context(request, svar, side, _state_from_svar(svar, side)),
        )

    parsed = _parse_answer(request.POST, side)
    state = {
        "fields": {k: v for k, v in parsed["fields"].items() if k != "vedtaksdato"},
        "raw_date": parsed["raw_date"],
        "standpunkter": parsed["standpunkter"],
        "aktoer_rows": parsed["aktoer_rows"],
        "forslag_rows": parsed["forslag_rows"],
        "errors": {},
    }
    versjon = _int(request.POST.get("versjon"))
    if parsed["errors"]:
        state["errors"] = parsed["errors"]
        return render(
            request, "hoering/svar/edit.html", _edit_context(request, svar, side, state), status=400
        )
    try:
        saved = services.svar_save(
            actor=request.user,
            svar=svar,
            versjon=versjon if versjon is not None else -1,
            fields=parsed["fields"],
            standpunkter=parsed["standpunkter"],
            aktoerforslag=[row for _i, row in parsed["aktoerer"]],
            tiltaksforslag=[row for _i, row in parsed["forslag"]],
            vedlegg=request.FILES.get("vedtak_vedlegg"),
            fjern_vedlegg=bool(request.POST.get("fjern_vedlegg")),
        )
    except SvarConflict as exc:
        svar = exc.current
        return render(
            request,
            "hoering/svar/edit.html",
            _edit_context(request, svar, side, state, conflict=exc),
            status=409,
        )
    except ValidationError as exc:
        _apply_errors(state, exc.message_dict, parsed)
        return render(
            request, "hoering/svar/edit.html", _edit_context(request, svar, side, state), status=400
        )
    except ServiceError as exc:
        state["errors"] = {"__all__": [str(exc)]}
        return render(
            request, "hoering/svar/edit.html", _edit_context(request, svar, side, state), status=400
        )
    if request.POST.get("action") == "review":
        return redirect("hoering:svar_submit", pk=saved.pk)
    messages.success(
        request,
        _("The draft is saved (%(time)s). Everyone in %(org)s can go on with it.")
        % {"time": submitted_at_display(saved.endret), "org": saved.organisasjon.navn},
    )
    return redirect(reverse("hoering:svar_edit", kwargs={"pk": saved.pk}) + "#lagre")


# --- Reading, submitting, the receipt -------------------------------------------------------


def _detail_context(request, svar: Hoeringssvar) -> dict[str, Any]:
    full = svar_med_innhold(svar.pk)
    user = request.user
    er_medlem = bool(user.is_authenticated and user.organisasjon_id == svar.organisasjon_id)
    now = timezone.now()
    return {
        "svar": full,
        "hoering": full.hoering,
        "er_medlem": er_medlem,
        "versjoner": svar_versjoner(hoering=full.hoering, organisasjon_id=full.organisasjon_id)
        if er_medlem or user.has_perm("hoering.manage_hoering", full.hoering)
        else [],
        "status": _status(full.hoering, full.organisasjon_id, now),
        "innsendt_visning": submitted_at_display(full.innsendt) if full.innsendt else "",
        "forslag_sporsmaal": FORSLAG_SPORSMAAL,
        "nav": "programmes",
    }


@guarded
@require_http_methods(["GET"])
def svar_detail(request, pk: int):
    svar = _svar_for(request, pk)
    context = _detail_context(request, svar)
    context["kan_endre"] = request.user.has_perm("hoering.edit_svar", svar)
    newest = context["versjoner"][0] if context["versjoner"] else None
    context["kan_ny_versjon"] = (
        context["er_medlem"]
        and svar.er_innsendt
        and newest is not None
        and newest.pk == svar.pk
        and context["status"]["aapen"]
    )
    return render(request, "hoering/svar/detail.html", context)


@guarded
@require_http_methods(["GET", "POST"])
def svar_submit(request, pk: int):
    svar = _svar_for(request, pk)
    if not svar.er_innsendt:
        require(request, "hoering.edit_svar", svar)
    elif getattr(request.user, "organisasjon_id", None) != svar.organisasjon_id:
        require(request, "hoering.edit_svar", svar)  # 403, or the login page
    else:
        # Submitted already (a double click, a retried request, the back button): the receipt.
        return redirect("hoering:svar_receipt", pk=svar.pk)
    form = SignatarForm(
        request.POST or None,
        initial={"versjon": svar.versjon, "signatar": svar.signatar},
    )
    if request.method == "POST" and form.is_valid():
        try:
            submitted = services.svar_submit(
                actor=request.user,
                svar=svar,
                signatar=form.cleaned_data["signatar"],
                versjon=form.cleaned_data["versjon"],
            )
        except SvarConflict as exc:
            form = SignatarForm(
                initial={"versjon": exc.current.versjon, "signatar": form.cleaned_data["signatar"]}
            )
            context = _detail_context(request, exc.current)
            context.update(form=form, conflict=exc)
            return render(request, "hoering/svar/submit.html", context, status=409)
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            if submitted.innsendt_av_id == request.user.pk and submitted.pk == svar.pk:
                messages.success(request, _("The answer is submitted. Here is your receipt."))
            return redirect("hoering:svar_receipt", pk=submitted.pk)
    context = _detail_context(request, svar)
    context["form"] = form
    return render(
        request,
        "hoering/svar/submit.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


@guarded
@require_http_methods(["GET"])
def svar_receipt(request, pk: int):
    svar = _svar_for(request, pk)
    if not svar.er_innsendt:
        raise Http404(_("This answer has not been submitted."))
    if request.GET.get("format") == "pdf":
        full = svar_med_innhold(svar.pk)
        response = HttpResponse(receipt_pdf(full), content_type="application/pdf")
        name = f"kvittering-hoeringssvar-{svar.pk}-v{svar.versjon_nr}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return render(request, "hoering/svar/receipt.html", _detail_context(request, svar))


@guarded
@require_POST
def svar_new_version(request, pk: int):
    svar = _svar_for(request, pk)
    if getattr(request.user, "organisasjon_id", None) != svar.organisasjon_id:
        require(request, "hoering.edit_svar", svar)  # 403, or the login page
    try:
        ny = services.svar_new_version(actor=request.user, svar=svar)
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("hoering:svar_detail", pk=svar.pk)
    messages.success(
        request,
        _(
            "Version %(n)s is a draft with the content of the submitted answer. The submitted "
            "answer stays as it was until you submit the new version."
        )
        % {"n": ny.versjon_nr},
    )
    return redirect("hoering:svar_edit", pk=ny.pk)


@guarded
@require_http_methods(["GET"])
def svar_vedlegg(request, pk: int):
    svar = _svar_for(request, pk)
    if not svar.vedtak_vedlegg:
        raise Http404(_("No file attached."))
    try:
        fh = svar.vedtak_vedlegg.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("The file is missing.")) from exc
    return FileResponse(
        fh,
        as_attachment=True,
        filename=svar.vedtak_vedlegg_navn or "vedtak.pdf",
        content_type="application/pdf",
    )
