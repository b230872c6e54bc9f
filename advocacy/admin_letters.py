"""Admin pages of letters and alerts: letter templates (checked in the letter sandbox when saved), and the
letters, alerts and feed addresses, read-only (they change through the services only)."""

from django import forms
from django.contrib import admin

from advocacy.letters import check_letter_template
from advocacy.models import CalendarFeedToken, CaseLetter, DeadlineAlert, LetterTemplate
from mae_portal.admin import AuditedAdmin, ReadOnlyAdmin


class LetterTemplateAdminForm(forms.ModelForm):
    class Meta:
        model = LetterTemplate
        fields = ["name", "case_kind", "body", "active"]

    def clean_body(self):
        body = self.cleaned_data["body"]
        check_letter_template(body)  # a syntax error, an unsafe tag or an unknown case field: shown on the field
        return body


@admin.register(LetterTemplate)
class LetterTemplateAdmin(AuditedAdmin):
    form = LetterTemplateAdminForm
    list_display = ["name", "case_kind", "active", "updated_at"]
    list_filter = ["active", "case_kind"]
    search_fields = ["name"]


@admin.register(CaseLetter)
class CaseLetterAdmin(ReadOnlyAdmin):
    list_display = ["subject", "case", "status", "created_by", "created_at", "finalised_at"]
    list_filter = ["status"]
    list_select_related = ["case", "created_by"]
    search_fields = ["subject"]


@admin.register(DeadlineAlert)
class DeadlineAlertAdmin(ReadOnlyAdmin):
    list_display = ["deadline", "threshold", "due", "recipient", "sent_on"]
    list_filter = ["threshold", "sent_on"]
    list_select_related = ["deadline__step", "recipient"]


@admin.register(CalendarFeedToken)
class CalendarFeedTokenAdmin(ReadOnlyAdmin):
    list_display = ["user", "created_at", "last_used_at"]
    exclude = ["token"]  # a secret: the director's own page shows it to them, the admin does not

    def has_delete_permission(self, request, obj=None):
        return True  # an admin may revoke a feed address
