"""Forms of the join, renew and plan pages. They validate what was typed; the services decide the rest."""

from datetime import date

from django import forms
from django.urls import reverse

from members.forms.fields import clean_hire_date
from members.forms.profile import ProfileForm
from members.forms.tokens import TokenForm
from members.models import CareerField, District, Member, MembershipCategory, PaymentPlan, Worksite

DRAFT_DAYS = [(day, f"{day}") for day in range(1, 29)]


def normalized_name(value: str) -> str:
    return " ".join(value.split()).casefold()


def describe_by_hints(form):
    """Point each input at the hint includes/_field.html shows above it (`<id>_helptext`, Django's own name)."""
    for name, field in form.fields.items():
        if field.help_text and not field.widget.is_hidden:
            field.widget.attrs["aria-describedby"] = f"{form[name].auto_id}_helptext"


class DraftDayField(forms.TypedChoiceField):
    """Marked required (a select always sends a value); a form sent without it, as for a yearly card
    payment, gets day 1 in clean()."""

    def validate(self, value):
        if value in self.empty_values:
            return
        super().validate(value)


class JoinProfileForm(ProfileForm):
    """Step 1 of joining: who you are and where you work. The district is typed (with suggestions);
    the worksite is chosen among the district's."""

    employer_district = forms.CharField(
        label="School district you work for", max_length=150, required=False,
        help_text="Start typing and pick your district from the suggestions. Leave empty if you are retired or a student.",
    )
    worksite = forms.ModelChoiceField(label="Worksite", queryset=Worksite.objects.none(), required=False,
                                      empty_label="Choose your worksite")
    career_field = forms.ModelChoiceField(
        label="Career field", queryset=CareerField.objects.all(), empty_label="Choose your career field",
        help_text="Bus drivers and monitors: Transportation services. Teacher assistants: Paraeducators.",
    )

    class Meta(ProfileForm.Meta):
        model = Member
        fields = [
            "legal_first_name", "legal_middle_name", "legal_last_name", "preferred_name", "mobile_phone",
            "address_line1", "address_line2", "city", "state", "zip_code",
            "employer_district", "worksite", "job_title", "career_field", "employment_basis", "hire_date",
        ]
        widgets = {
            **ProfileForm.Meta.widgets,
            "legal_first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "legal_middle_name": forms.TextInput(attrs={"autocomplete": "additional-name"}),
            "legal_last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "preferred_name": forms.TextInput(attrs={"autocomplete": "nickname"}),
            "job_title": forms.TextInput(attrs={"autocomplete": "organization-title"}),
            "hire_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        labels = {"hire_date": "Date you were hired", "employment_basis": "Do you work full-time or part-time?"}
        help_texts = {"hire_date": "Your first day with this district, if you know it."}

    REQUIRED = ("mobile_phone", "address_line1", "city", "state", "zip_code", "job_title")
    NAME_FIELDS = ("legal_first_name", "legal_middle_name", "legal_last_name", "preferred_name")

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["hire_date"].widget.attrs["max"] = today.isoformat()
        for name in self.REQUIRED:
            self.fields[name].required = True
        self.fields["employer_district"].widget.attrs.update({
            "list": "district-options", "autocomplete": "off",
            # htmx: as the district is typed or picked, the worksite list below follows it.
            # Picking a suggestion fires `input` too. The chosen worksite goes along, so a list redrawn for
            # the same district keeps it. (data-hx-*: htmx reads them, and they are valid HTML on an input.)
            "data-hx-get": reverse("members:join_worksites"), "data-hx-trigger": "input changed delay:400ms",
            "data-hx-target": "#worksite-field", "data-hx-swap": "innerHTML", "data-hx-include": "#id_worksite",
        })
        if self.instance.pk and self.instance.employer_district_id and "employer_district" not in self.data:
            self.initial["employer_district"] = self.instance.employer_district.name
        self.district = self.find_district(self.data.get(self.add_prefix("employer_district"))
                                           if self.is_bound else self.initial.get("employer_district"))
        worksites = self.fields["worksite"]
        if self.district:
            worksites.queryset = Worksite.objects.filter(district=self.district)
            worksites.help_text = f"The worksites of {self.district}."
        else:
            worksites.queryset = Worksite.objects.none()
            worksites.help_text = "Choose your school district first; its worksites then appear here."
        worksites.label_from_instance = lambda worksite: worksite.name
        describe_by_hints(self)

    @staticmethod
    def find_district(name) -> District | None:
        name = " ".join((name or "").split())
        return District.objects.filter(name__iexact=name).first() if name else None

    def clean_employer_district(self):
        typed = self.cleaned_data["employer_district"].strip()
        if not typed:
            return None
        if self.district is None:
            raise forms.ValidationError("Choose your school district from the list of suggestions.")
        return self.district

    def clean(self):
        cleaned = super().clean()
        district, worksite = cleaned.get("employer_district"), cleaned.get("worksite")
        if district and not worksite and "worksite" not in self.errors:
            self.add_error("worksite", f"Choose your worksite in {district}.")
        if worksite and district and worksite.district_id != district.pk:
            self.add_error("worksite", f"Choose a worksite of {district}.")
        return cleaned

    def clean_hire_date(self):
        return clean_hire_date(self.cleaned_data["hire_date"], today=self.today)


class CategoryForm(forms.Form):
    category = forms.ModelChoiceField(
        label="Membership category", queryset=MembershipCategory.objects.filter(is_active=True),
        to_field_name="code", widget=forms.RadioSelect, empty_label=None,
        error_messages={"required": "Choose a membership category.", "invalid_choice": "Choose one of the categories listed."},
    )


class PlanForm(TokenForm):
    """How to pay. `token` makes a double submit create one term and one payment."""

    plan_kind = forms.ChoiceField(label="How would you like to pay?", choices=PaymentPlan.Kind.choices,
                                  widget=forms.RadioSelect,
                                  error_messages={"required": "Choose how you would like to pay."})
    draft_day = DraftDayField(label="Day of the month for monthly drafts", choices=DRAFT_DAYS, coerce=int,
                              initial=1, help_text="From 1 to 28, so every month has the day. Only for monthly drafts.")

    def __init__(self, *args, installments_allowed=True, kinds=None, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = kinds or [k for k, _ in PaymentPlan.Kind.choices]
        if not installments_allowed:
            allowed = [PaymentPlan.Kind.ANNUAL]
        self.fields["plan_kind"].choices = [(k, label) for k, label in PaymentPlan.Kind.choices if k in allowed]
        describe_by_hints(self)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("plan_kind") == PaymentPlan.Kind.MONTHLY and not cleaned.get("draft_day"):
            self.add_error("draft_day", "Choose the day of the month for your drafts.")
        cleaned["draft_day"] = cleaned.get("draft_day") or 1
        return cleaned


class RenewForm(PlanForm):
    category = forms.ModelChoiceField(
        label="Membership category", queryset=MembershipCategory.objects.filter(is_active=True),
        to_field_name="code", widget=forms.RadioSelect, empty_label=None,
        error_messages={"required": "Choose a membership category.", "invalid_choice": "Choose one of the categories listed."},
    )
    field_order = ["category", "plan_kind", "draft_day", "token"]

    def clean(self):
        cleaned = super().clean()
        category = cleaned.get("category")
        if category and cleaned.get("plan_kind") != PaymentPlan.Kind.ANNUAL and not category.allows_installments:
            self.add_error("plan_kind", f"{category} dues are paid once a year by card.")
        return cleaned


class AuthorizationForm(TokenForm):
    """The signature on a bank-draft authorization: agreement and the typed legal name."""

    agree = forms.BooleanField(label="I agree to this bank draft authorization",
                               error_messages={"required": "Tick the box to agree, or choose another way to pay."})
    typed_name = forms.CharField(label="Type your full legal name as your signature", max_length=150,
                                 widget=forms.TextInput(attrs={"autocomplete": "name"}))
    digest = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, member: Member, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member
        self.fields["typed_name"].help_text = f"As on our records: {member.legal_name}."
        describe_by_hints(self)

    def clean_typed_name(self):
        typed = self.cleaned_data["typed_name"]
        accepted = {normalized_name(self.member.legal_name),
                    normalized_name(f"{self.member.legal_first_name} {self.member.legal_last_name}")}
        if normalized_name(typed) not in accepted:
            raise forms.ValidationError(f"Type your legal name exactly as on our records: {self.member.legal_name}.")
        return " ".join(typed.split())


class PlanChangeForm(TokenForm):
    plan_kind = forms.ChoiceField(
        label="How should your drafts run?", widget=forms.RadioSelect,
        choices=[(k, label) for k, label in PaymentPlan.Kind.choices if k != PaymentPlan.Kind.ANNUAL],
        error_messages={"required": "Choose monthly drafts or drafts on each payday."},
    )
    draft_day = DraftDayField(label="Day of the month for monthly drafts", choices=DRAFT_DAYS, coerce=int,
                              initial=1, help_text="From 1 to 28, so every month has the day. Only for monthly drafts.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        describe_by_hints(self)

    def clean(self):
        cleaned = super().clean()
        cleaned["draft_day"] = cleaned.get("draft_day") or 1
        return cleaned
