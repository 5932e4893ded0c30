from django.db import transaction
from django.utils.decorators import method_decorator
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.pagination import StrictCursorPagination
from config.schema import error_responses

from . import selectors, services
from .models import Conversation
from .serializers import (
    AskInputSerializer,
    AskOutputSerializer,
    ConversationDetailSerializer,
    ConversationSerializer,
    MessageSerializer,
)
from .throttles import AssistantAskThrottle


class ConversationPagination(StrictCursorPagination):
    ordering = ("-updated_at", "-id")


# The Gemini call can take up to GEMINI_TIMEOUT_SECONDS; the request transaction that
# WriteTransactionMiddleware opens for a POST would stay open all that time. The service
# opens its own transaction once the answer is in.
@method_decorator(transaction.non_atomic_requests, name="dispatch")
class AskView(APIView):
    throttle_classes = [AssistantAskThrottle]

    @extend_schema(
        tags=["assistant"],
        summary="Ask the assistant how to use this API",
        description=(
            "Answers a question in plain language, grounded in this API's operations and in "
            "the tickets the caller can see. The assistant never changes anything: when the "
            "caller wants a ticket, the answer carries a `draft_ticket` to submit with "
            "`POST /tickets`. Both turns are stored in the conversation. Errors: 400 for an "
            "empty or too long question, 404 for a conversation that is not the caller's, "
            "429 when the caller asks too often, 503 when the assistant is not configured or "
            "its language model is unavailable (with `Retry-After` when known), 504 when the "
            "language model timed out."
        ),
        request=AskInputSerializer,
        responses={200: AskOutputSerializer, **error_responses(400, 401, 404, 429, 503, 504)},
    )
    def post(self, request: Request) -> Response:
        serializer = AskInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data

        result = services.conversation_ask(
            user=request.user,
            question=data["question"],
            conversation_id=data.get("conversation_id"),
        )
        message = result.message
        body = {
            "answer": message.text,
            "outcome": message.outcome,
            "conversation_id": result.conversation.pk,
            "message_id": message.pk,
            "draft_ticket": message.draft_ticket,
            "related_operations": [
                {
                    "method": item.operation.method.upper(),
                    "path": item.operation.path,
                    "summary": item.operation.summary,
                }
                for item in result.operations
            ],
            "model": message.model_name,
        }
        return Response(AskOutputSerializer(body).data)


class ConversationListView(generics.GenericAPIView):
    serializer_class = ConversationSerializer
    pagination_class = ConversationPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            # drf-spectacular calls this without a user while it builds the schema.
            return Conversation.objects.none()
        return selectors.conversation_list_for(user=self.request.user)

    @extend_schema(
        tags=["assistant"],
        summary="The caller's conversations with the assistant, latest first",
        responses={200: ConversationSerializer(many=True), **error_responses(400, 401)},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ConversationSerializer(page, many=True).data)


class ConversationDetailView(APIView):
    @extend_schema(
        tags=["assistant"],
        summary="One of the caller's conversations, with its messages",
        responses={200: ConversationDetailSerializer, **error_responses(401, 404)},
    )
    def get(self, request: Request, conversation_id: int) -> Response:
        conversation = selectors.conversation_get_owned(
            user=request.user, conversation_id=conversation_id
        )
        messages = selectors.conversation_messages(conversation=conversation)
        body = ConversationSerializer(conversation).data
        body["messages"] = MessageSerializer(messages, many=True).data
        return Response(body)

    @extend_schema(
        tags=["assistant"],
        summary="Delete one of the caller's conversations and its messages",
        responses={204: OpenApiResponse(description="Deleted."), **error_responses(401, 404)},
    )
    def delete(self, request: Request, conversation_id: int) -> Response:
        services.conversation_delete(user=request.user, conversation_id=conversation_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
