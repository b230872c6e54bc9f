from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction

from mae_portal import registry
from mae_portal.admin import AuditedAdmin, ReadOnlyAdmin
from mae_portal.audit import audit_record, client_ip
from members.models import (
    District,
    DistrictClosure,
    DraftAuthorization,
    DuesRate,
    GatewayEvent,
    Local,
    LocalOfficer,
    Member,
    MemberNote,
    MembershipCategory,
    MembershipTerm,
    Payment,
    PaymentPlan,
    RenewalNotice,
    RenewalNoticeRule,
    RenewalPolicy,
    UniServRegion,
    User,
    Worksite,
)


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


@admin.register(DistrictClosure)
class DistrictClosureAdmin(AuditedAdmin):
    """Closure days staff enter per district; the district's business calendar counts them as closed."""

    list_display = ["day", "district", "reason"]
    list_filter = ["district__region", "district"]
    search_fields = ["district__name", "reason"]
    list_select_related = ["district"]
    date_hierarchy = "day"

    # Deadlines counted over a district's calendar are recomputed once the change is committed
    # (mae_portal.registry.calendar_changed: members knows no app that listens).
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        _calendar_changed([obj.district_id, form.initial.get("district") if change else None])

    def delete_model(self, request, obj):
        district_id = obj.district_id
        super().delete_model(request, obj)
        _calendar_changed([district_id])

    def delete_queryset(self, request, queryset):
        district_ids = list(queryset.values_list("district_id", flat=True))
        super().delete_queryset(request, queryset)
        _calendar_changed(district_ids)


def _calendar_changed(district_ids):
    transaction.on_commit(lambda: registry.calendar_changed(district_ids))


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

    def get_readonly_fields(self, request, obj=None):
        # A member being added has no number yet: the database sequence issues it on insert, and the
        # unsaved instance holds only the sequence expression, which the admin cannot display.
        fields = super().get_readonly_fields(request, obj)
        return fields if obj else [field for field in fields if field != "member_number"]


# --- Membership: categories, dues and notices are edited here or on the staff pages (/members/staff/
# categories/); terms, payments and plans change only through the staff pages' services, so here they are
# read-only. -------------------------------------------------------------------------------------------


class DuesRateInline(admin.TabularInline):
    model = DuesRate
    extra = 0
    fields = ["effective_from", "local_share", "state_share", "national_share"]
    can_delete = False  # terms were priced from it; add a new rate instead


@admin.register(MembershipCategory)
class MembershipCategoryAdmin(AuditedAdmin):
    list_display = ["name", "code", "proration", "allows_installments", "is_active", "sort_order"]
    list_filter = ["is_active", "proration"]
    search_fields = ["name", "code"]
    inlines = [DuesRateInline]

    def save_formset(self, request, form, formset, change):
        # Rates edited inline land in the audit log like the category itself.
        super().save_formset(request, form, formset, change)
        for rate in formset.new_objects:
            audit_record(actor=request.user, action="admin.added", obj=rate, ip=client_ip(request),
                         changes={"total": str(rate.total)})
        for rate, fields in formset.changed_objects:
            audit_record(actor=request.user, action="admin.changed", obj=rate, ip=client_ip(request),
                         changes={field: str(getattr(rate, field)) for field in fields})

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj else []


@admin.register(DuesRate)
class DuesRateAdmin(AuditedAdmin):
    list_display = ["category", "effective_from", "local_share", "state_share", "national_share", "total"]
    list_filter = ["category"]
    list_select_related = ["category"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RenewalPolicy)
class RenewalPolicyAdmin(AuditedAdmin):
    list_display = ["__str__", "renewal_window_days", "grace_period_days"]

    def has_add_permission(self, request):
        return not RenewalPolicy.objects.exists()  # one row

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RenewalNoticeRule)
class RenewalNoticeRuleAdmin(AuditedAdmin):
    list_display = ["__str__", "category", "offset_days", "is_active"]
    list_filter = ["is_active", "category"]
    list_select_related = ["category"]

    def has_delete_permission(self, request, obj=None):
        return False  # notices sent refer to it: turn it off instead


@admin.register(MembershipTerm)
class MembershipTermAdmin(ReadOnlyAdmin):
    list_display = ["member", "category", "year_label", "amount_due", "created_at", "cancelled_at"]
    list_filter = ["membership_year", "category"]
    search_fields = ["member__member_number", "member__legal_last_name", "member__email"]
    list_select_related = ["member", "category"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "member", "amount", "method", "status", "due_on", "paid_at"]
    list_filter = ["status", "method", "gateway"]
    search_fields = ["member__member_number", "member__legal_last_name", "check_number", "gateway_reference",
                     "idempotency_key"]
    list_select_related = ["member"]
    date_hierarchy = "created_at"


@admin.register(PaymentPlan)
class PaymentPlanAdmin(ReadOnlyAdmin):
    list_display = ["member", "kind", "status", "auto_renew", "payment_method_label", "created_at"]
    list_filter = ["kind", "status", "auto_renew"]
    search_fields = ["member__member_number", "member__legal_last_name"]
    list_select_related = ["member"]
    exclude = ["gateway_customer", "gateway_payment_method"]


@admin.register(DraftAuthorization)
class DraftAuthorizationAdmin(ReadOnlyAdmin):
    list_display = ["member", "typed_name", "signed_at", "text_version", "revoked_at"]
    search_fields = ["member__member_number", "typed_name"]
    list_select_related = ["member"]


@admin.register(GatewayEvent)
class GatewayEventAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "gateway", "event_type", "event_id"]
    list_filter = ["gateway", "event_type"]
    search_fields = ["event_id"]


@admin.register(RenewalNotice)
class RenewalNoticeAdmin(ReadOnlyAdmin):
    list_display = ["sent_on", "term", "rule"]
    list_select_related = ["term__member", "term__category", "rule__category"]


@admin.register(MemberNote)
class MemberNoteAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "member", "author"]
    search_fields = ["member__member_number", "member__legal_last_name"]
    list_select_related = ["member", "author"]
