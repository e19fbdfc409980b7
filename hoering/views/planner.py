"""The planner's hearing pages: the round (create, edit, open), the høringsliste, extensions,
the overview, every input with its assessment and conversion, and the høringsoppsummering
(page, PDF, xlsx). Guarded the one way (partnerskap.access): a hearing the user may not see is
a 404; one the user may see but not manage is a login redirect or a 403. Every write goes
through hoering.services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from partnerskap.access import guarded, require, visible_or_404
from partnerskap.errors import ServiceError
from tiltak.forms import add_service_errors
from tiltak.selectors.programmes import visible_programmes
from tiltak.services.concurrency import ConcurrencyConflict
from tiltak.views.lookups import programme_for

from ..models import Fristutsettelse, Hoering, Invitasjon, StandpunktValg
from ..selectors.oppsummering import hearing_summary
from ..selectors.oversikt import hearing_overview
from ..services import runde, vurdering
from ..services.runde import HoeringConflict
from ..services.vurdering import KINDS, conversion_blocked, kind_of
from . import planner_forms as f

MANAGE = "hoering.manage_hoering"


# --- Lookups --------------------------------------------------------------------------------


def visible_hearings(user):
    """The hearings on programmes `user` may see. Whether the user may see the round itself
    (a round not opened yet is the planners' own) is the rule hoering.view_hoering, asked by
    the callers."""
    return Hoering.objects.filter(program__in=visible_programmes(user)).select_related(
        "program__eier"
    )


def hoering_for(request, pk: int, perm: str = MANAGE) -> Hoering:
    hoering = visible_or_404(visible_hearings(request.user), _("No such hearing."), pk=pk)
    if not request.user.has_perm("hoering.view_hoering", hoering):
        raise Http404(_("No such hearing."))
    require(request, perm, hoering)
    return hoering


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


def _status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


# --- The round ------------------------------------------------------------------------------


@guarded
@require_http_methods(["GET"])
def hoering_list(request):
    """Every hearing the user may see; `?program=<id>` one programme's."""
    hearings = [
        h
        for h in visible_hearings(request.user).order_by("-frist", "id")
        if h.aapnet is not None or request.user.has_perm(MANAGE, h)
    ]
    programme = None
    program_id = request.GET.get("program", "")
    if program_id:
        programme = programme_for(request, int(program_id)) if program_id.isdigit() else None
        if programme is None:
            raise Http404(_("No such programme."))
        hearings = [h for h in hearings if h.program_id == programme.pk]
    return render(
        request,
        "hoering/planner/hoering_list.html",
        {
            "hearings": hearings,
            "programme": programme,
            "can_create": programme is not None
            and request.user.has_perm(MANAGE, Hoering(program=programme)),
            "nav": "programmes",
        },
    )


@guarded
@require_http_methods(["GET", "POST"])
def hoering_create(request, program_pk: int):
    programme = programme_for(request, program_pk)
    require(request, MANAGE, Hoering(program=programme))
    form = f.HoeringForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            hoering = runde.hoering_create(
                actor=request.user, programme=programme, **form.service_fields()
            )
        except ValidationError as exc:
            add_service_errors(form, _dates_on_fields(exc))
        else:
            messages.success(
                request, _("The hearing was created. Add the organisations to invite.")
            )
            return redirect("hoering:hoeringsliste", pk=hoering.pk)
    return render(
        request,
        "hoering/planner/hoering_form.html",
        {"form": form, "programme": programme, "hoering": None, "nav": "programmes"},
        status=_status(form),
    )


def _dates_on_fields(exc: ValidationError) -> ValidationError:
    """The services name `aapner`/`frist`; the form has a date and a time for each."""
    if not hasattr(exc, "error_dict"):
        return exc
    mapped = {}
    for name, msgs in exc.message_dict.items():
        mapped[{"aapner": "aapner_dato", "frist": "frist_dato"}.get(name, name)] = msgs
    return ValidationError(mapped)


@guarded
@require_http_methods(["GET", "POST"])
def hoering_edit(request, pk: int):
    hoering = hoering_for(request, pk)
    form = f.HoeringForm(request.POST or None, hoering=hoering)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            fields = form.service_fields()
            if hoering.aapnet is not None:
                fields.pop("aapner")
            try:
                runde.hoering_update(
                    actor=request.user,
                    hoering=hoering,
                    expected_versjon=form.cleaned_data["versjon"] or 0,
                    **fields,
                )
            except HoeringConflict as exc:
                form.add_error(None, str(exc))
                status = 409
            except ValidationError as exc:
                add_service_errors(form, _dates_on_fields(exc))
            except ServiceError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The hearing was saved."))
                return redirect("hoering:oversikt", pk=hoering.pk)
    return render(
        request,
        "hoering/planner/hoering_form.html",
        {"form": form, "programme": hoering.program, "hoering": hoering, "nav": "programmes"},
        status=status,
    )


@guarded
@require_http_methods(["GET", "POST"])
def hoering_open(request, pk: int):
    """A confirmation step that says what opening does (invitations go out, the programme
    goes on hearing and its structure is frozen until the deadline), then the service."""
    hoering = hoering_for(request, pk)
    error = ""
    status = 200
    if request.method == "POST":
        try:
            runde.hoering_open(actor=request.user, hoering=hoering, base_url=_base_url(request))
        except ServiceError as exc:
            error, status = str(exc), 400
        else:
            messages.success(
                request,
                _("The hearing is open. %(n)d invitations were sent.")
                % {"n": hoering.invitasjoner.count()},
            )
            return redirect("hoering:oversikt", pk=hoering.pk)
    return render(
        request,
        "hoering/planner/hoering_open.html",
        {
            "hoering": hoering,
            "programme": hoering.program,
            "invitations": hoering.invitasjoner.count(),
            "error": error,
            "nav": "programmes",
        },
        status=status,
    )


# --- The høringsliste -----------------------------------------------------------------------


def _invitation_for(request, pk: int) -> Invitasjon:
    inv = visible_or_404(
        Invitasjon.objects.select_related("hoering__program__eier", "organisasjon").filter(
            hoering__program__in=visible_programmes(request.user)
        ),
        _("No such invitation."),
        pk=pk,
    )
    if not request.user.has_perm("hoering.view_hoering", inv.hoering):
        raise Http404(_("No such invitation."))
    require(request, MANAGE, inv.hoering)
    return inv


@guarded
@require_http_methods(["GET", "POST"])
def hoeringsliste(request, pk: int):
    """The invitees with their contact email and language, and the forms that add one (the
    organisation picker) or many (a type, a group's members)."""
    hoering = hoering_for(request, pk)
    form = f.InvitasjonAddForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                inv = runde.invitasjon_add(
                    actor=request.user,
                    hoering=hoering,
                    base_url=_base_url(request),
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except ServiceError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("%(org)s was added to the hearing list.") % {"org": inv.organisasjon.navn},
                )
                return redirect("hoering:hoeringsliste", pk=hoering.pk)
    return _liste_page(request, hoering, form=form, status=status)


def _liste_page(request, hoering, *, form=None, bulk_form=None, status=200):
    invitations = list(
        hoering.invitasjoner.select_related("organisasjon").order_by("organisasjon__navn")
    )
    rows = [
        (
            inv,
            f.InvitasjonUpdateForm(
                initial={"epost": inv.epost, "spraak": inv.spraak}, auto_id=f"id_inv{inv.pk}_%s"
            ),
        )
        for inv in invitations
    ]
    return render(
        request,
        "hoering/planner/hoeringsliste.html",
        {
            "hoering": hoering,
            "programme": hoering.program,
            "rows": rows,
            "form": form or f.InvitasjonAddForm(),
            "bulk_form": bulk_form or f.BulkAddForm(),
            "nav": "programmes",
        },
        status=status,
    )


@guarded
@require_POST
def hoeringsliste_bulk(request, pk: int):
    hoering = hoering_for(request, pk)
    form = f.BulkAddForm(request.POST)
    if not form.is_valid():
        return _liste_page(request, hoering, bulk_form=form, status=400)
    result = runde.invitasjoner_add_many(
        actor=request.user,
        hoering=hoering,
        organisasjoner=form.organisations(),
        spraak=form.cleaned_data["spraak"],
        base_url=_base_url(request),
    )
    messages.success(
        request, _("%(n)d organisations were added to the hearing list.") % {"n": len(result.added)}
    )
    if result.already:
        messages.info(
            request,
            _("Already on the list: %(names)s.")
            % {"names": ", ".join(o.navn for o in result.already)},
        )
    if result.no_email:
        messages.warning(
            request,
            _("Not added, no contact email known: %(names)s. Add them one by one with an email.")
            % {"names": ", ".join(o.navn for o in result.no_email)},
        )
    return redirect("hoering:hoeringsliste", pk=hoering.pk)


@guarded
@require_POST
def invitasjon_update(request, pk: int):
    inv = _invitation_for(request, pk)
    form = f.InvitasjonUpdateForm(request.POST, auto_id=f"id_inv{inv.pk}_%s")
    if form.is_valid():
        try:
            runde.invitasjon_update(actor=request.user, invitasjon=inv, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("%(org)s was saved.") % {"org": inv.organisasjon.navn})
    else:
        messages.error(
            request,
            _("%(org)s was not saved: %(errors)s")
            % {
                "org": inv.organisasjon.navn,
                "errors": " ".join(e for errs in form.errors.values() for e in errs),
            },
        )
    return redirect(
        reverse("hoering:hoeringsliste", kwargs={"pk": inv.hoering_id}) + f"#inv-{inv.pk}"
    )


@guarded
@require_POST
def invitasjon_remove(request, pk: int):
    if not Invitasjon.objects.filter(pk=pk).exists():
        raise Http404(_("No such invitation."))
    inv = _invitation_for(request, pk)
    try:
        runde.invitasjon_remove(actor=request.user, invitasjon=inv)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("%(org)s was removed from the hearing list.") % {"org": inv.organisasjon.navn},
        )
    return redirect("hoering:hoeringsliste", pk=inv.hoering_id)


@guarded
@require_POST
def invitasjon_resend(request, pk: int):
    inv = _invitation_for(request, pk)
    try:
        runde.invitasjon_resend(actor=request.user, invitasjon=inv, base_url=_base_url(request))
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("The invitation was sent again to %(email)s.") % {"email": inv.epost},
        )
    return redirect(
        reverse("hoering:hoeringsliste", kwargs={"pk": inv.hoering_id}) + f"#inv-{inv.pk}"
    )


# --- Extensions -----------------------------------------------------------------------------


@guarded
@require_http_methods(["GET", "POST"])
def utsettelse(request, pk: int):
    hoering = hoering_for(request, pk)
    form = f.UtsettelseForm(request.POST or None, hoering=hoering)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                u = runde.fristutsettelse_give(
                    actor=request.user,
                    hoering=hoering,
                    organisasjon=form.cleaned_data["organisasjon"],
                    ny_frist=form.ny_frist,
                    grunn=form.cleaned_data["grunn"],
                )
            except ValidationError as exc:
                exc = ValidationError(
                    {
                        {"ny_frist": "ny_frist_dato"}.get(k, k): v
                        for k, v in getattr(exc, "message_dict", {"__all__": exc.messages}).items()
                    }
                )
                add_service_errors(form, exc)
            except ServiceError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("%(org)s has a new deadline.") % {"org": u.organisasjon.navn},
                )
                return redirect("hoering:utsettelse", pk=hoering.pk)
    utsettelser = list(
        Fristutsettelse.objects.filter(hoering=hoering)
        .select_related("organisasjon", "gitt_av")
        .order_by("organisasjon__navn")
    )
    history = list(
        Fristutsettelse.history.filter(hoering_id=hoering.pk)
        .select_related("history_user")
        .order_by("-history_date")
    )
    orgs = {o.pk: o for o in form.fields["organisasjon"].queryset}
    for h in history:
        h.org = orgs.get(h.organisasjon_id)
    return render(
        request,
        "hoering/planner/utsettelse.html",
        {
            "hoering": hoering,
            "programme": hoering.program,
            "form": form,
            "utsettelser": utsettelser,
            "history": history,
            "nav": "programmes",
        },
        status=status,
    )


# --- Overview and inputs --------------------------------------------------------------------


@guarded
@require_http_methods(["GET"])
def oversikt(request, pk: int):
    hoering = hoering_for(request, pk)
    overview = hearing_overview(hoering)
    return render(
        request,
        "hoering/planner/oversikt.html",
        {
            "hoering": hoering,
            "programme": hoering.program,
            "o": overview,
            "blocked": conversion_blocked(hoering.program),
            "nav": "programmes",
        },
    )


@guarded
@require_http_methods(["GET"])
def innspill(request, pk: int):
    """Every input, by kind, with its assessment; each links to its own page."""
    hoering = hoering_for(request, pk)
    summary = hearing_summary(hoering)
    inputs = summary.inputs
    groups = [
        ("kan-ikke", _("Cannot take on the responsibility"), inputs.objections),
        ("endring", _("Change proposals"), inputs.changes),
        ("aktoerer", _("Proposed actors"), inputs.of_kind("aktoerforslag")),
        ("nye-tiltak", _("Proposed new measures"), inputs.of_kind("tiltaksforslag")),
        ("merknader", _("General remarks"), inputs.of_kind("merknader")),
        (
            "andre",
            _("Other positions with a text"),
            [
                i
                for i in inputs.of_kind("standpunkt")
                if i.obj.standpunkt not in (StandpunktValg.KAN_IKKE, StandpunktValg.ENDRING)
            ],
        ),
    ]
    return render(
        request,
        "hoering/planner/innspill_list.html",
        {
            "hoering": hoering,
            "programme": hoering.program,
            "groups": groups,
            "counts": summary.counts,
            "nav": "programmes",
        },
    )


def _innspill_for(request, hoering: Hoering, kind: str, ipk: int):
    model = KINDS.get(kind)
    if model is None:
        raise Http404(_("No such input."))
    qs = model.objects.all()
    if kind == "merknader":
        qs = qs.filter(hoering=hoering).select_related("organisasjon", "resultat_tiltak__tema")
    else:
        qs = qs.filter(svar__hoering=hoering).select_related(
            "svar__organisasjon", "resultat_tiltak__tema", "vurdert_av"
        )
        if kind in ("standpunkt", "aktoerforslag"):
            qs = qs.select_related("tiltak__tema")
    obj = visible_or_404(
        qs.filter(
            **({"status": "innsendt"} if kind == "merknader" else {"svar__status": "innsendt"})
        ),
        _("No such input."),
        pk=ipk,
    )
    return obj


@guarded
@require_http_methods(["GET", "POST"])
def innspill_detail(request, pk: int, kind: str, ipk: int):
    """One input: what the organisation wrote, the planner's assessment (form), and the step
    that turns it into a measure, a party or a change — or why that cannot happen yet."""
    hoering = hoering_for(request, pk)
    obj = _innspill_for(request, hoering, kind, ipk)
    form = f.VurderingForm(
        request.POST or None,
        initial={"vurdering": obj.vurdering, "vurdering_begrunnelse": obj.vurdering_begrunnelse},
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                vurdering.innspill_assess(
                    actor=request.user,
                    innspill=obj,
                    vurdering=form.cleaned_data["vurdering"],
                    begrunnelse=form.cleaned_data["vurdering_begrunnelse"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except ServiceError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The assessment was saved."))
                return redirect("hoering:innspill_detail", pk=pk, kind=kind, ipk=ipk)
    return _innspill_page(request, hoering, kind, obj, form=form, status=status)


def _innspill_page(request, hoering, kind, obj, *, form=None, convert_form=None, status=200):
    svar = obj if kind == "merknader" else obj.svar
    ctx = {
        "hoering": hoering,
        "programme": hoering.program,
        "kind": kind,
        "obj": obj,
        "svar": svar,
        "form": form
        or f.VurderingForm(
            initial={"vurdering": obj.vurdering, "vurdering_begrunnelse": obj.vurdering_begrunnelse}
        ),
        "blocked": conversion_blocked(hoering.program),
        "nav": "programmes",
    }
    if kind == "tiltaksforslag":
        ctx["convert_form"] = convert_form or f.TiltakFromProposalForm(
            initial={"tittel": obj.tittel}
        )
    elif kind == "aktoerforslag":
        ctx["convert_form"] = convert_form or f.AnsvarFromProposalForm(
            initial={"organisasjon": obj.organisasjon_id, "rolle": obj.rolle}
        )
    elif kind == "standpunkt" and obj.standpunkt == StandpunktValg.ENDRING:
        ctx["convert_form"] = convert_form or f.EndringForm(
            initial={"field": "beskrivelse", "text": obj.tekst, "versjon": obj.tiltak.versjon}
        )
    return render(request, "hoering/planner/innspill_detail.html", ctx, status=status)


@guarded
@require_POST
def innspill_convert(request, pk: int, kind: str, ipk: int):
    """The one step from an input to the programme (through tiltak.services)."""
    hoering = hoering_for(request, pk)
    obj = _innspill_for(request, hoering, kind, ipk)
    if kind == "tiltaksforslag":
        form = f.TiltakFromProposalForm(request.POST)
    elif kind == "aktoerforslag":
        form = f.AnsvarFromProposalForm(request.POST)
    elif kind == "standpunkt" and obj.standpunkt == StandpunktValg.ENDRING:
        form = f.EndringForm(request.POST)
    else:
        raise Http404(_("This input cannot be turned into a change of the programme."))
    status = 400
    if form.is_valid():
        d = form.cleaned_data
        try:
            if kind == "tiltaksforslag":
                t = vurdering.tiltaksforslag_to_tiltak(
                    actor=request.user, forslag=obj, tittel=d["tittel"]
                )
                message = _("The measure %(nr)s “%(t)s” was created from the proposal.") % {
                    "nr": t.nummer_visning,
                    "t": t.tittel,
                }
            elif kind == "aktoerforslag":
                a = vurdering.aktoerforslag_to_ansvar(
                    actor=request.user,
                    forslag=obj,
                    organisasjon=d["organisasjon"],
                    rolle=d["rolle"],
                )
                t = a.tiltak
                message = _("%(org)s was added to the measure as %(rolle)s.") % {
                    "org": a.organisasjon.navn,
                    "rolle": a.get_rolle_display().lower(),
                }
            else:
                t = vurdering.endring_apply(
                    actor=request.user,
                    standpunkt=obj,
                    field=d["field"],
                    text=d["text"],
                    expected_versjon=d["versjon"],
                )
                message = _("The measure was changed.")
        except ConcurrencyConflict as exc:
            form.add_error(None, str(exc))
            status = 409
        except ValidationError as exc:
            add_service_errors(form, exc)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, message)
            return redirect(t.get_absolute_url())
    return _innspill_page(request, hoering, kind, obj, convert_form=form, status=status)


# --- Høringsoppsummering --------------------------------------------------------------------


@guarded
@require_http_methods(["GET"])
def oppsummering(request, pk: int):
    """The høringsoppsummering as a page, `?format=pdf` (A4, for the committee's case paper)
    or `?format=xlsx` (one sheet per grouping)."""
    hoering = hoering_for(request, pk)
    summary = hearing_summary(hoering)
    fmt = request.GET.get("format", "")
    if fmt in ("pdf", "xlsx"):
        from .. import oppsummering_export as export

        name = f"hoeringsoppsummering-{hoering.pk}"
        if fmt == "pdf":
            pdf = export.summary_pdf_or_queue(summary)
            if pdf is None:
                # Being rendered by the task worker: a page that says so and reloads itself.
                return render(
                    request,
                    "hoering/oppsummering/pdf_pending.html",
                    {"hoering": hoering, "programme": hoering.program, "nav": "programmes"},
                    status=202,
                )
            response = HttpResponse(pdf, content_type="application/pdf")
        else:
            response = HttpResponse(export.summary_xlsx(summary), content_type=export.XLSX)
        response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
        return response
    if fmt:
        raise Http404(_("Unknown format."))
    return render(
        request,
        "hoering/oppsummering/oppsummering.html",
        {"hoering": hoering, "programme": hoering.program, "s": summary, "nav": "programmes"},
    )


def innspill_url(item) -> str:
    return reverse(
        "hoering:innspill_detail",
        kwargs={"pk": item.svar.hoering_id, "kind": kind_of(item.obj), "ipk": item.obj.pk},
    )
