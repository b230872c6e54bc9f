from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "Members"

    def ready(self):
        from members.documents import register_membership_document_kinds

        register_membership_document_kinds()
