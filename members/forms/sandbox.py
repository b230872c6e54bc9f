"""The sandbox checkout's card and bank account forms."""

import re
from datetime import date

from django import forms


class SandboxCardForm(forms.Form):
    number = forms.CharField(label="Card number", max_length=23,
                             widget=forms.TextInput(attrs={"autocomplete": "cc-number", "inputmode": "numeric"}))
    expiry = forms.CharField(label="Expiry date (MM/YY)", max_length=7,
                             widget=forms.TextInput(attrs={"autocomplete": "cc-exp", "inputmode": "numeric"}))
    cvc = forms.CharField(label="Security code (CVC)", max_length=4,
                          widget=forms.TextInput(attrs={"autocomplete": "cc-csc", "inputmode": "numeric"}))
    name = forms.CharField(label="Name on card", max_length=100, widget=forms.TextInput(attrs={"autocomplete": "cc-name"}))

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_number(self):
        digits = re.sub(r"[\s-]", "", self.cleaned_data["number"])
        if not re.fullmatch(r"\d{13,19}", digits):
            raise forms.ValidationError("Enter the 13 to 19 digits of the card number.")
        return digits

    def clean_expiry(self):
        match = re.fullmatch(r"\s*(\d{1,2})\s*/\s*(\d{2}|\d{4})\s*", self.cleaned_data["expiry"])
        if not match or not 1 <= int(match[1]) <= 12:
            raise forms.ValidationError("Enter the expiry date as MM/YY, like 04/29.")
        month, year = int(match[1]), int(match[2]) % 100 + 2000
        if (year, month) < (self.today.year, self.today.month):
            raise forms.ValidationError("This card has expired.")
        return f"{month:02d}/{year % 100:02d}"

    def clean_cvc(self):
        value = self.cleaned_data["cvc"].strip()
        if not re.fullmatch(r"\d{3,4}", value):
            raise forms.ValidationError("Enter the 3 or 4 digits of the security code.")
        return value


class SandboxBankForm(forms.Form):
    name = forms.CharField(label="Account holder's name", max_length=100, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    routing = forms.CharField(label="Routing number", max_length=9,
                              widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    account = forms.CharField(label="Account number", max_length=17,
                              widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))

    def clean_routing(self):
        value = self.cleaned_data["routing"].strip()
        if not re.fullmatch(r"\d{9}", value):
            raise forms.ValidationError("Enter the 9-digit routing number.")
        return value

    def clean_account(self):
        value = self.cleaned_data["account"].strip()
        if not re.fullmatch(r"\d{4,17}", value):
            raise forms.ValidationError("Enter the account number: 4 to 17 digits.")
        return value
