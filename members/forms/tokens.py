"""The one token form: a hidden token, made when the form is shown, that the services turn into the
idempotency key of what the form does (members.services.keys). Staff and member forms that must take
effect once, however often they are sent, subclass it."""

import uuid

from django import forms


class TokenForm(forms.Form):
    """A form whose sending must take effect once: the token, made when the form is shown, is the
    service's idempotency key, so a double submit (or a replayed confirmation) changes nothing more."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4().hex)
