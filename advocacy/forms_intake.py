"""Forms of the intake queue's decisions (each reviewed, then confirmed)."""

from datetime import date

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from advocacy.forms_cases import describe_by_hints
from advocacy.models import CaseType, IssueCategory
from mae_portal.permissions import Groups


class AcceptForm(forms.Form):
    case_type = forms.ModelChoiceField(label="Case type", queryset=CaseType.objects.filter(active=True).order_by("name"),
                                       help_text="Suggested from the member's career field and licence: confirm or change it.")
    title = forms.CharField(label="Case title", max_length=150)
    issue_category = forms.ModelChoiceField(label="Issue category", queryset=IssueCategory.objects.all(),
                                            empty_label="Choose the issue")
    director = forms.ModelChoiceField(label="Director working the case", queryset=get_user_model().objects.none(),
                                      help_text="The UniServ director of the region who works the case.")
    filed_on = forms.DateField(label="Filing date", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                               help_text="The day the case is opened: it picks the version of the case type in force.")

    def __init__(self, *args, request, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        User = get_user_model()
        directors = User.objects.filter(
            Q(uniserv_regions=request.region, groups__name=Groups.UNISERV_DIRECTORS), is_active=True).distinct()
        self.fields["director"].queryset = directors.order_by("email")
        self.fields["director"].label_from_instance = lambda user: user.get_full_name() or user.email
        self.fields["filed_on"].widget.attrs["max"] = today.isoformat()
        describe_by_hints(self)

    def clean_filed_on(self):
        day = self.cleaned_data["filed_on"]
        if day > self.today:
            raise forms.ValidationError("The filing date cannot be in the future.")
        return day


class DeclineForm(forms.Form):
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 4}), max_length=2000,
                             help_text="The member reads it on their page: say it plainly, and where else they may turn.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        describe_by_hints(self)


class ReferForm(forms.Form):
    attorney = forms.CharField(label="Attorney or firm", max_length=150, required=False)
    notes = forms.CharField(label="Notes for the referral", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    beyond_limit_reason = forms.CharField(
        label="Reason to go beyond the yearly limit", required=False, max_length=500,
        help_text="Region managers only, when no free consultation is left this membership year.")

    def __init__(self, *args, may_exceed: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_exceed:
            del self.fields["beyond_limit_reason"]
        describe_by_hints(self)


class ClaimForm(forms.Form):
    notes = forms.CharField(label="Notes for the claim", required=False, widget=forms.Textarea(attrs={"rows": 3}))
