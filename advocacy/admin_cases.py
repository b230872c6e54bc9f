"""Admin pages of requests, cases and what intake makes of them: read-only. Cases are worked on the
portal's own pages, where every change goes through a service and the audit trail; the admin is for
looking things up. (AdvocacyPolicy, the free consultations per year, is edited with the case types.)"""

from django.contrib import admin

from advocacy.models import (
    AttorneyReferral,
    CaseDocument,
    CaseUpdate,
    GrievanceCase,
    LiabilityClaim,
    RepresentationRequest,
)
from mae_portal.admin import ReadOnlyAdmin


@admin.register(RepresentationRequest)
class RepresentationRequestAdmin(ReadOnlyAdmin):
    list_display = ["summary", "requester", "region", "district", "incident_date", "membership_on_incident", "urgency",
                    "status", "created_at"]
    list_filter = ["status", "urgency", "membership_on_incident", "region"]
    search_fields = ["summary", "requester__email", "member__legal_last_name"]
    list_select_related = ["requester", "region", "district"]


@admin.register(GrievanceCase)
class GrievanceCaseAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "region", "district", "director", "status", "outcome", "filed_on"]
    list_filter = ["status", "outcome", "region", "issue_category"]
    search_fields = ["title", "sequence", "supervisor", "director__email"]
    list_select_related = ["region", "district", "director"]


@admin.register(AttorneyReferral)
class AttorneyReferralAdmin(ReadOnlyAdmin):
    list_display = ["member", "membership_year_start", "attorney", "referred_by", "referred_at"]
    list_filter = ["membership_year_start"]
    list_select_related = ["member", "referred_by"]


@admin.register(LiabilityClaim)
class LiabilityClaimAdmin(ReadOnlyAdmin):
    list_display = ["member", "incident_date", "covered", "status", "opened_by", "opened_at"]
    list_filter = ["covered", "status"]
    list_select_related = ["member", "opened_by"]


@admin.register(CaseUpdate)
class CaseUpdateAdmin(ReadOnlyAdmin):
    list_display = ["case", "author", "by_member", "created_at"]
    list_select_related = ["case", "author"]


@admin.register(CaseDocument)
class CaseDocumentAdmin(ReadOnlyAdmin):
    list_display = ["document", "case", "request", "shared", "added_by", "added_at"]
    list_filter = ["shared"]
    list_select_related = ["document", "case", "request", "added_by"]
