from django.db import models


class CareerField(models.Model):
    """A line of work: the nine ESP career fields, plus teaching and other roles.

    Rows are reference data loaded by a migration; staff may edit descriptions in the admin.
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
