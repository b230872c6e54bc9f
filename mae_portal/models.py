import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models


class EmailDelivery(models.Model):
    """One email to one recipient, rendered when asked for and sent by a Celery task.

    The idempotency key is unique, so asking twice (a double submit, a retried task) stores one row,
    and the task sends only a row that is not already sent.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    idempotency_key = models.CharField(max_length=200, unique=True)
    template_name = models.CharField(max_length=100)
    to = models.EmailField()
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    # Account emails carry one-time links; their bodies are wiped once delivered.
    sensitive = models.BooleanField(default=False)
    attachment = models.ForeignKey("StoredDocument", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                   help_text="A generated PDF sent with the message.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "email deliveries"
        indexes = [models.Index(fields=["status", "created_at"], name="email_status_idx")]

    def __str__(self):
        return f"{self.template_name} to {self.to} ({self.status})"


def document_upload_to(instance, filename):
    # Generated name: nothing a user typed reaches the storage path (ASVS 5.3.2).
    return f"documents/{instance.created_at:%Y/%m}/{instance.pk}.pdf"


class StoredDocument(models.Model):
    """A generated PDF, served only through the permission-checked download view."""

    class Kind(models.TextChoices):
        MEMBER_RECORD = "member_record", "Copy of my member record"
        RECEIPT = "receipt", "Receipt"
        CARD = "card", "Membership card"
        COVERAGE_LETTER = "coverage_letter", "Liability coverage letter"
        AUTHORIZATION = "authorization", "Bank draft authorization"

    class Status(models.TextChoices):
        PENDING = "pending", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Could not be prepared"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    title = models.CharField(max_length=200)
    download_name = models.CharField(max_length=100)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # What the document is of ("term:12", "payment:40"): with kind, makes a retried task produce one document.
    subject_key = models.CharField(max_length=60, blank=True, default="")
    file = models.FileField(upload_to=document_upload_to, blank=True)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    ready_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "kind"], condition=models.Q(status="pending", subject_key=""),
                name="one_pending_document_per_kind",
            ),
            models.UniqueConstraint(
                fields=["kind", "subject_key"], condition=~models.Q(subject_key=""), name="one_document_per_subject"
            ),
        ]

    def __str__(self):
        return self.title


class AuditLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The audit log is append-only.")

    def delete(self):
        raise PermissionError("The audit log is append-only.")


class AuditLog(models.Model):
    """Who did what to which record, when, from where. Append-only: the ORM refuses updates and
    deletes, and a database trigger refuses them from anywhere else."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    action = models.CharField(max_length=60)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    # The record whose trail the entry belongs to (a payment's member, later a case): one indexed
    # lookup gives a record's whole history, whatever rows of it were changed.
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    subject_id = models.CharField(max_length=64, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["subject_type", "subject_id", "-created_at"], name="audit_subject_idx"),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only.")
