"""The audit trail: services call `audit_record` for every change they make.

Every entry carries an action name from a registry (so the audit pages can show a label, and a typo
fails loudly instead of starting a new kind of entry) and a subject: the record whose trail the entry
belongs to. Apps register both from their `AppConfig.ready()`:

    register_audit_actions({"member.profile_updated": "Profile updated"})
    register_audit_subject(Payment, lambda payment: payment.member)

A model with no subject resolver is its own subject, so a record's trail is one indexed query on
(subject_type, subject_id): `audit_trail_for(member)`.
"""

import ipaddress

from django.conf import settings
from django.contrib.contenttypes.models import ContentType

from mae_portal.models import AuditLog

_ACTIONS: dict[str, str] = {}
_SUBJECT_RESOLVERS: dict[type, object] = {}


def register_audit_actions(actions: dict[str, str]) -> None:
    """Add `{action name: label}`. Registering a name again with another label is a mistake."""
    for name, label in actions.items():
        if _ACTIONS.get(name, label) != label:
            raise ValueError(f"audit action {name!r} is already registered as {_ACTIONS[name]!r}")
        _ACTIONS[name] = label


def audit_action_label(name: str) -> str:
    """The registered label; an old entry whose action is no longer registered shows its name."""
    return _ACTIONS.get(name, name)


def registered_audit_actions() -> dict[str, str]:
    return dict(_ACTIONS)


def register_audit_subject(model, resolver) -> None:
    """`resolver(obj)` returns the record whose trail an entry about `obj` belongs to (or None)."""
    _SUBJECT_RESOLVERS[model] = resolver


def audit_subject_of(obj):
    """The subject of an entry about `obj`: its registered resolver's answer, else `obj` itself."""
    if obj is None:
        return None
    resolver = _SUBJECT_RESOLVERS.get(type(obj)._meta.concrete_model)
    return resolver(obj) if resolver is not None else obj


# The core's own actions: the admin audits every change made through it.
register_audit_actions({
    "admin.added": "Added in the admin",
    "admin.changed": "Changed in the admin",
    "admin.deleted": "Deleted in the admin",
    "document.uploaded": "Document uploaded",
    "mfa.reset": "Two-factor authentication reset by an administrator",
})


def client_ip(request):
    """The client's address, as the outermost of settings.TRUSTED_PROXY_COUNT proxies saw it.

    Each trusted proxy appends the address it received the request from to X-Forwarded-For, so the
    client's is the TRUSTED_PROXY_COUNT-th entry from the right; entries left of it are the client's
    own to write and are never read. With no trusted proxy (the default) the header is ignored: anyone
    could send it. A header shorter than the chain (a request that did not come through every proxy,
    such as the container's health check) or an entry that is not an address falls back to the peer,
    REMOTE_ADDR. allauth's rate limits and user sessions read the same function (see adapters.py)."""
    if request is None:
        return None
    peer = request.META.get("REMOTE_ADDR") or None
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count <= 0 or not forwarded:
        return peer
    entries = [entry.strip() for entry in forwarded.split(",")]
    if len(entries) < count:
        return peer
    try:
        return str(ipaddress.ip_address(entries[-count]))
    except ValueError:
        return peer


_SUBJECT_LINKS: dict = {}


def register_audit_subject_link(model, link) -> None:
    """`link(subject, user)` -> the URL of the subject's page for that user, or None if they may not open it.
    The audit page names each entry's subject and links it through this."""
    _SUBJECT_LINKS[model] = link


def audit_subjects(entries, *, user) -> list:
    """Sets `subject_label` and `subject_url` on each entry: one query per subject type on the page."""
    entries = list(entries)
    wanted: dict = {}
    for entry in entries:
        if entry.subject_type_id and entry.subject_id:
            wanted.setdefault(entry.subject_type_id, set()).add(entry.subject_id)
    found = {}
    for type_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None:
            continue
        for row in model._default_manager.filter(pk__in=ids):
            found[(type_id, str(row.pk))] = row
    for entry in entries:
        subject = found.get((entry.subject_type_id, entry.subject_id))
        entry.subject_label = str(subject) if subject is not None else ""
        link = _SUBJECT_LINKS.get(type(subject)) if subject is not None else None
        entry.subject_url = link(subject, user) if link else None
    return entries


def audit_record(*, actor, action: str, obj=None, subject=None, changes: dict | None = None,
                 ip: str | None = None) -> AuditLog:
    """Append one entry. `action` must be registered (ValueError otherwise); `subject` defaults to
    the subject registered for `obj`'s model, or `obj` itself."""
    if action not in _ACTIONS:
        raise ValueError(f"unregistered audit action {action!r}: add it with register_audit_actions()")
    if subject is None:
        subject = audit_subject_of(obj)
    return AuditLog.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        subject_type=ContentType.objects.get_for_model(subject) if subject is not None else None,
        subject_id=str(subject.pk) if subject is not None else "",
        changes=changes or {},
        ip_address=ip,
    )


def audit_trail_for(subject, *, limit: int = 100):
    """The entries whose subject is `subject`, newest first: one query on the subject index."""
    return (
        AuditLog.objects.filter(subject_type=ContentType.objects.get_for_model(subject), subject_id=str(subject.pk))
        .select_related("actor", "content_type")
        .order_by("-created_at", "-id")[:limit]
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
    belongs to (the member of a term, the case of a letter); it defaults to the subject registered
    for the instance's model, or the instance itself.
    """
    before = {field: getattr(instance, field) for field in data}
    for field, value in data.items():
        setattr(instance, field, value)
    changes = diff(before, data)
    if not changes:
        return instance, {}
    instance.save(update_fields=[*changes, *update_fields_extra])
    audit_record(actor=actor, action=action, obj=instance, subject=subject, changes=changes, ip=ip)
    return instance, changes
