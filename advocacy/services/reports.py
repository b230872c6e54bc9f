"""What reading the caseload writes down: an export of cases is audited (who, how many, which filters)."""

from mae_portal.audit import audit_record


def caseload_export_audit(*, actor, count: int, filters: dict, ip=None) -> None:
    audit_record(actor=actor, action="advocacy.caseload_exported", subject=actor, ip=ip,
                 changes={"count": count, "filters": {key: value for key, value in filters.items() if value}})
