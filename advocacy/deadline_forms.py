"""Forms of the deadlines panel: record an event, override a date with a reason, record an agreed extension.

Each carries a token made when it is shown (like members.forms.tokens.TokenForm, which apps may not
import): the services keep it in the audit entry, so a form sent twice records once. `next` is the page
the form was shown on (the case page); the views only follow it within the case's own URLs.
"""

import uuid

from django import forms

from advocacy.models import CaseEvent, StepRule
from advocacy.services.deadlines import RECORDABLE_KINDS

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DeadlineTokenForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    next = forms.CharField(widget=forms.HiddenInput, max_length=300, required=False)

    def __init__(self, *args, next_url="", **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4().hex)
            self.initial.setdefault("next", next_url)


class CaseEventForm(DeadlineTokenForm):
    kind = forms.ChoiceField(label="What happened", choices=[(kind, CaseEvent.Kind(kind).label) for kind in RECORDABLE_KINDS])
    occurred_on = forms.DateField(label="On which day", widget=DATE_INPUT,
                                  help_text="For a hearing, the day of the hearing (recorded again if it moves).")
    step = forms.ModelChoiceField(label="Which step", queryset=StepRule.objects.none(), required=False,
                                  help_text="For \"Step done\": the step of the ladder that was done.")
    description = forms.CharField(label="Details", widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                  max_length=2000)
    shared = forms.BooleanField(label="Show this event to the member", required=False)

    field_order = ["kind", "occurred_on", "step", "description", "shared"]

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].queryset = StepRule.objects.filter(version_id=case.case_type_version_id).order_by("order")
        self.fields["step"].label_from_instance = lambda step: f"{step.order}. {step.name}"


class DeadlineOverrideForm(DeadlineTokenForm):
    due = forms.DateField(label="New due date", widget=DATE_INPUT)
    reason = forms.CharField(label="Why the date changes", widget=forms.Textarea(attrs={"rows": 3}), max_length=1000,
                             help_text="Shown next to the date, e.g. \"the board moved its meeting; the "
                                       "superintendent's letter of May 4 gives the new date\".")


class DeadlineExtensionForm(DeadlineTokenForm):
    agreed_by = forms.CharField(label="Who agreed for the district", max_length=120,
                                help_text="Name and title, e.g. \"Dr. Ellis, superintendent\".")
    agreed_on = forms.DateField(label="Day it was agreed", widget=DATE_INPUT)
    until = forms.DateField(label="New due date", widget=DATE_INPUT)
    description = forms.CharField(label="Details", widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                  max_length=2000, help_text="How it was agreed (a letter, an email of May 4).")
    shared = forms.BooleanField(label="Show this extension to the member", required=False)


class DeadlineMissedForm(DeadlineTokenForm):
    note = forms.CharField(label="Note for the timeline", widget=forms.Textarea(attrs={"rows": 3}), required=False,
                           max_length=1000, help_text="E.g. \"no answer from the principal\".")
