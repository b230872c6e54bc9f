"""The Django admin of esp: each area keeps its own admin module."""

from esp import admin_awards, admin_content  # noqa: F401
