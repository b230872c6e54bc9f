"""Admin pages of the award: cycles with their criteria, and nominations (read mostly: nominations change
through the services, so the admin shows them and lets staff correct a typo in the nominator's text)."""

from django.contrib import admin

from esp.models import AwardCycle, Criterion, Nomination, NominationStatement, SupportLetter
from mae_portal.admin import AuditedAdmin


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ["round", "order", "name", "description", "weight"]


@admin.register(AwardCycle)
class AwardCycleAdmin(AuditedAdmin):
    list_display = ["year", "name", "phase", "nominations_open_at", "nominations_close_at"]
    list_filter = ["phase"]
    inlines = [CriterionInline]
    readonly_fields = ["winner", "review_closed_at", "interviews_closed_at", "created_at"]


class StatementInline(admin.StackedInline):
    model = NominationStatement
    extra = 0
    fields = ["criterion", "text", "redacted_text"]
    readonly_fields = ["criterion", "text"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class LetterInline(admin.TabularInline):
    model = SupportLetter
    extra = 0
    fields = ["writer_name", "writer_relationship", "writer_email", "requested_at", "received_at", "document"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Nomination)
class NominationAdmin(AuditedAdmin):
    list_display = ["nominee", "cycle", "status", "nominator", "submitted_at"]
    list_filter = ["cycle", "status"]
    search_fields = ["nominee__legal_last_name", "nominee__legal_first_name", "nominator__email"]
    list_select_related = ["nominee", "cycle", "nominator"]
    inlines = [StatementInline, LetterInline]
    fields = ["cycle", "nominee", "nominator", "status", "nominator_statement", "eligibility", "consent_requested_at",
              "consented_at", "consent_declined_at", "endorsed_by", "endorsed_at", "endorsement_text", "submitted_at",
              "screening_note", "screened_by", "screened_at"]
    readonly_fields = ["cycle", "nominee", "nominator", "status", "eligibility", "consent_requested_at", "consented_at",
                       "consent_declined_at", "endorsed_by", "endorsed_at", "submitted_at", "screened_by", "screened_at"]

    def has_add_permission(self, request):
        return False  # nominations start through the portal (eligibility, consent, audit)
