from config.routing import route

from . import views

urlpatterns = [
    *route("chat/ask", views.AskView.as_view(), "chat-ask"),
    *route("chat/conversations", views.ConversationListView.as_view(), "chat-conversation-list"),
    *route(
        "chat/conversations/<int:conversation_id>",
        views.ConversationDetailView.as_view(),
        "chat-conversation-detail",
    ),
]
