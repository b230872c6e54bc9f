"""Forms of nominating: finding the nominee, the draft, statements, letters, endorsement, screening."""

from django import forms

from esp.services.nominations import MAX_TEXT_CHARS
from mae_portal.documents import DOCX, PDF
from mae_portal.uploads import DocumentUploadField
from members.models import Member

LETTER_TYPES = frozenset({PDF, DOCX})


class NomineeLookupForm(forms.Form):
    """A member names the person they nominate by member number or email, and last name: both must match
    one record, so the form finds only someone the nominator already knows and lists nobody."""

    identifier = forms.CharField(label="Their MAE member number or email address", max_length=254,
                                 help_text="The member number is on their membership card.")
    last_name = forms.CharField(label="Their last name", max_length=80)

    def clean_identifier(self):
        return self.cleaned_data["identifier"].strip()

    def clean_last_name(self):
        return self.cleaned_data["last_name"].strip()


class LeaderPickForm(forms.Form):
    """A local leader picks one of the ESP members of the locals they are an officer of."""

    nominee = forms.ModelChoiceField(label="Member of your local", queryset=Member.objects.none(),
                                     empty_label="Choose a member")

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nominee"].queryset = members if members is not None else Member.objects.none()
        self.fields["nominee"].label_from_instance = lambda m: f"{m.legal_last_name}, {m.display_name.split(' ')[0]} ({m.local})"


class DraftForm(forms.Form):
    nominator_statement = forms.CharField(
        label="Why you nominate them", required=False, max_length=MAX_TEXT_CHARS,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="What they do for students, colleagues and the community. This saves itself as you type.")


class StatementsForm(forms.Form):
    """One text field per review criterion. The word limit is checked by the view after saving, so that
    nothing typed is lost: an over-limit statement is kept and shown with its error."""

    def __init__(self, *args, criteria, limit, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"criterion_{criterion.pk}"] = forms.CharField(
                label=criterion.name, required=False, max_length=MAX_TEXT_CHARS,
                help_text=f"{criterion.description} At most {limit} words.".strip(),
                widget=forms.Textarea(attrs={"rows": 8}))

    def items(self):
        """(criterion, text) pairs of a valid form."""
        return [(c, self.cleaned_data.get(f"criterion_{c.pk}", "")) for c in self.criteria]


class LetterUploadForm(forms.Form):
    writer_name = forms.CharField(label="Writer's name", max_length=120)
    writer_relationship = forms.CharField(label="How they know the nominee", max_length=120, required=False,
                                          help_text='For example "Principal" or "Colleague".')
    writer_email = forms.EmailField(label="Writer's email", required=False)
    file = DocumentUploadField(label="The letter (PDF or Word .docx, at most 10 MB)", types=LETTER_TYPES)


class LetterRequestForm(forms.Form):
    writer_name = forms.CharField(label="Writer's name", max_length=120)
    writer_email = forms.EmailField(label="Writer's email", help_text="We send them a link to upload their letter.")
    writer_relationship = forms.CharField(label="How they know the nominee", max_length=120, required=False,
                                          help_text='For example "Principal" or "Colleague".')


class WriterUploadForm(forms.Form):
    file = DocumentUploadField(label="Your letter (PDF or Word .docx, at most 10 MB)", types=LETTER_TYPES)


class EndorseForm(forms.Form):
    text = forms.CharField(label="Your endorsement", max_length=MAX_TEXT_CHARS, widget=forms.Textarea(attrs={"rows": 6}),
                           help_text="A few sentences on why your local supports this nomination.")
    confirm = forms.BooleanField(label="As president of the local, I endorse this nomination.")


class ScreenForm(forms.Form):
    decision = forms.ChoiceField(label="Screening decision", widget=forms.RadioSelect,
                                 choices=[("pass", "Passes screening"), ("fail", "Does not pass")])
    note = forms.CharField(label="Note to the nominator", required=False, max_length=MAX_TEXT_CHARS,
                           widget=forms.Textarea(attrs={"rows": 4}),
                           help_text="The nominator sees this on their nomination page and by email. Needed when it does not pass.")

    def clean(self):
        data = super().clean()
        if data.get("decision") == "fail" and not (data.get("note") or "").strip():
            self.add_error("note", "Say why it does not pass: the nominator reads this note.")
        return data
