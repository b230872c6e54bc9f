from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
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

    name = models.CharField(max_length=150, unique=True)
    county = models.CharField(max_length=60)
    region = models.ForeignKey(UniServRegion, on_delete=models.PROTECT, related_name="districts")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


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
    career_field = models.ForeignKey("esp.CareerField", on_delete=models.PROTECT, null=True, blank=True, related_name="members")
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
        indexes = [models.Index(fields=["legal_last_name", "legal_first_name"], name="member_name_idx")]

    def __str__(self):
        return f"{self.display_name} (#{self.member_number})"

    @property
    def display_name(self):
        return f"{self.preferred_name or self.legal_first_name} {self.legal_last_name}".strip()

    @property
    def legal_name(self):
        return " ".join(p for p in [self.legal_first_name, self.legal_middle_name, self.legal_last_name] if p)
