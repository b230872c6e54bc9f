"""The hidden token of a form whose sending must take effect once."""

from django import forms


class TokenForm(forms.Form):
    token = forms.UUIDField(widget=forms.HiddenInput)
