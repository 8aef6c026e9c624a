from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Statement, Vote, VoteEvent, Voter, VotingSettings


@admin.register(VotingSettings)
class VotingSettingsAdmin(admin.ModelAdmin):
    list_display = ["consultation", "allow_anonymous"]
    list_editable = ["allow_anonymous"]


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin):
    list_display = ["text", "consultation", "status", "language", "created_at"]
    list_filter = ["status", "consultation", "language"]
    search_fields = ["text"]
    readonly_fields = [
        "status",
        "reason",
        "author",
        "moderated_by",
        "moderated_at",
        "source_id",
        "created_at",
    ]
    actions = ["accept"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Statements are added on the voting page, by the API or the CLI: through the
        # service, which validates, moderates and audits.
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Statement | None = None) -> list[str]:
        return [*self.readonly_fields, "consultation", "text", "language"]

    @admin.action(description=_("Accept the selected statements"))
    def accept(self, request: HttpRequest, queryset: QuerySet[Statement]) -> None:
        """Moderation goes through the service, so it is checked and audited."""
        for statement in queryset.select_related("consultation"):
            try:
                services.moderate_statement(statement, by=request.user, accept=True)
            except (PermissionDenied, ValidationError) as error:
                self.message_user(request, f"{statement}: {error}", messages.ERROR)


@admin.register(Voter)
class VoterAdmin(admin.ModelAdmin):
    list_display = ["public_id", "consultation", "created_at"]
    list_filter = ["consultation"]
    readonly_fields = ["public_id", "user", "session_key", "source_id", "created_at"]


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ["statement", "voter", "value", "revision", "updated_at"]
    readonly_fields = ["statement", "voter", "value", "revision", "created_at", "updated_at"]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(VoteEvent)
class VoteEventAdmin(admin.ModelAdmin):
    list_display = ["statement", "voter", "value", "revision", "cast_at"]
    readonly_fields = ["statement", "voter", "value", "revision", "cast_at"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
