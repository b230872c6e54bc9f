"""The Django admin of advocacy: each area keeps its own admin module."""

from advocacy import admin_case_types, admin_cases, admin_letters  # noqa: F401
