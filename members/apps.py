from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "Members"

    def ready(self):
        from members import audit_actions, portal, reference_cache
        from members.documents import register_membership_document_kinds

        audit_actions.register()
        register_membership_document_kinds()
        portal.register()
        reference_cache.connect()
