"""Back office for drafted documents: organisers read everything; changes go through services."""

from django.contrib import admin

from .models import Amendment, Article, Document, Section, Version


class ArticleInline(admin.StackedInline):
    model = Article
    extra = 0
    show_change_link = True


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("title_fr", "consultation", "status", "starting_draft")
    list_filter = ("status",)


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "document")
    inlines = [ArticleInline]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("__str__", "number")


@admin.register(Amendment)
class AmendmentAdmin(admin.ModelAdmin):
    list_display = ("__str__", "kind", "status", "author")
    list_filter = ("status", "kind")
    readonly_fields = ("status",)


@admin.register(Version)
class VersionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "document", "created_at")

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
