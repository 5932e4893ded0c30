"""URLs of config.settings.benchmark: the whole API plus the bare view."""

from django.urls import path

from bench.views import BareAuthenticatedView, BareView
from config.urls import *  # noqa: F403
from config.urls import urlpatterns as api_urlpatterns

urlpatterns = [
    path("bench/bare", BareView.as_view(), name="bench-bare"),
    path("bench/bare-auth", BareAuthenticatedView.as_view(), name="bench-bare-auth"),
    *api_urlpatterns,
]
