from django.contrib import admin

from accounts.models import User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "role", "is_available", "is_active", "created_at"]
    list_filter = ["role", "is_available", "is_active"]
    search_fields = ["email", "name"]
    ordering = ["email"]
    readonly_fields = ["created_at", "updated_at", "last_login"]
    fields = ["email", "name", "role", "is_available", "is_active", *readonly_fields]
