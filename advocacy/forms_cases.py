"""Forms of asking for help, of the member's case page and of the staff case page."""

import secrets
from datetime import date

from django import forms
from django.urls import reverse

from advocacy.models import GrievanceCase, IssueCategory, RepresentationRequest, StepRule
from mae_portal.uploads import DocumentUploadField
from members.models import District, Worksite

MAX_FILES = 10


def describe_by_hints(form):
    """Point each input at the hint includes/_field.html shows above it (`<id>_helptext`)."""
    for name, field in form.fields.items():
        if field.help_text and not field.widget.is_hidden:
            field.widget.attrs["aria-describedby"] = f"{form[name].auto_id}_helptext"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class DocumentsField(DocumentUploadField):
    """Several files in one picker (each checked by the core's upload service when stored)."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, (list, tuple)) else [data]) if f]
        if not files:
            if self.required:
                raise forms.ValidationError("Choose a file.")
            return []
        if len(files) > MAX_FILES:
            raise forms.ValidationError(f"Send at most {MAX_FILES} files at a time.")
        return [super(DocumentsField, self).clean(f, initial) for f in files]


def documents_field(*, required=False, label="Documents"):
    return DocumentsField(label=label, required=required,
                          help_text="PDF, JPEG or PNG images, or Word (.docx); at most 10 MB each. You may choose several.")


class HelpRequestForm(forms.Form):
    """What happened, when, where, who saw it, what the person wants, how urgent, and documents."""

    summary = forms.CharField(label="In a few words, what is this about?", max_length=150,
                              help_text='For example "Written reprimand" or "Nonrenewal notice".')
    what_happened = forms.CharField(label="What happened?", widget=forms.Textarea(attrs={"rows": 6}),
                                    help_text="Tell it in your own words: who did what, and what was said or written.")
    incident_date = forms.DateField(label="When did it happen?", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                    help_text="The day of the incident, or the day you received the notice.")
    district = forms.ModelChoiceField(label="School district", queryset=District.objects.order_by("name"),
                                      empty_label="Choose the district")
    worksite = forms.ModelChoiceField(label="Worksite", queryset=Worksite.objects.none(), required=False,
                                      empty_label="Choose the worksite")
    supervisor = forms.CharField(label="Your supervisor", max_length=120, required=False,
                                 help_text="The principal or supervisor involved, if any.")
    witnesses = forms.CharField(label="Who saw it?", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                help_text="Names of witnesses, and how to reach them if you know.")
    outcome_sought = forms.CharField(label="What outcome do you want?", widget=forms.Textarea(attrs={"rows": 3}))
    urgency = forms.ChoiceField(label="How urgent is it?", choices=RepresentationRequest.Urgency.choices,
                                widget=forms.RadioSelect, initial=RepresentationRequest.Urgency.ROUTINE)
    documents = documents_field()
    submission_key = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        if not self.is_bound:
            self.initial.setdefault("submission_key", secrets.token_urlsafe(24))
        self.fields["incident_date"].widget.attrs["max"] = today.isoformat()
        self.fields["district"].widget.attrs.update({
            "data-hx-get": reverse("advocacy:help_worksites"), "data-hx-trigger": "change",
            "data-hx-target": "#worksite-field", "data-hx-swap": "innerHTML", "data-hx-include": "#id_worksite",
        })
        district_id = self.data.get(self.add_prefix("district")) if self.is_bound else self.initial.get("district")
        district_id = getattr(district_id, "pk", district_id)
        worksites = self.fields["worksite"]
        if district_id and str(district_id).isdigit():
            worksites.queryset = Worksite.objects.filter(district_id=district_id).order_by("name")
            worksites.help_text = "The school or site where it happened."
        else:
            worksites.help_text = "Choose the district first; its worksites then appear here."
        worksites.label_from_instance = lambda worksite: worksite.name
        describe_by_hints(self)

    def clean_incident_date(self):
        day = self.cleaned_data["incident_date"]
        if day > self.today:
            raise forms.ValidationError("The date cannot be in the future.")
        return day

    def clean(self):
        cleaned = super().clean()
        district, worksite = cleaned.get("district"), cleaned.get("worksite")
        if worksite and district and worksite.district_id != district.pk:
            self.add_error("worksite", f"Choose a worksite of {district}.")
        return cleaned


class ReplyForm(forms.Form):
    body = forms.CharField(label="Your reply", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)


class MemberDocumentForm(forms.Form):
    documents = documents_field(required=True, label="Add documents")


class NoteForm(forms.Form):
    prefix = "note"  # the case page holds the note and the update forms: ids stay unique
    body = forms.CharField(label="Private note", widget=forms.Textarea(attrs={"rows": 3}), max_length=10000,
                           help_text="Staff only: never shown to the member.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        describe_by_hints(self)


class UpdateForm(forms.Form):
    prefix = "update"
    body = forms.CharField(label="Shared update", widget=forms.Textarea(attrs={"rows": 3}), max_length=10000,
                           help_text="The member sees it on their case page and gets an email that there is an update.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        describe_by_hints(self)


class CaseDocumentForm(forms.Form):
    documents = documents_field(required=True, label="Upload documents")
    shared = forms.BooleanField(label="Share with the member", required=False)


class GrievantForm(forms.Form):
    member_number = forms.IntegerField(label="Member number", min_value=1,
                                       help_text="Add a grievant: a group grievance names several members.")

    def __init__(self, *args, visible_members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.visible_members = visible_members
        describe_by_hints(self)

    def clean_member_number(self):
        number = self.cleaned_data["member_number"]
        member = self.visible_members.filter(member_number=number).first()
        if member is None:
            raise forms.ValidationError("No member you may see has this number.")
        self.member = member
        return number


class CaseEditForm(forms.ModelForm):
    class Meta:
        model = GrievanceCase
        fields = ["title", "district", "worksite", "supervisor", "issue_category", "policy_cited", "facts",
                  "remedy_sought", "current_step", "status"]
        widgets = {"facts": forms.Textarea(attrs={"rows": 6}), "remedy_sought": forms.Textarea(attrs={"rows": 3})}
        labels = {"policy_cited": "Policy or statute cited"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        case = self.instance
        self.fields["district"].queryset = District.objects.filter(region=case.region).order_by("name")
        self.fields["worksite"].queryset = Worksite.objects.filter(district__region=case.region).select_related("district").order_by("district__name", "name")
        self.fields["worksite"].label_from_instance = lambda w: f"{w.name} ({w.district.name})"
        self.fields["current_step"].queryset = StepRule.objects.filter(version=case.case_type_version)
        self.fields["issue_category"].queryset = IssueCategory.objects.all()
        status = self.fields["status"]
        if case.status == GrievanceCase.Status.CLOSED:
            status.choices = [(GrievanceCase.Status.CLOSED, "Closed (reopen the case to change it)")]
            status.disabled = True
        else:
            status.choices = [c for c in GrievanceCase.Status.choices if c[0] != GrievanceCase.Status.CLOSED]
            status.help_text = "To close the case, use Close the case: it records the outcome."
        describe_by_hints(self)


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label="Outcome", choices=GrievanceCase.Outcome.choices, widget=forms.RadioSelect)
    remedy_obtained = forms.CharField(label="Remedy obtained", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    closed_on = forms.DateField(label="Closed on", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["closed_on"].widget.attrs["max"] = today.isoformat()
        self.initial.setdefault("closed_on", today)

    def clean_closed_on(self):
        day = self.cleaned_data["closed_on"]
        if day > self.today:
            raise forms.ValidationError("The date cannot be in the future.")
        return day


class ReopenForm(forms.Form):
    reason = forms.CharField(label="Why reopen it?", max_length=500)
