from config.routing import route
from ops import views

urlpatterns = [
    *route("healthz", views.healthz, name="healthz"),
    *route("readyz", views.readyz, name="readyz"),
]
