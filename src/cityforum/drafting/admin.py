"""Back office for drafted documents: organisers read everything. Decisions, moderation
and signatures go through the pages (services); citations can also be edited inline on
an article, where the database constraint keeps each one of a single kind."""

from django.contrib import admin

from .models import (
    Amendment,
    AmendmentComment,
    Article,
    ArticleOpinion,
    ArticleSource,
    Document,
    DraftingReport,
    Section,
    Signature,
    Version,
)


class ArticleInline(admin.StackedInline):
    model = Article
    extra = 0
    show_change_link = True


class ArticleSourceInline(admin.TabularInline):
    model = ArticleSource
    extra = 0
    fields = ("contribution", "statement", "theme_run", "theme_id", "theme_label", "note")
    raw_id_fields = ("contribution", "statement", "theme_run")


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("title_fr", "consultation", "status", "starting_draft")
    list_filter = ("status",)
    readonly_fields = ("status",)


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "document")
    inlines = [ArticleInline]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("__str__", "number", "document", "deleted")
    list_filter = ("document", "deleted")
    inlines = [ArticleSourceInline]


@admin.register(Amendment)
class AmendmentAdmin(admin.ModelAdmin):
    list_display = ("__str__", "kind", "status", "visibility", "author")
    list_filter = ("status", "kind", "visibility")
    readonly_fields = ("status", "visibility", "moderated_at", "moderation_reason", "version")


@admin.register(AmendmentComment)
class AmendmentCommentAdmin(admin.ModelAdmin):
    list_display = ("__str__", "amendment", "author", "visibility", "created_at")
    list_filter = ("visibility",)
    readonly_fields = ("visibility", "moderated_at", "moderation_reason")


@admin.register(DraftingReport)
class DraftingReportAdmin(admin.ModelAdmin):
    list_display = ("__str__", "comment", "reporter", "created_at", "resolved_at")


@admin.register(ArticleOpinion)
class ArticleOpinionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "article", "user", "value", "updated_at")
    list_filter = ("value",)

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    list_display = ("organisation", "document", "signed_by", "signed_at")
    list_filter = ("document",)

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Version)
class VersionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "document", "created_at")

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
