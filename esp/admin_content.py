from django.contrib import admin

from mae_portal.admin import AuditedAdmin
from members.models import CareerField


@admin.register(CareerField)
class CareerFieldAdmin(AuditedAdmin):
    list_display = ["name", "kind", "sort_order"]
    list_filter = ["kind"]
    prepopulated_fields = {"slug": ["name"]}
