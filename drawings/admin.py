from django.contrib import admin

from drawings.models import Drawing


@admin.register(Drawing)
class DrawingAdmin(admin.ModelAdmin[Drawing]):
    list_display = ("id", "child", "category", "status", "attempts", "created_at", "inference_ms")
    list_filter = ("status", "category")
    list_select_related = ("child",)
    readonly_fields = ("client_id", "attempts", "lease_until", "started_at", "finished_at")
