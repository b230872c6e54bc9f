from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from mae_portal.admin import AuditedAdmin
from members.models import District, Local, LocalOfficer, Member, UniServRegion, User, Worksite


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Name", {"fields": ["first_name", "last_name"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    filter_horizontal = ["groups"]


@admin.register(UniServRegion)
class UniServRegionAdmin(AuditedAdmin):
    list_display = ["number", "name"]
    filter_horizontal = ["directors"]


@admin.register(District)
class DistrictAdmin(AuditedAdmin):
    list_display = ["name", "county", "region"]
    list_filter = ["region"]
    search_fields = ["name", "county"]
    list_select_related = ["region"]


@admin.register(Worksite)
class WorksiteAdmin(AuditedAdmin):
    list_display = ["name", "kind", "district"]
    list_filter = ["kind", "district__region"]
    search_fields = ["name", "district__name"]
    list_select_related = ["district"]


class LocalOfficerInline(admin.TabularInline):
    model = LocalOfficer
    autocomplete_fields = ["user"]
    extra = 0


@admin.register(Local)
class LocalAdmin(AuditedAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    filter_horizontal = ["districts"]
    inlines = [LocalOfficerInline]


@admin.register(Member)
class MemberAdmin(AuditedAdmin):
    list_display = ["member_number", "legal_last_name", "legal_first_name", "local", "career_field"]
    list_filter = ["career_field", "employment_basis", "local"]
    search_fields = ["member_number", "legal_last_name", "legal_first_name", "email", "nea_id"]
    list_select_related = ["local", "career_field"]
    autocomplete_fields = ["user", "employer_district", "worksite", "local"]
    readonly_fields = ["member_number", "created_at", "updated_at"]
