"""Letters on a case (directors and managers who work it) and the letter templates (region managers)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from advocacy.letters import LETTER_FIELDS, LETTER_KIND, SAFE_FILTERS, SAFE_TAGS
from advocacy.models import CaseLetter, CaseType, LetterTemplate
from advocacy.selectors.caseload import case_page_url
from advocacy.services.letters import (
    LetterError,
    case_letter_create,
    case_letter_finalise,
    case_letter_update,
    letter_template_save,
)
from advocacy.views.common import case_worker_required, staff_case
from mae_portal.access import get_visible_or_404
from mae_portal.audit import client_ip
from mae_portal.documents import subject_filter
from mae_portal.models import StoredDocument
from mae_portal.permissions import is_region_manager
from members import clock


class NewLetterForm(forms.Form):
    template = forms.ModelChoiceField(queryset=LetterTemplate.objects.none(), label="Letter", empty_label=None,
                                      widget=forms.RadioSelect)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        kind = case.case_type_version.case_type.kind
        self.fields["template"].queryset = (LetterTemplate.objects.filter(active=True)
                                            .filter(Q(case_kind="") | Q(case_kind=kind)).order_by("name"))


class LetterForm(forms.ModelForm):
    class Meta:
        model = CaseLetter
        fields = ["subject", "body"]
        labels = {"body": "Letter text"}
        help_texts = {"body": "Paragraphs are separated by a blank line."}
        widgets = {"body": forms.Textarea(attrs={"rows": 24})}


class LetterTemplateForm(forms.ModelForm):
    class Meta:
        model = LetterTemplate
        fields = ["name", "case_kind", "body", "active"]
        labels = {"case_kind": "Offered on", "body": "Template", "active": "Offer this template for new letters"}
        widgets = {"body": forms.Textarea(attrs={"rows": 24}),
                   "case_kind": forms.Select(choices=[("", "Every kind of case"), *CaseType.Kind.choices])}

    def clean_body(self):
        from advocacy.letters import check_letter_template

        body = self.cleaned_data["body"]
        check_letter_template(body)  # ValidationError: the message shows next to the field
        return body


def _page(request, template, case, context):
    return render(request, template, {"case": case, "case_url": case_page_url(case.pk), **context})


def _letter(case, letter_pk):
    return get_visible_or_404(CaseLetter.objects.filter(case=case).select_related("template", "created_by"), pk=letter_pk)


def letter_documents(letters) -> dict:
    """{letter pk: its StoredDocument} for final letters (one query)."""
    pks = [letter.pk for letter in letters if letter.status == CaseLetter.Status.FINAL]
    if not pks:
        return {}
    documents = StoredDocument.objects.filter(subject_filter(CaseLetter, pks), kind=LETTER_KIND).only(
        "pk", "status", "subject_id", "size")
    return {int(document.subject_id): document for document in documents}


def letters_panel(case, request) -> dict:
    """The case page's letters section (advocacy.case_panels)."""
    letters = list(case.letters.select_related("template", "created_by").order_by("-created_at"))
    documents = letter_documents(letters)
    for letter in letters:
        letter.document = documents.get(letter.pk)
    return {"letters": letters}


@require_GET
@case_worker_required
def case_letters(request, pk):
    case = staff_case(request, pk)
    return _page(request, "advocacy/letters/list.html", case, {"panel": letters_panel(case, request)})


@require_http_methods(["GET", "POST"])
@case_worker_required
def letter_new(request, pk):
    case = staff_case(request, pk)
    form = NewLetterForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            letter = case_letter_create(case=case, template=form.cleaned_data["template"], actor=request.user,
                                        today=clock.today(), ip=client_ip(request))
        except ValidationError as error:  # a template that no longer fills in (edited in the admin)
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "A draft letter was made from the template. Check and edit it, then make it final.")
            return redirect("advocacy:letter_edit", pk=case.pk, letter_pk=letter.pk)
    return _page(request, "advocacy/letters/new.html", case, {"form": form})


@require_http_methods(["GET", "POST"])
@case_worker_required
def letter_edit(request, pk, letter_pk):
    case = staff_case(request, pk)
    letter = _letter(case, letter_pk)
    final = letter.status == CaseLetter.Status.FINAL
    if request.method == "POST" and final:
        raise PermissionDenied  # the director may see a final letter, not change it
    form = LetterForm(request.POST or None, instance=letter)
    if request.method == "POST" and form.is_valid():
        try:
            case_letter_update(letter=letter, subject=form.cleaned_data["subject"], body=form.cleaned_data["body"],
                               actor=request.user, ip=client_ip(request))
        except LetterError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "The draft was saved.")
            target = "advocacy:letter_preview" if "preview" in request.POST else "advocacy:letter_edit"
            return redirect(target, pk=case.pk, letter_pk=letter.pk)
    document = letter_documents([letter]).get(letter.pk)
    return _page(request, "advocacy/letters/edit.html", case, {"letter": letter, "form": form, "final": final,
                                                               "document": document})


@require_GET
@case_worker_required
def letter_preview(request, pk, letter_pk):
    case = staff_case(request, pk)
    letter = _letter(case, letter_pk)
    paragraphs = [paragraph for paragraph in letter.body.split("\n\n") if paragraph.strip()]
    return _page(request, "advocacy/letters/preview.html", case, {"letter": letter, "paragraphs": paragraphs})


@require_http_methods(["GET", "POST"])
@case_worker_required
def letter_finalise(request, pk, letter_pk):
    """A confirmation page, then the letter is final and its PDF is built in the background. Confirmed again
    for a final letter whose PDF failed, it asks for the PDF again (once: the core keeps one per letter)."""
    case = staff_case(request, pk)
    letter = _letter(case, letter_pk)
    if request.method == "POST" and "confirm" in request.POST:
        case_letter_finalise(letter=letter, actor=request.user, ip=client_ip(request))
        messages.success(request, "The letter is final. Its PDF is being prepared and will appear on the case shortly.")
        return redirect("advocacy:letter_edit", pk=case.pk, letter_pk=letter.pk)
    document = letter_documents([letter]).get(letter.pk)
    return _page(request, "advocacy/letters/finalise.html", case, {"letter": letter, "document": document})


# --- Letter templates: region managers and admins ----------------------------------------------------------


def _template_manager(request):
    if not is_region_manager(request.user):
        raise PermissionDenied


@require_GET
@case_worker_required
def letter_templates(request):
    _template_manager(request)
    return render(request, "advocacy/letters/templates.html", {"templates": LetterTemplate.objects.order_by("name")})


@require_http_methods(["GET", "POST"])
@case_worker_required
def letter_template_edit(request, template_pk=None):
    _template_manager(request)
    template = get_visible_or_404(LetterTemplate.objects.all(), pk=template_pk) if template_pk else None
    form = LetterTemplateForm(request.POST or None, instance=template)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        letter_template_save(template=template, name=data["name"], case_kind=data["case_kind"], body=data["body"],
                             active=data["active"], actor=request.user, ip=client_ip(request))
        messages.success(request, f"The template “{data['name']}” was saved.")
        return redirect("advocacy:letter_templates")
    return render(request, "advocacy/letters/template_edit.html", {
        "form": form, "template": template, "letter_fields": LETTER_FIELDS.items(), "tags": SAFE_TAGS,
        "filters": SAFE_FILTERS})
