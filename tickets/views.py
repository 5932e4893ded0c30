from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from config.pagination import StrictCursorPagination
from config.schema import error_responses
from tickets import selectors, services
from tickets.filters import StrictOrderingFilter, StrictSearchFilter, TicketFilter
from tickets.models import Ticket, TicketEvent
from tickets.serializers import (
    TicketCreateInputSerializer,
    TicketDetailSerializer,
    TicketEventSerializer,
    TicketListSerializer,
    TicketUpdateInputSerializer,
)


class TicketListCreateView(generics.GenericAPIView):
    serializer_class = TicketListSerializer
    pagination_class = StrictCursorPagination
    filter_backends = [DjangoFilterBackend, StrictSearchFilter, StrictOrderingFilter]
    filterset_class = TicketFilter
    search_fields = ["title", "description"]
    ordering_fields = ["created_at", "updated_at"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self) -> QuerySet[Ticket]:
        if getattr(self, "swagger_fake_view", False):
            return Ticket.objects.none()
        return selectors.ticket_list_visible_to(user=self.request.user)

    @extend_schema(
        tags=["tickets"],
        summary="Tickets the caller may see",
        description=(
            "Administrators see every ticket; users see those they created or are assigned to. "
            "Cursor-paginated: follow `next`; `page_size` is capped at 100."
        ),
        parameters=[
            OpenApiParameter(
                "ordering",
                str,
                enum=["created_at", "-created_at", "updated_at", "-updated_at"],
                description="Sort order; the default is `-created_at`.",
            ),
            OpenApiParameter("page_size", int, description="Tickets per page, 1 to 100."),
        ],
        responses={200: TicketListSerializer(many=True), **error_responses(400, 401)},
    )
    def get(self, request: Request) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(TicketListSerializer(page, many=True).data)

    @extend_schema(
        tags=["tickets"],
        summary="Create a ticket",
        description="The caller becomes the creator; the ticket always starts `open`.",
        request=TicketCreateInputSerializer,
        responses={201: TicketDetailSerializer, **error_responses(400, 401)},
    )
    def post(self, request: Request) -> Response:
        serializer = TicketCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data

        ticket = services.ticket_create(
            creator=request.user,
            title=data["title"],
            description=data["description"],
            priority=data["priority"],
            assignee=data["assignee"],
        )
        body = TicketDetailSerializer(ticket, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)


class TicketDetailView(generics.GenericAPIView):
    serializer_class = TicketDetailSerializer
    queryset = Ticket.objects.none()

    @extend_schema(
        tags=["tickets"],
        summary="One ticket, with the transitions the caller may run",
        responses={200: TicketDetailSerializer, **error_responses(401, 404)},
    )
    def get(self, request: Request, ticket_id: int) -> Response:
        ticket = selectors.ticket_get_visible(user=request.user, ticket_id=ticket_id)
        return Response(TicketDetailSerializer(ticket, context={"request": request}).data)

    @extend_schema(
        tags=["tickets"],
        summary="Edit a ticket or change its status",
        description=(
            "The creator or an administrator may change title, description, priority and "
            "assignee. A `status` is a transition request and needs an administrator: 403 "
            "otherwise, 409 (with `current_status` and `allowed_transitions`) when the state "
            "machine does not allow it. A closed ticket cannot be edited (409)."
        ),
        request=TicketUpdateInputSerializer,
        responses={200: TicketDetailSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def patch(self, request: Request, ticket_id: int) -> Response:
        serializer = TicketUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        ticket = services.ticket_update(
            actor=request.user, ticket_id=ticket_id, changes=serializer.validated_data
        )
        return Response(TicketDetailSerializer(ticket, context={"request": request}).data)


class TicketHistoryView(generics.GenericAPIView):
    serializer_class = TicketEventSerializer
    pagination_class = StrictCursorPagination
    queryset = TicketEvent.objects.none()

    @extend_schema(
        tags=["tickets"],
        summary="The ticket's history, oldest first",
        parameters=[OpenApiParameter("page_size", int, description="Rows per page, 1 to 100.")],
        responses={200: TicketEventSerializer(many=True), **error_responses(400, 401, 404)},
    )
    def get(self, request: Request, ticket_id: int) -> Response:
        ticket = selectors.ticket_get_visible(user=request.user, ticket_id=ticket_id)
        self.paginator.ordering = ("created_at", "id")
        page = self.paginate_queryset(selectors.ticket_history(ticket=ticket))
        return self.get_paginated_response(TicketEventSerializer(page, many=True).data)
