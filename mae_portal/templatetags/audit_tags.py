"""How the audit pages show an entry: its registered label, and its changes as sentences."""

from django import template

from mae_portal.audit import audit_action_label

register = template.Library()

# Kept for idempotency, meaningless to a reader.
HIDDEN_KEYS = {"form_token"}


@register.filter
def audit_action(name: str) -> str:
    return audit_action_label(name)


@register.filter
def audit_changes(changes) -> str:
    """{"state": ["ZZ", "MS"], "reason": "moved"} -> "State: ZZ → MS; Reason: moved"."""
    if not isinstance(changes, dict):
        return _value(changes)
    parts = []
    for key, value in changes.items():
        if key in HIDDEN_KEYS:
            continue
        if isinstance(value, list) and len(value) == 2:
            shown = f"{_value(value[0])} → {_value(value[1])}"
        else:
            shown = _value(value)
        parts.append(f"{_label(key)}: {shown}")
    return "; ".join(parts)


def _label(key) -> str:
    text = str(key).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _value(value) -> str:
    if value is None or value == "":
        return "(blank)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return ", ".join(f"{_label(k)} {_value(v)}" for k, v in value.items()) or "(none)"
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value) or "(none)"
    return str(value)
