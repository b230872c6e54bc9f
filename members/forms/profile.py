"""The member's profile form."""

import re

from django import forms

from members.models import Member


class ProfileForm(forms.ModelForm):
    """What a member may change about themself. Legal name, employer and local go through staff."""

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
            "state": forms.TextInput(attrs={"autocomplete": "address-level1", "size": 2}),
            "zip_code": forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
            "employment_basis": forms.RadioSelect,
        }

    def clean_mobile_phone(self):
        value = self.cleaned_data["mobile_phone"].strip()
        if not value:
            return ""
        digits = re.sub(r"\D", "", value)
        if len(digits) == 11 and digits.startswith("1"):
            digits = digits[1:]
        if len(digits) != 10:
            raise forms.ValidationError("Enter a 10-digit US phone number, like 601-555-0142.")
        return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"

    def clean_state(self):
        value = self.cleaned_data["state"].strip().upper()
        if value and not re.fullmatch(r"[A-Z]{2}", value):
            raise forms.ValidationError("Use the two-letter state code, like MS.")
        return value

    def clean_zip_code(self):
        value = self.cleaned_data["zip_code"].strip()
        if value and not re.fullmatch(r"\d{5}(-\d{4})?", value):
            raise forms.ValidationError("Enter a 5-digit ZIP code, like 39201, or ZIP+4.")
        return value
