from accounts import views
from config.routing import route

urlpatterns = [
    *route("auth/signup", views.SignupView.as_view(), "auth-signup"),
    *route("auth/login", views.LoginView.as_view(), "auth-login"),
    *route("auth/refresh", views.RefreshView.as_view(), "auth-refresh"),
    *route("auth/logout", views.LogoutView.as_view(), "auth-logout"),
    *route("auth/me", views.MeView.as_view(), "auth-me"),
    *route("available/users", views.AvailableUsersView.as_view(), "available-users"),
    *route("available/admins", views.AvailableAdminsView.as_view(), "available-admins"),
]
