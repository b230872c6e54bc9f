"""What everyone reads: ESP pages staff edit, career-field resources, spotlight stories."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class EspPage(models.Model):
    """A page staff edit: "What MAE does for ESPs", "The ESP Bill of Rights". Body is plain text with blank
    lines between paragraphs (rendered with linebreaks, never as HTML)."""

    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=150)
    summary = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title


class CareerFieldResource(models.Model):
    """A link or guide for a career field (NEA's ESP resources, a certification, a training)."""

    career_field = models.ForeignKey("members.CareerField", on_delete=models.CASCADE, related_name="resources")
    title = models.CharField(max_length=150)
    url = models.URLField(max_length=300)
    description = models.CharField(max_length=300, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["career_field", "sort_order", "title"]

    def __str__(self):
        return self.title


class SpotlightStory(models.Model):
    """A story about an ESP member, published only with the member's recorded consent."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        UNPUBLISHED = "unpublished", "Unpublished"

    title = models.CharField(max_length=150)
    slug = models.SlugField(max_length=160, unique=True)
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="spotlight_stories")
    career_field = models.ForeignKey("members.CareerField", on_delete=models.PROTECT, related_name="spotlight_stories")
    summary = models.CharField(max_length=300)
    body = models.TextField()
    # The member's consent to be featured: when, how, recorded by whom.
    consent_given_on = models.DateField(null=True, blank=True)
    consent_note = models.CharField(max_length=200, blank=True, help_text='How it was given, e.g. "signed release form".')
    consent_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                            related_name="+")
    photo = models.OneToOneField("mae_portal.StoredDocument", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="spotlight_story")
    photo_alt = models.CharField(max_length=250, blank=True, help_text="What the photo shows, for screen readers.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-created_at"]
        verbose_name_plural = "spotlight stories"
        constraints = [
            models.CheckConstraint(condition=~Q(status="published") | Q(consent_given_on__isnull=False),
                                   name="story_published_needs_consent"),
            models.CheckConstraint(condition=Q(photo__isnull=True) | ~Q(photo_alt=""), name="story_photo_needs_alt"),
        ]

    def __str__(self):
        return self.title
