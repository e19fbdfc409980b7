"""Workshop pages: the list, a new workshop, one workshop with its questions and inputs, adding
and editing an input, the live view for the room, the planner's themes and proposals, the
summary (page, PDF, .xlsx) and the CSV of every input.

Guarded like every page (partnerskap/access.py): a workshop the user may not see is a 404 for
everyone; one the user sees but may not change is a login redirect (anonymous) or a 403."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hoering import exports_verksted
from hoering.models import Innspill, Spoersmaal, Verksted
from hoering.models.verksted import GROUP_MAX_LENGTH, INPUT_MAX_LENGTH, LABEL_MAX_LENGTH
from hoering.selectors import verksted as selectors
from hoering.services import verksted as services
from partnerskap.access import guarded, login_guarded, require, visible_or_404
from partnerskap.errors import ServiceError
from partnerskap.forms import DesignsystemetMixin
from partnerskap.models import Bruker, Organisasjon
from partnerskap.validators import no_control_characters
from tiltak.forms import add_service_errors
from tiltak.models import TITLE_MAX_LENGTH, Handlingsprogram, RegionalPlan, Tema
from tiltak.views.excel import attachment_header

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# --- Forms ------------------------------------------------------------------------------------


class VerkstedForm(DesignsystemetMixin, forms.Form):
    tittel = forms.CharField(
        label=gettext_lazy("Title"), max_length=TITLE_MAX_LENGTH, validators=[no_control_characters]
    )
    program = forms.ModelChoiceField(
        label=gettext_lazy("Programme"), queryset=Handlingsprogram.objects.none(), required=False
    )
    regional_plan = forms.ModelChoiceField(
        label=gettext_lazy("Regional plan"), queryset=RegionalPlan.objects.all(), required=False
    )
    dager = forms.CharField(
        label=gettext_lazy("Dates"),
        help_text=gettext_lazy(
            "One date per line or separated by commas, like 2021-12-01, 2021-12-02."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    sted = forms.CharField(
        label=gettext_lazy("Place"),
        max_length=255,
        required=False,
        validators=[no_control_characters],
    )
    digitalt = forms.BooleanField(label=gettext_lazy("Digital"), required=False)
    offentlig = forms.BooleanField(
        label=gettext_lazy("Public: everyone may read the questions, inputs and summary"),
        required=False,
    )
    beskrivelse = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[no_control_characters],
    )
    fasilitatorer = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Facilitators"), queryset=Bruker.objects.none(), required=False
    )
    inviterte = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Invited organisations"),
        queryset=Organisasjon.objects.order_by("navn"),
        required=False,
    )
    standardspoersmaal = forms.BooleanField(
        label=gettext_lazy("Start with the six questions for defining a measure"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from tiltak.selectors.programmes import visible_programmes

        self.fields["program"].queryset = visible_programmes(user).order_by("navn", "start_aar")
        users = Bruker.objects.filter(is_active=True)
        if user.organisasjon_id and not user.is_superuser:
            users = users.filter(organisasjon_id=user.organisasjon_id)
        self.fields["fasilitatorer"].queryset = users.order_by("email")
        self.fields["digitalt"].widget.attrs["class"] = "ds-input"

    def clean_dager(self) -> list[datetime.date]:
        raw = self.cleaned_data["dager"].replace(",", "\n").split()
        dates = []
        for part in raw:
            try:
                dates.append(datetime.date.fromisoformat(part.strip()))
            except ValueError as exc:
                raise ValidationError(
                    _("Dates: «%(value)s» is not a date like 2021-12-01.") % {"value": part}
                ) from exc
        return dates


class InnspillForm(DesignsystemetMixin, forms.Form):
    tekst = forms.CharField(
        label=gettext_lazy("Your input"),
        max_length=INPUT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[no_control_characters],
    )
    gruppe = forms.CharField(
        label=gettext_lazy("Group or table"),
        max_length=GROUP_MAX_LENGTH,
        required=False,
        validators=[no_control_characters],
    )
    organisasjon = forms.ModelChoiceField(
        label=gettext_lazy("Organisation (optional)"),
        queryset=Organisasjon.objects.none(),
        required=False,
    )
    versjon = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, verksted: Verksted, user, prefix_id: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if prefix_id:
            self.auto_id = f"id_{prefix_id}_%s"
        if user.has_perm("hoering.facilitate_verksted", verksted):
            ids = {o.pk for o in verksted.inviterte.all()} | {verksted.eier_id}
            qs = Organisasjon.objects.filter(pk__in=ids)
        else:
            qs = Organisasjon.objects.filter(pk=user.organisasjon_id)
        self.fields["organisasjon"].queryset = qs.order_by("navn")


class SpoersmaalForm(DesignsystemetMixin, forms.Form):
    tekst = forms.CharField(
        label=gettext_lazy("Question"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[no_control_characters],
    )


# --- Lookups ----------------------------------------------------------------------------------


def _verksted_for(request, pk: int, perm: str = "hoering.view_verksted") -> Verksted:
    verksted = visible_or_404(
        selectors.verksted_for_rules(selectors.visible_verksteder(request.user)), pk=pk
    )
    require(request, perm, verksted)
    return verksted


def _spoersmaal_for(request, pk: int) -> Spoersmaal:
    spoersmaal = visible_or_404(
        Spoersmaal.objects.filter(verksted__in=selectors.visible_verksteder(request.user)), pk=pk
    )
    spoersmaal.verksted = _verksted_for(request, spoersmaal.verksted_id)
    return spoersmaal


def _page(request, template: str, **context):
    return render(request, f"hoering/verksted/{template}", {"nav": "verksted", **context})


# --- List, create, detail ---------------------------------------------------------------------


@require_GET
def verksted_list(request):
    verksteder = selectors.verksted_list(verksteder=selectors.visible_verksteder(request.user))
    return _page(request, "verksted_list.html", verksteder=verksteder)


@login_guarded
@require_http_methods(["GET", "POST"])
def verksted_create(request):
    require(request, "hoering.create_verksted")
    form = VerkstedForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            verksted = services.verksted_create(
                actor=request.user,
                tittel=data["tittel"],
                program=data["program"],
                regional_plan=data["regional_plan"],
                dager=data["dager"],
                sted=data["sted"],
                digitalt=data["digitalt"],
                offentlig=data["offentlig"],
                beskrivelse=data["beskrivelse"],
                fasilitatorer=data["fasilitatorer"],
                inviterte=data["inviterte"],
                spoersmaal=None if data["standardspoersmaal"] else [],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The workshop was created."))
            return redirect(verksted.get_absolute_url())
    return _page(request, "verksted_form.html", form=form)


@guarded
@require_GET
def verksted_detail(request, pk: int):
    verksted = _verksted_for(request, pk)
    questions = selectors.verksted_questions(verksted=verksted)
    rows = []
    for q in questions:
        can_add = request.user.has_perm("hoering.add_innspill_verksted", q)
        form = (
            InnspillForm(verksted=verksted, user=request.user, prefix_id=f"q{q.pk}")
            if can_add
            else None
        )
        rows.append({"spoersmaal": q, "form": form})
    return _page(
        request,
        "verksted_detail.html",
        verksted=verksted,
        rows=rows,
        spoersmaal_form=SpoersmaalForm(),
    )


@guarded
@require_POST
def verksted_spoersmaal_add(request, pk: int):
    verksted = _verksted_for(request, pk, "hoering.manage_verksted")
    form = SpoersmaalForm(request.POST)
    if form.is_valid():
        try:
            services.spoersmaal_add(
                actor=request.user, verksted=verksted, tekst=form.cleaned_data["tekst"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The question was added."))
    else:
        messages.error(request, " ".join(str(e) for e in form.errors.get("tekst", [])))
    return redirect(verksted.get_absolute_url())


@guarded
@require_POST
def verksted_spoersmaal_toggle(request, pk: int):
    spoersmaal = _spoersmaal_for(request, pk)
    require(request, "hoering.facilitate_verksted", spoersmaal.verksted)
    aapent = request.POST.get("aapent") == "1"
    services.spoersmaal_set_open(actor=request.user, spoersmaal=spoersmaal, aapent=aapent)
    messages.success(
        request, _("The question is open for inputs.") if aapent else _("The question is closed.")
    )
    return redirect(f"{spoersmaal.verksted.get_absolute_url()}#spoersmaal-{spoersmaal.pk}")


# --- Inputs -----------------------------------------------------------------------------------


@guarded
@require_http_methods(["GET", "POST"])
def verksted_innspill_create(request, pk: int):
    spoersmaal = _spoersmaal_for(request, pk)
    verksted = spoersmaal.verksted
    require(request, "hoering.add_innspill_verksted", spoersmaal)
    form = InnspillForm(request.POST or None, verksted=verksted, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            innspill = services.innspill_create(
                actor=request.user,
                spoersmaal=spoersmaal,
                tekst=data["tekst"],
                gruppe=data["gruppe"],
                organisasjon=data["organisasjon"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Your input was added."))
            return redirect(f"{verksted.get_absolute_url()}#innspill-{innspill.pk}")
    return _page(request, "innspill_form.html", form=form, spoersmaal=spoersmaal, verksted=verksted)


@guarded
@require_http_methods(["GET", "POST"])
def verksted_innspill_update(request, pk: int):
    innspill = visible_or_404(
        Innspill.objects.filter(
            spoersmaal__verksted__in=selectors.visible_verksteder(request.user)
        ).select_related("spoersmaal", "organisasjon"),
        pk=pk,
    )
    verksted = _verksted_for(request, innspill.spoersmaal.verksted_id)
    innspill.spoersmaal.verksted = verksted
    require(request, "hoering.edit_innspill_verksted", innspill)
    initial = {
        "tekst": innspill.tekst,
        "gruppe": innspill.gruppe,
        "organisasjon": innspill.organisasjon,
        "versjon": innspill.versjon,
    }
    form = InnspillForm(request.POST or None, initial=initial, verksted=verksted, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.innspill_update(
                actor=request.user,
                innspill=innspill,
                expected_versjon=data["versjon"] or 0,
                tekst=data["tekst"],
                gruppe=data["gruppe"],
                organisasjon=data["organisasjon"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Your input was saved."))
            return redirect(f"{verksted.get_absolute_url()}#innspill-{innspill.pk}")
    return _page(
        request,
        "innspill_form.html",
        form=form,
        spoersmaal=innspill.spoersmaal,
        verksted=verksted,
        innspill=innspill,
    )


# --- Live view --------------------------------------------------------------------------------


@guarded
@require_GET
def verksted_live(request, pk: int):
    verksted = _verksted_for(request, pk)
    questions = selectors.verksted_questions(verksted=verksted)
    return _page(request, "live.html", verksted=verksted, questions=questions)


@guarded
@require_GET
def verksted_live_content(request, pk: int):
    verksted = _verksted_for(request, pk)
    questions = selectors.verksted_questions(verksted=verksted)
    response = render(
        request,
        "hoering/verksted/partials/live_content.html",
        {"verksted": verksted, "questions": questions},
    )
    response["Cache-Control"] = "no-store"
    return response


# --- Themes and proposals ---------------------------------------------------------------------


def _temaer(verksted: Verksted) -> list[Tema]:
    return list(
        Tema.objects.filter(program__in=services.programmes_for(verksted))
        .select_related("program")
        .order_by("program__navn", "program__start_aar", "nummer")
    )


def _ids(request, name: str) -> list[int]:
    try:
        return [int(v) for v in request.POST.getlist(name)]
    except ValueError:
        return []


@guarded
@require_http_methods(["GET", "POST"])
def verksted_grupper(request, pk: int):
    verksted = _verksted_for(request, pk, "hoering.manage_verksted")
    if request.method == "POST":
        action = request.POST.get("handling", "")
        etikett = request.POST.get("etikett", "").strip()
        try:
            if action in ("create", "label") and not etikett:
                raise ValidationError({"etikett": _("Label: write a label for the theme.")})
            if action in ("create", "label") and len(etikett) > LABEL_MAX_LENGTH:
                raise ValidationError(
                    {"etikett": _("Label: at most %(max)d characters.") % {"max": LABEL_MAX_LENGTH}}
                )
            if action == "create":
                services.gruppe_create(
                    actor=request.user,
                    verksted=verksted,
                    etikett=etikett,
                    innspill=_ids(request, "valgt"),
                )
                messages.success(request, _("The theme was made."))
            elif action == "label":
                gruppe = visible_or_404(verksted.grupper.all(), pk=request.POST.get("gruppe"))
                services.gruppe_label(actor=request.user, gruppe=gruppe, etikett=etikett)
                messages.success(request, _("The theme was renamed."))
            elif action == "merge":
                target = visible_or_404(verksted.grupper.all(), pk=request.POST.get("gruppe"))
                sources = list(verksted.grupper.filter(pk__in=_ids(request, "andre")))
                services.gruppe_merge(actor=request.user, target=target, sources=sources)
                messages.success(request, _("The themes were merged."))
            elif action == "ungroup":
                services.innspill_ungroup(
                    actor=request.user, verksted=verksted, innspill=_ids(request, "valgt")
                )
                messages.success(request, _("The inputs were taken out of their theme."))
            else:
                messages.error(request, _("Choose what to do."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(reverse("hoering:verksted_grupper", args=[verksted.pk]))
    questions = selectors.verksted_questions(verksted=verksted)
    return _page(
        request,
        "grupper.html",
        verksted=verksted,
        questions=questions,
        grupper=selectors.verksted_groups(verksted=verksted),
        temaer=_temaer(verksted),
    )


@guarded
@require_POST
def verksted_forslag(request, pk: int):
    verksted = _verksted_for(request, pk, "hoering.manage_verksted")
    back = reverse("hoering:verksted_grupper", args=[verksted.pk])
    tema = Tema.objects.filter(
        pk__in=_ids(request, "tema"), program__in=services.programmes_for(verksted)
    ).first()
    gruppe = None
    innspill = None
    if request.POST.get("gruppe"):
        gruppe = visible_or_404(verksted.grupper.all(), pk=request.POST.get("gruppe"))
    if request.POST.get("innspill"):
        innspill = visible_or_404(
            Innspill.objects.filter(spoersmaal__verksted=verksted), pk=request.POST.get("innspill")
        )
    if tema is None:
        messages.error(request, _("Theme: choose where in the programme the measure belongs."))
        return redirect(back)
    try:
        forslag = services.forslag_create(
            actor=request.user, verksted=verksted, tema=tema, gruppe=gruppe, innspill=innspill
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    messages.success(
        request,
        _("The measure %(tiltak)s was proposed in %(programme)s.")
        % {"tiltak": forslag.tiltak, "programme": tema.program.navn},
    )
    return redirect(forslag.tiltak.get_absolute_url())


# --- Summary and exports ----------------------------------------------------------------------


def _filename(verksted: Verksted, suffix: str) -> str:
    name = _("Summary from the workshop") + f" {verksted.tittel}"
    for char in '\\/:*?"<>|':
        name = name.replace(char, "-")
    return f"{' '.join(name.split())}.{suffix}"


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = attachment_header(filename)
    response["Cache-Control"] = "private, no-store"
    return response


@guarded
@require_GET
def verksted_summary(request, pk: int):
    verksted = _verksted_for(request, pk)
    summary = selectors.verksted_summary(verksted=verksted)
    fmt = request.GET.get("format", "")
    if fmt == "pdf":
        return _download(
            exports_verksted.summary_pdf(verksted, summary, request=request),
            "application/pdf",
            _filename(verksted, "pdf"),
        )
    if fmt == "xlsx":
        return _download(
            exports_verksted.summary_xlsx(verksted, summary),
            XLSX_CONTENT_TYPE,
            _filename(verksted, "xlsx"),
        )
    if fmt:
        return _page(request, "summary.html", verksted=verksted, summary=summary, bad_format=True)
    return _page(request, "summary.html", verksted=verksted, summary=summary)


@guarded
@require_GET
def verksted_innspill_csv(request, pk: int):
    verksted = _verksted_for(request, pk)
    rows = selectors.all_inputs(verksted=verksted)
    content = exports_verksted.inputs_csv(verksted, rows, url_for=request.build_absolute_uri)
    return _download(
        content,
        "text/csv; charset=utf-8",
        f"{' '.join(verksted.tittel.split())} – {_('inputs')}.csv".replace("/", "-"),
    )
