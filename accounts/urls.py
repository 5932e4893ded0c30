from accounts import google_views, views
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

# Google login. The callback's URL name is the one allauth reverses for the redirect_uri,
# so it must stay `google_callback`.
urlpatterns += [
    *route("auth/google", google_views.GoogleTokenLoginView.as_view(), "auth-google"),
    *route("auth/google/login", google_views.GoogleLoginStartView.as_view(), "auth-google-login"),
    *route("auth/google/callback", google_views.GoogleCallbackView.as_view(), "google_callback"),
]
