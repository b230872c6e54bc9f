"""The roster's filter."""

import functools

from django import forms


class RosterFilterForm(forms.Form):
    q = forms.CharField(label="Name, email or member number", required=False, max_length=100)
    local = forms.ModelChoiceField(label="Local", queryset=None, required=False, empty_label="All locals I can see")

    def __init__(self, *args, locals_qs, local_choices=None, **kwargs):
        """`local_choices`: the (pk, name) of `locals_qs`, already read, to show instead of reading them; a chosen
        local is still looked up in `locals_qs` when cleaned."""
        super().__init__(*args, **kwargs)
        self.fields["local"].queryset = locals_qs
        # Shown from the names alone (a local's str() is its name), read once when the field is rendered.
        local = self.fields["local"]
        if local_choices is not None:
            local.choices = [("", local.empty_label), *local_choices]
        else:
            local.choices = functools.cache(lambda: [("", local.empty_label), *locals_qs.values_list("pk", "name")])
