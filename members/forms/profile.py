"""The member's profile form."""

from django import forms

from members.forms.fields import (
    clean_us_phone,
    clean_zip_code,
    refuse_invisible_characters,
    state_field,
    zip_code_field,
)
from members.models import Member


class ProfileForm(forms.ModelForm):
    """What a member may change about themself. Legal name, employer and local go through staff."""

    NAME_FIELDS = ("preferred_name",)

    state = state_field()
    zip_code = zip_code_field()

    class Meta:
        model = Member
        fields = [
            "preferred_name", "email", "mobile_phone",
            "address_line1", "address_line2", "city", "state", "zip_code",
            "job_title", "employment_basis",
            "contact_by_email", "contact_by_text", "contact_by_mail",
        ]
        widgets = {
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "mobile_phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "address_line1": forms.TextInput(attrs={"autocomplete": "address-line1"}),
            "address_line2": forms.TextInput(attrs={"autocomplete": "address-line2"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "employment_basis": forms.RadioSelect,
        }

    def clean_mobile_phone(self):
        return clean_us_phone(self.cleaned_data["mobile_phone"])

    def clean_zip_code(self):
        return clean_zip_code(self.cleaned_data["zip_code"])

    def clean(self):
        cleaned = super().clean()
        for name in self.NAME_FIELDS:
            if cleaned.get(name):
                try:
                    refuse_invisible_characters(cleaned[name])
                except forms.ValidationError as error:
                    self.add_error(name, error)
        return cleaned
