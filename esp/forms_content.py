"""Forms of the content staff pages: ESP pages, spotlight stories, award cycles."""

from decimal import Decimal

from django import forms

from esp.dates import cycle_date_errors
from esp.models import AwardCycle, EspPage, SpotlightStory
from esp.models.awards import CRITERIA
from mae_portal.documents import JPEG, PNG
from mae_portal.uploads import DocumentUploadField, UploadFormMixin
from members.models import CareerField

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MOMENT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class EspPageForm(forms.ModelForm):
    class Meta:
        model = EspPage
        fields = ["title", "summary", "body"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 2}), "body": forms.Textarea(attrs={"rows": 18})}
        help_texts = {"summary": "One or two sentences shown under the title.",
                      "body": "Plain text. Leave a blank line between paragraphs. Lines starting with “- ” stay "
                              "as they are (no bullets are drawn)."}


class MemberFindForm(forms.Form):
    q = forms.CharField(label="Name, email or member number of the member featured", max_length=100, required=False)


class StoryForm(UploadFormMixin, forms.ModelForm):
    photo = DocumentUploadField(types=(JPEG, PNG), required=False, label="Photo",
                                help_text="A JPEG or PNG image, at most 10 MB.")
    remove_photo = forms.BooleanField(required=False, label="Remove the current photo")

    class Meta:
        model = SpotlightStory
        fields = ["title", "career_field", "summary", "body", "consent_given_on", "consent_note", "photo_alt"]
        labels = {"consent_given_on": "Date the member gave their consent",
                  "consent_note": "How the consent was given", "photo_alt": "Photo description (alt text)",
                  "body": "Story"}
        widgets = {"summary": forms.Textarea(attrs={"rows": 2}), "body": forms.Textarea(attrs={"rows": 14}),
                   "consent_given_on": DATE}
        help_texts = {
            "summary": "One or two sentences for the lists and the home page.",
            "body": "Plain text. Leave a blank line between paragraphs.",
            "consent_given_on": "A story is published only with the member's recorded consent.",
            "consent_note": "For example “Signed release form, kept in the member's file”.",
            "photo_alt": "What the photo shows, for people who cannot see it. Required with a photo.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["career_field"].queryset = CareerField.objects.filter(kind=CareerField.Kind.ESP)
        self.fields["career_field"].empty_label = "Choose a career field"
        if not (self.instance.pk and self.instance.photo_id):
            del self.fields["remove_photo"]
        else:
            self.fields["photo"].label = "Replace the photo"

    def clean(self):
        data = super().clean()
        has_photo = data.get("photo") or (self.instance.pk and self.instance.photo_id and not data.get("remove_photo"))
        if has_photo and not (data.get("photo_alt") or "").strip():
            self.add_error("photo_alt", "Describe the photo for people who cannot see it.")
        if data.get("consent_given_on") and not (data.get("consent_note") or "").strip():
            self.add_error("consent_note", "Say how the member gave their consent.")
        if (data.get("consent_note") or "").strip() and not data.get("consent_given_on"):
            self.add_error("consent_given_on", "Enter the date the member gave their consent.")
        return data


WEIGHT = {"max_digits": 4, "decimal_places": 2, "min_value": Decimal("0.01"), "max_value": Decimal("10")}


class CycleForm(forms.ModelForm):
    """A cycle's settings, the five criteria's weights and the interview round's two criteria."""

    class Meta:
        model = AwardCycle
        fields = ["year", "name", "description", "nominations_open_at", "nominations_close_at", "screening_ends_on",
                  "review_opens_on", "review_closes_on", "finalists_on", "winner_on", "min_membership_years",
                  "letters_required", "statement_max_words", "reviewers_per_nomination", "finalist_count",
                  "min_scores_for_normalising", "hide_name", "hide_worksite", "hide_district", "hide_photos"]
        labels = {
            "nominations_open_at": "Nominations open (Mississippi time)",
            "nominations_close_at": "Nominations close (Mississippi time)",
            "screening_ends_on": "Screening ends", "review_opens_on": "Review opens", "review_closes_on": "Review closes",
            "finalists_on": "Finalists named", "winner_on": "Winner announced",
            "min_membership_years": "Years of membership required",
            "letters_required": "Letters of support required", "statement_max_words": "Word limit of each statement",
            "reviewers_per_nomination": "Reviewers per nomination", "finalist_count": "Number of finalists",
            "min_scores_for_normalising": "Scores a reviewer needs before their totals are normalised",
            "hide_name": "Hide the nominee's and nominator's names from reviewers",
            "hide_worksite": "Hide the worksite from reviewers", "hide_district": "Hide the school district from reviewers",
            "hide_photos": "Hide photos from reviewers",
        }
        help_texts = {
            "min_membership_years": "The other rules are fixed: the nominee is an active ESP member and not retired.",
            "year": "The award year, e.g. 2027. One cycle per year.",
            "description": "Shown on the public award page. Plain text; a blank line between paragraphs.",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 5}), "nominations_open_at": MOMENT,
                   "nominations_close_at": MOMENT, "screening_ends_on": DATE, "review_opens_on": DATE,
                   "review_closes_on": DATE, "finalists_on": DATE, "winner_on": DATE}

    def __init__(self, *args, criteria=None, locked=False, **kwargs):
        super().__init__(*args, **kwargs)
        criteria = list(criteria or [])
        review = [c for c in criteria if c.round == "review"]
        interview = [c for c in criteria if c.round == "interview"]
        for index, (name, _) in enumerate(CRITERIA, 1):
            initial = review[index - 1].weight if len(review) >= index else Decimal("1.00")
            self.fields[f"weight_{index}"] = forms.DecimalField(label=f"Weight of “{name}”", initial=initial, **WEIGHT)
        defaults = [("Interview: vision for ESPs", Decimal("1.00")), ("Interview: communication", Decimal("1.00"))]
        for index, (name, weight) in enumerate(defaults, 1):
            if len(interview) >= index:
                name, weight = interview[index - 1].name, interview[index - 1].weight
            self.fields[f"interview_{index}_name"] = forms.CharField(label=f"Interview criterion {index}", max_length=100,
                                                                     initial=name)
            self.fields[f"interview_{index}_weight"] = forms.DecimalField(
                label=f"Weight of interview criterion {index}", initial=weight, **WEIGHT)
        if self.instance.pk:
            del self.fields["year"]  # a cycle's year is its identity (its URL, its nominations)
        if locked:
            for name in ["min_membership_years", "letters_required", "statement_max_words",
                         *[f for f in self.fields if f.startswith(("weight_", "interview_"))]]:
                self.fields[name].disabled = True
                self.fields[name].help_text = "Fixed once reviewers are scoring."

    def clean(self):
        data = super().clean()
        for field, message in cycle_date_errors(data).items():
            if field not in self.errors:
                self.add_error(field, message)
        return data

    def cycle_data(self) -> dict:
        return {f: self.cleaned_data[f] for f in self._meta.fields if f in self.cleaned_data}

    def review_weights(self) -> list:
        return [self.cleaned_data[f"weight_{i}"] for i in range(1, len(CRITERIA) + 1)]

    def interview_criteria(self) -> list:
        return [(self.cleaned_data[f"interview_{i}_name"], self.cleaned_data[f"interview_{i}_weight"]) for i in (1, 2)]

    def rubric_fields(self):
        return [self[f] for f in self.fields if f.startswith(("weight_", "interview_"))]


class PhaseForm(forms.Form):
    phase = forms.ChoiceField(label="Move the cycle to", widget=forms.RadioSelect)

    def __init__(self, *args, moves=(), **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(AwardCycle.Phase.choices)
        self.fields["phase"].choices = [(m, labels[m]) for m in moves]
