from config.routing import route
from tickets import views

urlpatterns = [
    *route("analytics/summary", views.AnalyticsSummaryView.as_view(), "analytics-summary"),
    *route("tickets", views.TicketListCreateView.as_view(), "ticket-list"),
    *route("tickets/<int:ticket_id>", views.TicketDetailView.as_view(), "ticket-detail"),
    *route("tickets/<int:ticket_id>/history", views.TicketHistoryView.as_view(), "ticket-history"),
    *route("tickets/<int:ticket_id>/reopen", views.TicketReopenView.as_view(), "ticket-reopen"),
    *route(
        "tickets/<int:ticket_id>/feedback", views.TicketFeedbackView.as_view(), "ticket-feedback"
    ),
    *route(
        "tickets/<int:ticket_id>/comments",
        views.TicketCommentListCreateView.as_view(),
        "ticket-comments",
    ),
]
