from config.routing import route
from tickets import views

urlpatterns = [
    *route("tickets", views.TicketListCreateView.as_view(), "ticket-list"),
    *route("tickets/<int:ticket_id>", views.TicketDetailView.as_view(), "ticket-detail"),
    *route("tickets/<int:ticket_id>/history", views.TicketHistoryView.as_view(), "ticket-history"),
]
