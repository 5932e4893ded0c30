"""URLs of config.settings.benchmark: the whole API plus the bare view."""

from django.urls import path

from bench.views import BareView
from config.urls import *  # noqa: F403
from config.urls import urlpatterns as api_urlpatterns

urlpatterns = [path("bench/bare", BareView.as_view(), name="bench-bare"), *api_urlpatterns]
