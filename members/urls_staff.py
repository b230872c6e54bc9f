"""Membership staff pages, mounted at /members/staff/ in the `members` namespace."""

from django.urls import path

from members.views.staff import catalog, member_on_date, payments, record, search, terms

urlpatterns = [
    path("members/", search.member_search, name="staff_member_search"),
    path("members/<int:member_number>/", record.member_detail, name="staff_member_detail"),
    path("members/<int:member_number>/notes/", record.member_note_add, name="staff_member_note_add"),
    path("members/<int:member_number>/terms/new/", terms.term_create, name="staff_term_create"),
    path("members/<int:member_number>/terms/<int:term_id>/payment/", payments.payment_record, name="staff_payment_record"),
    path("members/<int:member_number>/terms/<int:term_id>/adjust/", payments.payment_adjust, name="staff_payment_adjust"),
    path("members/<int:member_number>/terms/<int:term_id>/category/", terms.term_change_category,
         name="staff_term_category"),
    path("members/<int:member_number>/terms/<int:term_id>/cancel/", terms.term_cancel, name="staff_term_cancel"),
    path("members/<int:member_number>/terms/<int:term_id>/reinstate/", terms.term_reinstate, name="staff_term_reinstate"),
    path("members/<int:member_number>/payments/<int:payment_id>/refund/", payments.payment_refund,
         name="staff_payment_refund"),
    path("members/<int:member_number>/payments/<int:payment_id>/resolve/", payments.payment_attention_resolve,
         name="staff_payment_attention_resolve"),
    path("payments/attention/", payments.payments_attention, name="staff_payments_attention"),
    path("categories/", catalog.categories, name="staff_categories"),
    path("categories/new/", catalog.category_add, name="staff_category_add"),
    path("categories/<slug:code>/edit/", catalog.category_edit, name="staff_category_edit"),
    path("categories/<slug:code>/rates/new/", catalog.rate_add, name="staff_rate_add"),
    path("renewal-policy/", catalog.renewal_policy_edit, name="staff_renewal_policy"),
    path("notices/new/", catalog.notice_rule_add, name="staff_notice_rule_add"),
    path("notices/<int:rule_id>/toggle/", catalog.notice_rule_toggle, name="staff_notice_rule_toggle"),
    path("lookup/", member_on_date.member_on_date, name="staff_member_on_date"),
]
