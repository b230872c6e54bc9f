"""The roster's filter."""

import functools

from django import forms


class RosterFilterForm(forms.Form):
    q = forms.CharField(label="Name, email or member number", required=False, max_length=100)
    local = forms.ModelChoiceField(label="Local", queryset=None, required=False, empty_label="All locals I can see")

    def __init__(self, *args, locals_qs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["local"].queryset = locals_qs
        # Shown from the names alone (a local's str() is its name), read once when the field is rendered.
        local = self.fields["local"]
        local.choices = functools.cache(lambda: [("", local.empty_label), *locals_qs.values_list("pk", "name")])
