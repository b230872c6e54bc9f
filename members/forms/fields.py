"""Checks shared by the forms that take a member's name, address and phone.

US states and ZIP codes come from django-localflavor, phone numbers from `phonenumbers` (Google's
libphonenumber metadata), rather than hand-written patterns that let "ZZ" or a 555-555 number through.
Stored formats are unchanged: "MS", "39201" or "39201-1234", "601-555-0142".
"""

import unicodedata
from datetime import date

import phonenumbers
from django import forms
from localflavor.us.forms import USStateField, USZipCodeField

EARLIEST_HIRE_DATE = date(1950, 1, 1)
# Direction overrides and isolates (U+202A-U+202E, U+2066-U+2069) are category Cf; listed here because
# they are why the rule exists: a name that reads backwards in the audit log.
_BIDI_CONTROLS = {chr(code) for code in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]}


def refuse_invisible_characters(value: str) -> str:
    """Control (Cc), format (Cf: zero-width, bidi) characters have no place in a name."""
    if any(char in _BIDI_CONTROLS or unicodedata.category(char) in ("Cc", "Cf") for char in value):
        raise forms.ValidationError("Remove the invisible or control characters from this name.")
    return value


def state_field():
    return USStateField(
        label="State", required=False,
        error_messages={"invalid": "Use the two-letter code of a US state or territory, like MS."},
        widget=forms.TextInput(attrs={"autocomplete": "address-level1", "size": 2}),
    )


def zip_code_field():
    return USZipCodeField(
        label="ZIP code", required=False,
        error_messages={"invalid": "Enter a 5-digit ZIP code, like 39201, or ZIP+4."},
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )


def clean_zip_code(value: str) -> str:
    # localflavor checks the shape; no ZIP code begins with 000 (the lowest in use is 00501).
    if value and value.startswith("000"):
        raise forms.ValidationError("Enter a ZIP code in use, like 39201.")
    return value


def clean_us_phone(value: str) -> str:
    """A valid number of the North American plan, stored as 601-555-0142; blank stays blank."""
    value = value.strip()
    if not value:
        return ""
    message = "Enter a 10-digit US phone number, like 601-555-0142."
    try:
        number = phonenumbers.parse(value, "US")
    except phonenumbers.NumberParseException:
        raise forms.ValidationError(message) from None
    if number.country_code != 1 or not phonenumbers.is_valid_number(number):
        raise forms.ValidationError(message)
    digits = str(number.national_number)
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"


def clean_hire_date(value: date | None, *, today: date) -> date | None:
    if value and value > today:
        raise forms.ValidationError("Your hire date cannot be in the future.")
    if value and value < EARLIEST_HIRE_DATE:
        raise forms.ValidationError("Check the year of your hire date.")
    return value
