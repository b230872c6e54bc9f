import uuid
from datetime import timedelta

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeOperators
from django.contrib.postgres.indexes import GinIndex
from django.core.cache import cache
from django.db import models, transaction
from django.db.models import Func, Q, Value
from django.db.models.functions import Lower

MEMBER_NUMBER_SEQUENCE = "members_member_number_seq"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A login. Signs in by email; the member record, if any, hangs off it as `user.member`."""

    username = None
    email = models.EmailField("email address", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = UserManager()

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self):
        return self.get_full_name() or self.email


class UniServRegion(models.Model):
    """A field-staff region: a UniServ director works the members' cases of its districts."""

    number = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=100, unique=True)
    directors = models.ManyToManyField(User, related_name="uniserv_regions", blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = "UniServ region"

    def __str__(self):
        return f"Region {self.number}: {self.name}"


class District(models.Model):
    """A school district (or other public employer) in Mississippi."""

    class PaySchedule(models.TextChoices):
        MONTHLY_LAST = "monthly_last", "Monthly, last business day"
        SEMIMONTHLY = "semimonthly", "Twice a month, the 15th and the last day"
        BIWEEKLY = "biweekly", "Every other Friday"

    name = models.CharField(max_length=150, unique=True)
    county = models.CharField(max_length=60)
    region = models.ForeignKey(UniServRegion, on_delete=models.PROTECT, related_name="districts")
    pay_schedule = models.CharField(max_length=15, choices=PaySchedule.choices, default=PaySchedule.MONTHLY_LAST)
    pay_anchor = models.DateField(null=True, blank=True, help_text="For every-other-Friday pay: any one payday.")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class DistrictClosure(models.Model):
    """A day a district's offices are closed beyond weekends and state holidays (a snow day, a board-declared
    holiday), entered by membership staff. The business calendar for that district counts it as closed."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="closures")
    day = models.DateField()
    reason = models.CharField(max_length=120, help_text="Shown in deadline explanations, e.g. \"snow day\".")

    class Meta:
        ordering = ["district__name", "day"]
        constraints = [models.UniqueConstraint(fields=["district", "day"], name="district_closure_unique_day")]

    def __str__(self):
        return f"{self.district}: {self.day:%B %-d, %Y} ({self.reason})"


class Worksite(models.Model):
    class Kind(models.TextChoices):
        ELEMENTARY = "elementary", "Elementary school"
        MIDDLE = "middle", "Middle school"
        HIGH = "high", "High school"
        CENTRAL_OFFICE = "central_office", "Central office"
        TRANSPORTATION = "transportation", "Transportation depot"
        FOOD_SERVICE = "food_service", "Food service center"
        MAINTENANCE = "maintenance", "Maintenance facility"
        OTHER = "other", "Other site"

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="worksites")
    name = models.CharField(max_length=150)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)

    class Meta:
        ordering = ["district__name", "name"]
        constraints = [models.UniqueConstraint(fields=["district", "name"], name="worksite_unique_per_district")]

    def __str__(self):
        return f"{self.name} ({self.district})"


class Local(models.Model):
    """A local association; it may span several districts."""

    name = models.CharField(max_length=150, unique=True)
    districts = models.ManyToManyField(District, related_name="locals", blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "local association"

    def __str__(self):
        return self.name


class LocalOfficer(models.Model):
    """An officer of a local. Officers with a login see their local's roster."""

    class Role(models.TextChoices):
        PRESIDENT = "president", "President"
        VICE_PRESIDENT = "vice_president", "Vice president"
        SECRETARY = "secretary", "Secretary"
        TREASURER = "treasurer", "Treasurer"
        MEMBERSHIP_CHAIR = "membership_chair", "Membership chair"
        BUILDING_REP = "building_rep", "Building representative"

    local = models.ForeignKey(Local, on_delete=models.CASCADE, related_name="officers")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="local_offices")
    role = models.CharField(max_length=20, choices=Role.choices)
    since = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["local__name", "role"]
        constraints = [models.UniqueConstraint(fields=["local", "user", "role"], name="local_officer_unique")]

    def __str__(self):
        return f"{self.get_role_display()}, {self.local}"


class CareerField(models.Model):
    """A line of work: the nine ESP career fields, plus teaching and other roles.

    Rows are reference data loaded by a migration (members/reference.py); staff may edit descriptions in
    the admin. Moved here from esp (members/migrations/0004_career_fields.py) so that members reads no app.
    """

    class Kind(models.TextChoices):
        ESP = "esp", "Education Support Professional"
        PROFESSIONAL = "professional", "Teacher or licensed professional"
        OTHER = "other", "Other"

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    summary = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    example_jobs = models.CharField(max_length=400, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name

    @property
    def is_esp(self):
        return self.kind == self.Kind.ESP


class Member(models.Model):
    """A person the association serves. Membership terms and payments hang off this record.

    `user` is empty for people entered or imported by staff who have not made an account yet.
    """

    class EmploymentBasis(models.TextChoices):
        FULL_TIME = "full_time", "Full-time"
        PART_TIME = "part_time", "Part-time"

    user = models.OneToOneField(User, on_delete=models.PROTECT, null=True, blank=True, related_name="member")
    member_number = models.BigIntegerField(
        unique=True,
        editable=False,
        db_default=Func(Value(MEMBER_NUMBER_SEQUENCE), function="nextval", output_field=models.BigIntegerField()),
        help_text="Issued by a database sequence; never reused.",
    )
    nea_id = models.CharField("NEA ID", max_length=20, blank=True, default="")

    legal_first_name = models.CharField(max_length=60)
    legal_middle_name = models.CharField(max_length=60, blank=True)
    legal_last_name = models.CharField(max_length=80)
    preferred_name = models.CharField(max_length=60, blank=True, help_text="What we call you, if not your legal first name.")

    email = models.EmailField(blank=True, help_text="Where we write to you.")
    mobile_phone = models.CharField(max_length=20, blank=True)
    address_line1 = models.CharField("address", max_length=120, blank=True)
    address_line2 = models.CharField("apartment, suite, etc.", max_length=120, blank=True)
    city = models.CharField(max_length=60, blank=True)
    state = models.CharField(max_length=2, blank=True, default="MS")
    zip_code = models.CharField("ZIP code", max_length=10, blank=True)

    employer_district = models.ForeignKey(District, on_delete=models.PROTECT, null=True, blank=True, related_name="members")
    worksite = models.ForeignKey(Worksite, on_delete=models.PROTECT, null=True, blank=True, related_name="members")
    job_title = models.CharField(max_length=100, blank=True)
    career_field = models.ForeignKey(CareerField, on_delete=models.PROTECT, null=True, blank=True, related_name="members")
    employment_basis = models.CharField(max_length=10, choices=EmploymentBasis.choices, default=EmploymentBasis.FULL_TIME)
    hire_date = models.DateField(null=True, blank=True)
    local = models.ForeignKey(Local, on_delete=models.PROTECT, null=True, blank=True, related_name="members")

    contact_by_email = models.BooleanField("email me association news", default=True)
    contact_by_text = models.BooleanField("text me urgent alerts", default=False)
    contact_by_mail = models.BooleanField("send me printed mail", default=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["legal_last_name", "legal_first_name", "member_number"]
        constraints = [
            models.UniqueConstraint(fields=["nea_id"], condition=~Q(nea_id=""), name="member_nea_id_unique_when_present"),
        ]
        indexes = [
            models.Index(fields=["legal_last_name", "legal_first_name"], name="member_name_idx"),
            models.Index(fields=["legal_first_name"], name="member_first_name_idx"),  # the search's lexicon
            # Typo-tolerant staff search (pg_trgm).
            GinIndex(fields=["legal_last_name"], opclasses=["gin_trgm_ops"], name="member_last_trgm"),
            GinIndex(fields=["legal_first_name"], opclasses=["gin_trgm_ops"], name="member_first_trgm"),
            GinIndex(fields=["email"], opclasses=["gin_trgm_ops"], name="member_email_trgm"),
        ]

    def __str__(self):
        return f"{self.display_name} (#{self.member_number})"

    @property
    def display_name(self):
        return f"{self.preferred_name or self.legal_first_name} {self.legal_last_name}".strip()

    @property
    def legal_name(self):
        return " ".join(p for p in [self.legal_first_name, self.legal_middle_name, self.legal_last_name] if p)


# --- Membership: categories, dues, terms, plans, payments ------------------------------------------------

MONEY = {"max_digits": 10, "decimal_places": 2}


class MembershipCategory(models.Model):
    """A kind of membership (active professional, ESP full-time...). Staff add and edit them."""

    class Proration(models.TextChoices):
        NONE = "none", "Full dues whatever the join date"
        MONTHLY = "monthly", "Months left in the year, counting the join month"
        HALF_YEAR = "half_year", "Half dues when joining from February 1"

    code = models.SlugField(unique=True)
    name = models.CharField(max_length=100, unique=True)
    description = models.CharField(max_length=300, blank=True)
    # What the join form suggests this category for.
    suggested_for_kind = models.CharField(max_length=20, blank=True, help_text="Career-field kind: esp, professional or other.")
    suggested_for_basis = models.CharField(max_length=10, blank=True, choices=Member.EmploymentBasis.choices)
    is_retired = models.BooleanField(default=False)
    is_student = models.BooleanField(default=False)
    proration = models.CharField(max_length=10, choices=Proration.choices, default=Proration.MONTHLY)
    allows_installments = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name_plural = "membership categories"

    def __str__(self):
        return self.name


class DuesRate(models.Model):
    """A category's dues from a date on, in three shares. The rate in force on a day is the one
    with the latest effective_from on or before it."""

    category = models.ForeignKey(MembershipCategory, on_delete=models.PROTECT, related_name="rates")
    effective_from = models.DateField()
    local_share = models.DecimalField(**MONEY)
    state_share = models.DecimalField(**MONEY)
    national_share = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["category", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["category", "effective_from"], name="one_rate_per_category_per_day"),
            models.CheckConstraint(
                condition=Q(local_share__gte=0) & Q(state_share__gte=0) & Q(national_share__gte=0),
                name="dues_shares_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.category} from {self.effective_from}: ${self.total}"

    @property
    def total(self):
        return self.local_share + self.state_share + self.national_share


class RenewalPolicy(models.Model):
    """The renewal window and grace period. One row (pk=1), edited by staff."""

    renewal_window_days = models.PositiveSmallIntegerField(default=45, help_text="Days before August 31 renewal opens.")
    grace_period_days = models.PositiveSmallIntegerField(default=30, help_text="Days after a term ends or starts unpaid before it lapses.")

    class Meta:
        verbose_name_plural = "renewal policy"

    def __str__(self):
        return f"Renewal opens {self.renewal_window_days} days before, grace {self.grace_period_days} days"

    CACHE_KEY = "members:renewal-policy:v1"
    CACHE_SECONDS = 300

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self.forget_cached()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        self.forget_cached()
        return result

    @classmethod
    def current(cls):
        """The policy, read from the cache (pages read it on every request; staff change it a few times a year).
        Saving it clears the cache, at once and again after the commit (so no request caches the old row
        between the two); a read inside a transaction does not fill it; CACHE_SECONDS bounds how long a change
        made around the ORM goes unseen."""
        fields = ["id", "renewal_window_days", "grace_period_days"]
        values = cache.get(cls.CACHE_KEY)
        if values is not None:
            return cls.from_db(None, fields, values)
        policy = cls.objects.get_or_create(pk=1)[0]
        if transaction.get_connection().in_atomic_block:
            return policy  # it may be this transaction's change, which a rollback would undo: not cached
        cache.set(cls.CACHE_KEY, [getattr(policy, name) for name in ["pk", *fields[1:]]], cls.CACHE_SECONDS)
        return policy

    @classmethod
    def forget_cached(cls):
        cache.delete(cls.CACHE_KEY)
        transaction.on_commit(lambda: cache.delete(cls.CACHE_KEY))


class RenewalNoticeRule(models.Model):
    """When a renewal notice goes out, relative to the end of the member's term."""

    category = models.ForeignKey(MembershipCategory, on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="notice_rules", help_text="Empty: every category.")
    offset_days = models.SmallIntegerField(help_text="Negative: days before the term ends; 0: its last day; positive: days after.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["offset_days"]
        constraints = [models.UniqueConstraint(fields=["category", "offset_days"], name="notice_rule_unique",
                                               nulls_distinct=False)]

    def __str__(self):
        when = "on the last day" if self.offset_days == 0 else (
            f"{-self.offset_days} days before" if self.offset_days < 0 else f"{self.offset_days} days after")
        return f"{when} ({self.category or 'all categories'})"

    @property
    def stage(self):
        return "before" if self.offset_days < 0 else ("at" if self.offset_days == 0 else "after")


class DraftAuthorization(models.Model):
    """A member's signed authorization of recurring bank drafts: exactly what they agreed to, when, from where."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="authorizations")
    typed_name = models.CharField(max_length=150)
    agreed_text = models.TextField()
    text_version = models.CharField(max_length=20)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    signed_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-signed_at"]

    def __str__(self):
        return f"Authorization by {self.typed_name} on {self.signed_at:%Y-%m-%d}"


class PaymentPlan(models.Model):
    class Kind(models.TextChoices):
        ANNUAL = "annual", "Once a year by card"
        MONTHLY = "monthly", "Monthly bank draft"
        PAYDAY = "payday", "Bank draft on each payday"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        CANCELLED = "cancelled", "Cancelled"

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="plans")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    auto_renew = models.BooleanField(default=True)
    draft_day = models.PositiveSmallIntegerField(default=1, help_text="For monthly drafts: the day of the month.")
    authorization = models.ForeignKey(DraftAuthorization, on_delete=models.PROTECT, null=True, blank=True, related_name="plans")
    gateway = models.CharField(max_length=20, default="sandbox")
    gateway_customer = models.CharField(max_length=100, blank=True)
    gateway_payment_method = models.CharField(max_length=100, blank=True)
    payment_method_label = models.CharField(max_length=60, blank=True, help_text="E.g. 'Checking ending 6789'.")
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["member"], condition=Q(status="active"), name="one_active_plan_per_member")]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.get_status_display()})"

    @property
    def is_installment(self):
        return self.kind in (self.Kind.MONTHLY, self.Kind.PAYDAY)


class MembershipTerm(models.Model):
    """One membership year (or the rest of one) for one member. Terms of a member never overlap."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="terms")
    category = models.ForeignKey(MembershipCategory, on_delete=models.PROTECT, related_name="terms")
    membership_year = models.PositiveSmallIntegerField()
    period = DateRangeField(help_text="Start and end, both inclusive ([start, end+1) in PostgreSQL).")
    continues = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True, related_name="renewed_by")
    plan = models.ForeignKey(PaymentPlan, on_delete=models.PROTECT, null=True, blank=True, related_name="terms")
    local_share = models.DecimalField(**MONEY)
    state_share = models.DecimalField(**MONEY)
    national_share = models.DecimalField(**MONEY)
    amount_due = models.DecimalField(**MONEY)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True)
    verification_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-membership_year", "-created_at"]
        constraints = [
            ExclusionConstraint(
                name="terms_of_a_member_never_overlap",
                expressions=[("member", RangeOperators.EQUAL), ("period", RangeOperators.OVERLAPS)],
                condition=Q(cancelled_at__isnull=True),
            ),
            models.CheckConstraint(
                condition=Q(amount_due=models.F("local_share") + models.F("state_share") + models.F("national_share")),
                name="term_shares_add_up",
            ),
        ]
        indexes = [models.Index(fields=["membership_year"], name="term_year_idx")]

    def __str__(self):
        return f"{self.member.display_name}: {self.category} {self.membership_year}-{str(self.membership_year + 1)[-2:]}"

    @property
    def start(self):
        return self.period.lower

    @property
    def end(self):
        # Stored half-open: the last covered day is the day before the upper bound.
        return self.period.upper - timedelta(days=1)

    @property
    def year_label(self):
        return f"{self.membership_year}-{str(self.membership_year + 1)[-2:]}"


class Payment(models.Model):
    class Method(models.TextChoices):
        CARD = "card", "Card"
        BANK_DRAFT = "bank_draft", "Bank draft"
        CHECK = "check", "Check"
        CASH = "cash", "Cash"
        ADJUSTMENT = "adjustment", "Adjustment"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Paid"
        FAILED = "failed", "Failed"
        REFUNDED = "refunded", "Refunded"
        # Never attempted and no longer wanted (drafts stopped, the term paid another way): not a failure.
        CANCELLED = "cancelled", "Cancelled"

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="payments")
    term = models.ForeignKey(MembershipTerm, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(**MONEY, help_text="Negative for refunds and downward adjustments.")
    method = models.CharField(max_length=12, choices=Method.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    due_on = models.DateField(null=True, blank=True, help_text="For installments: the draft date.")
    installment_number = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Set on the term's original schedule (1 for an annual payment); empty for retries, staff entries."
    )
    gateway = models.CharField(max_length=20, blank=True)
    gateway_reference = models.CharField(max_length=120, blank=True)
    idempotency_key = models.CharField(max_length=120, unique=True)
    failure_message = models.CharField(max_length=300, blank=True)
    check_number = models.CharField(max_length=30, blank=True)
    note = models.CharField(max_length=300, blank=True)
    refund_of = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="refunds")
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(
        null=True, blank=True, help_text="When the nightly run sent the draft to the gateway (reconciled if no answer came).")
    attention = models.CharField(
        max_length=300, blank=True, help_text="Why staff must look at this payment (no answer from the gateway, an event "
                                              "that did not match); empty when all is well.")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["gateway", "gateway_reference"], condition=~Q(gateway_reference=""),
                                    name="payment_gateway_reference_unique"),
        ]
        indexes = [
            models.Index(fields=["status", "due_on"], name="payment_status_due_idx"),
            models.Index(fields=["created_at"], condition=~Q(attention=""), name="payment_needs_attention_idx"),
        ]

    def __str__(self):
        return f"${self.amount} {self.get_method_display()} ({self.get_status_display()})"


class GatewayEvent(models.Model):
    """Each webhook event processed once: a replay finds its id here and does nothing."""

    gateway = models.CharField(max_length=20)
    event_id = models.CharField(max_length=120)
    event_type = models.CharField(max_length=60)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    payment = models.ForeignKey("Payment", on_delete=models.SET_NULL, null=True, blank=True, related_name="gateway_events")
    amount = models.DecimalField(**MONEY, null=True, blank=True, help_text="As the gateway reported it.")
    currency = models.CharField(max_length=3, blank=True)
    mismatch = models.CharField(max_length=300, blank=True,
                                help_text="Why the event was recorded but not applied: its amount or currency differs.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["gateway", "event_id"], name="gateway_event_once")]

    def __str__(self):
        return f"{self.gateway} {self.event_type} {self.event_id}"


# Renewal notices and staff notes, and the staff search's stored statuses and name lexicon, live in modules of their own.
from members.models_notices import MemberNote, RenewalNotice  # noqa: E402, F401
from members.models_search import MemberStanding, NameLexicon, StandingStale, StandingState  # noqa: E402, F401
