from django.contrib import admin

from esp.models import CareerField
from mae_portal.admin import AuditedAdmin


@admin.register(CareerField)
class CareerFieldAdmin(AuditedAdmin):
    list_display = ["name", "kind", "sort_order"]
    list_filter = ["kind"]
    prepopulated_fields = {"slug": ["name"]}
