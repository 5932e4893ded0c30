from django.contrib import admin
from django.db import transaction
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from config import errors
from config.routing import route

handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.not_found"
handler500 = "config.errors.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    *route("schema", SpectacularAPIView.as_view(), "schema"),
    *route("docs", SpectacularSwaggerView.as_view(url_name="schema"), "swagger-ui"),
    *route("redoc", SpectacularRedocView.as_view(url_name="schema"), "redoc"),
    path("", include("accounts.urls")),
    path("", include("tickets.urls")),
    path("", include("assistant.urls")),
    # Operations: /healthz and /readyz.
    path("", include("ops.urls")),
    # Last: any other path gets the JSON 404, also with DEBUG on, where Django would
    # otherwise return its HTML debug page.
    # CSRF-exempt, because a POST with cookies to an unknown path must also get this 404,
    # not the CSRF failure page.
    re_path(r"^", csrf_exempt(transaction.non_atomic_requests(errors.not_found))),
]
