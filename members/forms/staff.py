"""Forms of the membership staff pages. They check what was typed; the services decide the rest."""

from decimal import Decimal

from django import forms

from members.forms.tokens import TokenForm
from members.models import (
    CareerField,
    Local,
    Member,
    MembershipCategory,
    Payment,
    RenewalNoticeRule,
    RenewalPolicy,
    UniServRegion,
)
from members.selectors.payments import check_recorded_before
from members.selectors.search import MEMBER_STATUSES

MONEY_FIELD = {"max_digits": 10, "decimal_places": 2}


def money_field(label, *, min_value=Decimal("0.01"), **kwargs):
    return forms.DecimalField(label=label, min_value=min_value, **MONEY_FIELD,
                              widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}), **kwargs)


def date_field(label, **kwargs):
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **kwargs)


class StaffSearchForm(forms.Form):
    q = forms.CharField(label="Name, email, member number, NEA ID or district", required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}))
    status = forms.ChoiceField(label="Status this year", required=False, choices=[("", "Any status"), *MEMBER_STATUSES])
    category = forms.ModelChoiceField(label="Category", required=False, queryset=MembershipCategory.objects.all(),
                                      empty_label="Any category", help_text="Of the member's latest membership.")
    career_field = forms.ModelChoiceField(label="Career field", required=False, queryset=CareerField.objects.all(),
                                          empty_label="Any career field")
    local = forms.ModelChoiceField(label="Local", required=False, queryset=Local.objects.all(), empty_label="Any local")
    region = forms.ModelChoiceField(label="UniServ region", required=False, queryset=UniServRegion.objects.all(),
                                    empty_label="Any region")

    def __init__(self, *args, choices: dict | None = None, **kwargs):
        """`choices`: field name -> [(pk, label)] to show instead of reading each list (selectors.search.
        search_filter_choices); a chosen value is still looked up in the field's queryset when cleaned."""
        super().__init__(*args, **kwargs)
        for name, items in (choices or {}).items():
            field = self.fields[name]
            field.choices = [("", field.empty_label), *items]


class MemberNoteForm(TokenForm):
    text = forms.CharField(label="Note", max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="Staff only. Members never see notes.")


def check_number_field():
    field = forms.CharField(label="Check number", max_length=30, required=False,
                            help_text="Required for a check. Leave it empty for cash.")
    field.required_for = "a check"  # _field.html: neither "(optional)" nor required in every case
    return field


def balance_hint(money) -> str:
    """What is left to pay of a term (its TermMoney), shown beside an amount that is checked against it."""
    return (f"Left to pay: ${money.balance} (dues ${money.amount_due}, paid ${money.paid}"
            + (f", ${money.pending} pending" if money.pending else "") + ").")


class PaymentRecordForm(TokenForm):
    """`money`: the term's TermMoney (selectors.terms.term_money), shown beside the amount and checked against it."""

    method = forms.ChoiceField(label="Paid by", widget=forms.RadioSelect,
                               choices=[(Payment.Method.CHECK, "Check"), (Payment.Method.CASH, "Cash")])
    amount = money_field("Amount ($)")
    overpayment = forms.BooleanField(label="Record an overpayment: more than is left to pay", required=False)
    check_number = check_number_field()
    different_check = forms.BooleanField(
        label="This is a different check (its number was recorded for this member before)", required=False)
    note = forms.CharField(label="Note", max_length=300, required=False)

    def __init__(self, *args, member, money, **kwargs):
        super().__init__(*args, **kwargs)
        self.member, self.money = member, money
        self.fields["amount"].help_text = balance_hint(money)
        if not self.is_bound and money.balance > 0:
            self.initial.setdefault("amount", money.balance)

    def clean(self):
        data = super().clean()
        if data.get("method") == Payment.Method.CHECK and not data.get("check_number", "").strip():
            self.add_error("check_number", "Enter the check number.")
        amount = data.get("amount")
        if amount is not None and amount > self.money.balance and not data.get("overpayment"):
            self.add_error("amount", f"${amount} is more than the ${self.money.balance} left to pay. Enter the balance, "
                                     "or tick \"Record an overpayment\".")
        if data.get("method") == Payment.Method.CHECK and not data.get("different_check"):
            earlier = check_recorded_before(member=self.member, check_number=data.get("check_number", ""))
            if earlier is not None:
                self.add_error("check_number", f"Check {earlier.check_number} was recorded already "
                                               f"(${earlier.amount} for {earlier.term.year_label}, "
                                               f"{earlier.paid_at:%B %-d, %Y}). If this is another check with "
                                               "the same number, tick \"This is a different check\".")
        return data


class RefundForm(TokenForm):
    amount = money_field("Amount to refund ($)")
    reason = forms.CharField(label="Reason", max_length=300)

    def __init__(self, *args, refundable: Decimal, **kwargs):
        super().__init__(*args, **kwargs)
        self.refundable = refundable
        self.fields["amount"].help_text = f"Up to ${refundable}."
        if not self.is_bound:
            self.initial.setdefault("amount", refundable)

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount > self.refundable:
            raise forms.ValidationError(f"At most ${self.refundable} of this payment can be refunded.")
        return amount


class AdjustmentForm(TokenForm):
    """`money`: the term's TermMoney, shown beside the amount; a credit above its balance needs `above_balance`."""

    kind = forms.ChoiceField(label="Adjustment", widget=forms.RadioSelect, choices=[
        ("credit", "Credit: lowers what the member owes (e.g. a hardship waiver)"),
        ("charge", "Charge: raises what the member owes (e.g. a returned check fee)"),
    ])
    amount = money_field("Amount ($)")
    above_balance = forms.BooleanField(label="Record a credit above the balance: more than is left to pay",
                                       required=False)
    reason = forms.CharField(label="Reason", max_length=300)

    def __init__(self, *args, money, **kwargs):
        super().__init__(*args, **kwargs)
        self.money = money
        self.fields["amount"].help_text = balance_hint(money) + " A charge is not limited by it."

    def clean(self):
        data = super().clean()
        amount = data.get("amount")
        if (data.get("kind") == "credit" and amount is not None and amount > self.money.balance
                and not data.get("above_balance")):
            self.add_error("amount", f"A credit of ${amount} is more than the ${self.money.balance} left to pay. "
                                     "Enter the balance, or tick \"Record a credit above the balance\".")
        return data

    @property
    def signed_amount(self) -> Decimal:
        amount = self.cleaned_data["amount"]
        return amount if self.cleaned_data["kind"] == "credit" else -amount


class AttentionResolveForm(forms.Form):
    note = forms.CharField(label="What was done", max_length=300,
                           help_text="E.g. \"Stripe shows the draft paid on May 2; recorded by hand\" or \"refunded $5.00\".")


class TermCategoryForm(forms.Form):
    category = forms.ModelChoiceField(label="New category", queryset=MembershipCategory.objects.none(),
                                      empty_label="Choose a category")

    def __init__(self, *args, term, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = MembershipCategory.objects.filter(is_active=True).exclude(pk=term.category_id)


class TermCancelForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=200,
                             help_text="E.g. joined in error, left the district, duplicate record.")


class ConfirmForm(forms.Form):
    """Nothing to type: the page itself is the confirmation."""


class StaffJoinForm(TokenForm):
    which = forms.ChoiceField(label="Membership", widget=forms.RadioSelect)
    category = forms.ModelChoiceField(label="Category", queryset=MembershipCategory.objects.filter(is_active=True),
                                      empty_label="Choose a category")
    method = forms.ChoiceField(label="Payment", widget=forms.RadioSelect, choices=[
        (Payment.Method.CHECK, "Check, in hand"), (Payment.Method.CASH, "Cash, in hand"),
        ("online", "The member will pay online by card"),
    ])
    check_number = check_number_field()
    note = forms.CharField(label="Payment note", max_length=300, required=False)

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["which"].choices = choices
        if len(choices) == 1 and not self.is_bound:
            self.initial.setdefault("which", choices[0][0])

    def clean(self):
        data = super().clean()
        if data.get("method") == Payment.Method.CHECK and not data.get("check_number", "").strip():
            self.add_error("check_number", "Enter the check number.")
        return data


CATEGORY_FIELDS = ["name", "description", "suggested_for_kind", "suggested_for_basis", "is_retired", "is_student",
                   "proration", "allows_installments", "is_active", "sort_order"]


class CategoryForm(forms.ModelForm):
    suggested_for_kind = forms.ChoiceField(label="Suggested for career fields of kind", required=False,
                                           choices=[("", "None"), *CareerField.Kind.choices])

    class Meta:
        model = MembershipCategory
        fields = CATEGORY_FIELDS
        labels = {"is_retired": "For retired members", "is_student": "For students",
                  "allows_installments": "Dues may be paid by bank draft installments",
                  "is_active": "Open for joining", "suggested_for_basis": "Suggested for"}
        widgets = {"description": forms.TextInput, "proration": forms.RadioSelect}


class CategoryCreateForm(CategoryForm):
    """A new category and its first dues rate (a category without a rate cannot be joined)."""

    effective_from = date_field("Dues from")
    local_share = money_field("Local share ($)", min_value=Decimal("0"))
    state_share = money_field("State (MAE) share ($)", min_value=Decimal("0"))
    national_share = money_field("National (NEA) share ($)", min_value=Decimal("0"))

    class Meta(CategoryForm.Meta):
        fields = ["code", *CATEGORY_FIELDS]
        help_texts = {"code": "Short, lowercase, with hyphens: e.g. esp-substitute. It cannot be changed later."}

    RATE_FIELDS = ("effective_from", "local_share", "state_share", "national_share")

    def category_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    def rate_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.RATE_FIELDS}


class DuesRateForm(forms.Form):
    effective_from = date_field("Dues from", help_text="The rate applies to memberships starting on or after this day.")
    local_share = money_field("Local share ($)", min_value=Decimal("0"))
    state_share = money_field("State (MAE) share ($)", min_value=Decimal("0"))
    national_share = money_field("National (NEA) share ($)", min_value=Decimal("0"))

    def __init__(self, *args, category, **kwargs):
        super().__init__(*args, **kwargs)
        self.category = category

    def clean_effective_from(self):
        day = self.cleaned_data["effective_from"]
        if self.category.rates.filter(effective_from=day).exists():
            raise forms.ValidationError(f"{self.category} already has a rate from this date. Choose another date.")
        return day


class RenewalPolicyForm(forms.ModelForm):
    class Meta:
        model = RenewalPolicy
        fields = ["renewal_window_days", "grace_period_days"]
        labels = {"renewal_window_days": "Renewal opens this many days before August 31",
                  "grace_period_days": "Grace period, in days"}

    def clean_renewal_window_days(self):
        value = self.cleaned_data["renewal_window_days"]
        if not 1 <= value <= 180:
            raise forms.ValidationError("Enter a number of days from 1 to 180.")
        return value

    def clean_grace_period_days(self):
        value = self.cleaned_data["grace_period_days"]
        if value > 120:
            raise forms.ValidationError("Enter a number of days from 0 to 120.")
        return value


class NoticeRuleForm(forms.Form):
    category = forms.ModelChoiceField(label="Category", queryset=MembershipCategory.objects.all(), required=False,
                                      empty_label="Every category")
    offset_days = forms.IntegerField(
        label="Days from the end of the membership", min_value=-180, max_value=180,
        help_text="Negative: before August 31 (e.g. -30); 0: on the last day; positive: after it (e.g. 14).")

    def clean(self):
        data = super().clean()
        if "offset_days" in data and RenewalNoticeRule.objects.filter(
                category=data.get("category"), offset_days=data["offset_days"]).exists():
            self.add_error("offset_days", "That notice exists already; turn it on in the list if it is off.")
        return data


class MemberOnDateForm(forms.Form):
    member_number = forms.IntegerField(label="Member number", min_value=1,
                                       widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    day = date_field("Date", help_text="E.g. the day of the incident.")

    def clean_member_number(self):
        number = self.cleaned_data["member_number"]
        self.member = Member.objects.filter(member_number=number).select_related("local", "employer_district").first()
        if self.member is None:
            raise forms.ValidationError("No member has this number. Check it, or find the member by name first.")
        return number
