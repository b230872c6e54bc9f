"""Forms of the review pages. They validate input; the services do the work."""

from django import forms
from django.db.models import Q

from esp.models import AwardCycle, Conflict, ReviewAssignment
from mae_portal.documents import PDF
from mae_portal.permissions import Groups
from mae_portal.uploads import DocumentUploadField, UploadFormMixin
from members.models import User

SCORE_CHOICES = [(str(v), str(v)) for v in range(1, 6)]


class ScoreForm(forms.Form):
    """One 1-to-5 score and a comment per criterion of the round."""

    def __init__(self, *args, criteria, review=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        given = {s.criterion_id: s for s in review.scores.all()} if review is not None else {}
        for criterion in criteria:
            score = given.get(criterion.pk)
            self.fields[f"value_{criterion.pk}"] = forms.TypedChoiceField(
                label=f"{criterion.name}: score", choices=SCORE_CHOICES, coerce=int, empty_value=None, required=False,
                widget=forms.RadioSelect, initial=str(score.value) if score else None,
                help_text="1 (weak) to 5 (outstanding)" + (f", weight {criterion.weight.normalize()}"
                                                           if criterion.weight != 1 else ""))
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=f"{criterion.name}: comment", required=False, max_length=4000,
                widget=forms.Textarea(attrs={"rows": 3}), initial=score.comment if score else "")

    def pairs(self):
        """(criterion, value field, comment field) for the template."""
        return [(c, self[f"value_{c.pk}"], self[f"comment_{c.pk}"]) for c in self.criteria]

    def scores(self) -> dict:
        return {c.pk: (self.cleaned_data.get(f"value_{c.pk}"), self.cleaned_data.get(f"comment_{c.pk}", ""))
                for c in self.criteria}


class ConflictDeclareForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    kind = forms.ChoiceField(label="Kind of conflict", choices=Conflict.Kind.choices)
    note = forms.CharField(label="Note", required=False, max_length=300,
                           help_text="For the awards staff, e.g. “my sister-in-law”.")


class BlindSettingsForm(forms.ModelForm):
    class Meta:
        model = AwardCycle
        fields = ["hide_name", "hide_worksite", "hide_district", "hide_photos"]
        labels = {"hide_name": "Hide the nominee's and nominator's names", "hide_worksite": "Hide the worksite",
                  "hide_district": "Hide the school district", "hide_photos": "Hide photos"}


def _reviewers():
    return User.objects.filter(groups__name=Groups.AWARD_REVIEWERS, is_active=True).order_by("email")


class AssignReviewerForm(forms.Form):
    reviewer = forms.ModelChoiceField(label="Reviewer", queryset=_reviewers(), to_field_name="pk")
    round = forms.ChoiceField(label="Round", choices=ReviewAssignment.Round.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = _reviewers()
        self.fields["reviewer"].label_from_instance = lambda user: user.email


class RoundForm(forms.Form):
    round = forms.ChoiceField(label="Round", choices=ReviewAssignment.Round.choices)


class RedactionForm(forms.Form):
    """Staff's redacted copy of each statement."""

    def __init__(self, *args, statements, **kwargs):
        super().__init__(*args, **kwargs)
        self.statements = statements
        for statement in statements:
            self.fields[f"redacted_{statement.pk}"] = forms.CharField(
                label=f"{statement.criterion.name}: redacted copy", required=False,
                widget=forms.Textarea(attrs={"rows": 6}), initial=statement.redacted_text)

    def texts(self) -> dict:
        return {s.pk: self.cleaned_data.get(f"redacted_{s.pk}", "") for s in self.statements}


class LetterRedactionForm(UploadFormMixin, forms.Form):
    file = DocumentUploadField(label="Redacted copy (PDF)", types=frozenset({PDF}),
                               help_text="The letter with the nominee's name, worksite and anything identifying blacked out.")


class FinalistsForm(forms.Form):
    nominations = forms.MultipleChoiceField(label="Finalists", widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nominations"].choices = choices


class WinnerForm(forms.Form):
    nomination = forms.ChoiceField(label="Winner", widget=forms.RadioSelect)

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nomination"].choices = choices


class NeaContactForm(forms.Form):
    contact = forms.ModelChoiceField(label="MAE's point of contact for the NEA", queryset=User.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = (User.objects.filter(Q(groups__name=Groups.AWARDS_STAFF) | Q(is_superuser=True),
                                                               is_active=True).distinct().order_by("email"))
        self.fields["contact"].label_from_instance = lambda user: user.get_full_name() or user.email
