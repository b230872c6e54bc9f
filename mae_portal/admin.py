from allauth.mfa.admin import AuthenticatorAdmin
from allauth.mfa.models import Authenticator
from django.contrib import admin, messages

from mae_portal.adapters import mfa_reset
from mae_portal.audit import audit_record, client_ip
from mae_portal.models import AuditLog, EmailDelivery, StoredDocument


class AuditedAdmin(admin.ModelAdmin):
    """Admin edits of portal data land in the audit log like any service's changes."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        changes = {field: str(form.cleaned_data.get(field)) for field in form.changed_data}
        audit_record(
            actor=request.user, action=f"admin.{'changed' if change else 'added'}", obj=obj,
            changes=changes, ip=client_ip(request),
        )

    def delete_model(self, request, obj):
        audit_record(actor=request.user, action="admin.deleted", obj=obj, ip=client_ip(request))
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audit_record(actor=request.user, action="admin.deleted", obj=obj, ip=client_ip(request))
        super().delete_queryset(request, queryset)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor", "action", "object_repr", "ip_address"]
    list_filter = ["action", "content_type"]
    search_fields = ["action", "object_repr", "actor__email"]
    list_select_related = ["actor", "content_type"]


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "template_name", "to", "status", "attempts", "sent_at"]
    list_filter = ["status", "template_name"]
    search_fields = ["to", "idempotency_key"]
    exclude = ["body_text", "body_html"]


@admin.register(StoredDocument)
class StoredDocumentAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "title", "kind", "subject_type", "subject_id", "owner", "origin", "status", "size"]
    list_filter = ["kind", "origin", "status"]
    list_select_related = ["owner"]
    exclude = ["file"]


admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class PortalAuthenticatorAdmin(AuthenticatorAdmin):
    """allauth's, with the way to help someone whose two-factor secret can no longer be read (the key changed):
    reset their two-factor authentication (mae_portal.adapters.mfa_reset), and they set it up again. When no
    administrator can sign in either, `manage.py reset_mfa EMAIL` does the same."""

    search_fields = ["user__email"]
    list_select_related = ["user"]
    actions = ["reset_two_factor"]

    @admin.action(description="Reset two-factor authentication of these accounts (remove all their authenticators)",
                  permissions=["delete"])
    def reset_two_factor(self, request, queryset):
        users = {authenticator.user for authenticator in queryset.select_related("user")}
        for user in users:
            mfa_reset(user=user, actor=request.user, ip=client_ip(request))
        self.message_user(request, f"Two-factor authentication was reset for {len(users)} account(s): "
                                   "each sets it up again at the next sign-in.", messages.SUCCESS)
