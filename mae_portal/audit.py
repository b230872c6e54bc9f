"""The audit trail: services call `audit_record` for every change they make."""

from django.contrib.contenttypes.models import ContentType

from mae_portal.models import AuditLog


def client_ip(request):
    """The client's address as the first trusted proxy saw it (REMOTE_ADDR behind gunicorn)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(*, actor, action: str, obj=None, changes: dict | None = None, ip: str | None = None) -> AuditLog:
    return AuditLog.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        changes=changes or {},
        ip_address=ip,
    )


def diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields whose value changed, as JSON-friendly strings."""
    return {
        key: [_plain(before.get(key)), _plain(after.get(key))]
        for key in after
        if before.get(key) != after.get(key)
    }


def _plain(value):
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return str(value)


def model_update(*, instance, data: dict, actor, action: str, ip: str | None = None, subject=None,
                 update_fields_extra=()):
    """Set `data` on `instance`, save only the fields that changed, and audit the change once.

    Returns (instance, changes): `changes` is `{field: [old, new]}`, empty when nothing changed
    (then nothing is saved and nothing is audited). `subject` is the record whose trail the entry
    belongs to (the member of a term, the case of a letter); it defaults to the instance itself.
    """
    before = {field: getattr(instance, field) for field in data}
    for field, value in data.items():
        setattr(instance, field, value)
    changes = diff(before, data)
    if not changes:
        return instance, {}
    instance.save(update_fields=[*changes, *update_fields_extra])
    audit_record(actor=actor, action=action, obj=instance, changes=changes, ip=ip)
    return instance, changes
