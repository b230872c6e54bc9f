from django.contrib import admin

from esp.models import CareerFieldResource, EspPage, SpotlightStory
from mae_portal.admin import AuditedAdmin, ReadOnlyAdmin
from members.models import CareerField


class CareerFieldResourceInline(admin.TabularInline):
    model = CareerFieldResource
    extra = 1
    fields = ["title", "url", "description", "sort_order"]


@admin.register(CareerField)
class CareerFieldAdmin(AuditedAdmin):
    list_display = ["name", "kind", "sort_order"]
    list_filter = ["kind"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CareerFieldResourceInline]


@admin.register(CareerFieldResource)
class CareerFieldResourceAdmin(AuditedAdmin):
    list_display = ["title", "career_field", "url", "sort_order"]
    list_filter = ["career_field"]
    list_select_related = ["career_field"]
    search_fields = ["title", "url"]


@admin.register(EspPage)
class EspPageAdmin(AuditedAdmin):
    """The same pages awards staff edit at /esp/staff/pages/ (with a preview there)."""

    list_display = ["title", "slug", "updated_at", "updated_by"]
    readonly_fields = ["slug", "updated_by", "updated_at"]
    fields = ["title", "slug", "summary", "body", "updated_by", "updated_at"]

    def has_add_permission(self, request):
        return False  # the pages the site links to are made by a migration

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(SpotlightStory)
class SpotlightStoryAdmin(ReadOnlyAdmin):
    """Read only: stories are written, published and unpublished on the staff pages, where consent is checked."""

    list_display = ["title", "member", "career_field", "status", "consent_given_on", "published_at"]
    list_filter = ["status", "career_field"]
    list_select_related = ["member", "career_field"]
    search_fields = ["title", "member__legal_last_name"]
    exclude = ["photo"]
