from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.pagination import StrictCursorPagination
from config.preconditions import IF_MATCH_PARAMETER, etag_header, read_if_match
from config.schema import error_responses, page_size_parameter
from idempotency.views import IDEMPOTENCY_KEY_PARAMETER, idempotent, replay_header
from tickets import selectors, services
from tickets.analytics import analytics_summary
from tickets.analytics_serializers import AnalyticsQuerySerializer, AnalyticsSummarySerializer
from tickets.filters import (
    QueryParamFilterBackend,
    StrictOrderingFilter,
    StrictSearchFilter,
    TicketFilter,
)
from tickets.models import Ticket, TicketComment, TicketEvent
from tickets.serializers import (
    AssignmentMethod,
    CommentCreateInputSerializer,
    CommentSerializer,
    FeedbackCreateInputSerializer,
    FeedbackSerializer,
    ReopenInputSerializer,
    TicketCreateInputSerializer,
    TicketDetailSerializer,
    TicketEventSerializer,
    TicketListSerializer,
    TicketUpdateInputSerializer,
    TicketWriteSerializer,
    describe_assignment,
)

LIST_COLUMNS = (
    "id",
    "title",
    "priority",
    "status",
    "created_at",
    "updated_at",
    "creator__id",
    "creator__name",
    "creator__email",
    "creator__role",
    "assignee__id",
    "assignee__name",
    "assignee__email",
    "assignee__role",
    "assignee__is_available",
)


class TicketListCreateView(generics.GenericAPIView):
    serializer_class = TicketListSerializer
    pagination_class = StrictCursorPagination
    filter_backends = [QueryParamFilterBackend, StrictSearchFilter, StrictOrderingFilter]
    filterset_class = TicketFilter
    search_fields = ["title", "description"]
    ordering_fields = ["created_at", "updated_at"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self) -> QuerySet[Ticket]:
        if getattr(self, "swagger_fake_view", False):
            return Ticket.objects.none()
        # Only the columns TicketListSerializer shows: the description and the people's
        # password hashes are the largest columns and would be loaded for nothing.
        return selectors.ticket_list_visible_to(user=self.request.user).only(*LIST_COLUMNS)

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
            page_size_parameter("Tickets per page, 1 to 100."),
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
        description=(
            "The caller becomes the creator; the ticket always starts `open`. Without "
            "`assignee` the server assigns the available administrator with the fewest open "
            "and in-progress tickets (ties: the one assigned least recently), or leaves the "
            "ticket unassigned when nobody is available; `assignment` in the response says "
            "which happened. `assignee: null` opts out and leaves the ticket unassigned."
        ),
        parameters=[IDEMPOTENCY_KEY_PARAMETER, etag_header(201), replay_header(201)],
        request=TicketCreateInputSerializer,
        responses={201: TicketWriteSerializer, **error_responses(400, 401, 422)},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        serializer = TicketCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data

        auto_assign = "assignee" not in data
        ticket = services.ticket_create(
            creator=request.user,
            title=data["title"],
            description=data["description"],
            priority=data["priority"],
            assignee=data.get("assignee"),
            auto_assign=auto_assign,
        )
        if auto_assign:
            method = AssignmentMethod.AUTOMATIC
        elif ticket.assignee is None:
            method = AssignmentMethod.NONE
        else:
            method = AssignmentMethod.MANUAL
        context = {"request": request, "assignment": describe_assignment(ticket, method)}
        body = TicketWriteSerializer(ticket, context=context).data
        return Response(body, status=status.HTTP_201_CREATED, headers={"ETag": ticket.etag})


class TicketDetailView(generics.GenericAPIView):
    serializer_class = TicketDetailSerializer
    queryset = Ticket.objects.none()

    @extend_schema(
        tags=["tickets"],
        summary="One ticket, with the transitions the caller may run",
        description="The `ETag` header identifies this version; send it in `If-Match` on PATCH.",
        parameters=[etag_header(200)],
        responses={200: TicketDetailSerializer, **error_responses(401, 404)},
    )
    def get(self, request: Request, ticket_id: int) -> Response:
        ticket = selectors.ticket_get_visible(user=request.user, ticket_id=ticket_id)
        body = TicketDetailSerializer(ticket, context={"request": request}).data
        return Response(body, headers={"ETag": ticket.etag})

    @extend_schema(
        tags=["tickets"],
        summary="Edit a ticket or change its status",
        description=(
            "The creator or an administrator may change title, description, priority and "
            "assignee. A `status` is a transition request and needs an administrator: 403 "
            "otherwise, 409 (with `current_status` and `allowed_transitions`) when the state "
            "machine does not allow it. A closed ticket cannot be edited (409). When the "
            "request sets `assignee`, `assignment` says whether the new assignee is available. "
            "With `If-Match` the edit runs only if the ticket still has that ETag (412 "
            "otherwise, and nothing changes); without it the edit is unconditional."
        ),
        parameters=[IF_MATCH_PARAMETER, etag_header(200)],
        request=TicketUpdateInputSerializer,
        responses={200: TicketWriteSerializer, **error_responses(400, 401, 403, 404, 409, 412)},
    )
    def patch(self, request: Request, ticket_id: int) -> Response:
        if_match = read_if_match(request)
        serializer = TicketUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = serializer.validated_data

        ticket = services.ticket_update(
            actor=request.user, ticket_id=ticket_id, changes=changes, if_match=if_match
        )
        context = {"request": request}
        if "assignee" in changes:
            method = AssignmentMethod.NONE if ticket.assignee is None else AssignmentMethod.MANUAL
            context["assignment"] = describe_assignment(ticket, method)
        body = TicketWriteSerializer(ticket, context=context).data
        return Response(body, headers={"ETag": ticket.etag})


class TicketHistoryView(generics.GenericAPIView):
    serializer_class = TicketEventSerializer
    pagination_class = StrictCursorPagination
    queryset = TicketEvent.objects.none()

    @extend_schema(
        tags=["tickets"],
        summary="The ticket's history, oldest first",
        parameters=[page_size_parameter("Rows per page, 1 to 100.")],
        responses={200: TicketEventSerializer(many=True), **error_responses(400, 401, 404)},
    )
    def get(self, request: Request, ticket_id: int) -> Response:
        ticket = selectors.ticket_get_visible(user=request.user, ticket_id=ticket_id)
        self.paginator.ordering = ("created_at", "id")
        page = self.paginate_queryset(selectors.ticket_history(ticket=ticket, viewer=request.user))
        return self.get_paginated_response(TicketEventSerializer(page, many=True).data)


class TicketCommentListCreateView(generics.GenericAPIView):
    serializer_class = CommentSerializer
    pagination_class = StrictCursorPagination
    queryset = TicketComment.objects.none()

    @extend_schema(
        tags=["comments"],
        summary="The ticket's comments, oldest first",
        description=(
            "Visible to the ticket's creator, assignee and administrators (404 for anyone "
            "else). Internal comments are listed for administrators only."
        ),
        parameters=[page_size_parameter("Comments per page, 1 to 100.")],
        responses={200: CommentSerializer(many=True), **error_responses(400, 401, 404)},
    )
    def get(self, request: Request, ticket_id: int) -> Response:
        ticket = selectors.ticket_get_visible(user=request.user, ticket_id=ticket_id)
        self.paginator.ordering = ("created_at", "id")
        page = self.paginate_queryset(selectors.ticket_comments(ticket=ticket, viewer=request.user))
        return self.get_paginated_response(CommentSerializer(page, many=True).data)

    @extend_schema(
        tags=["comments"],
        summary="Comment on a ticket",
        description=(
            "Anyone who can see the ticket may comment, closed tickets included. Only "
            "administrators may set `internal` (403 otherwise). The comment also appears in "
            "the ticket's history as a `commented` row."
        ),
        parameters=[IDEMPOTENCY_KEY_PARAMETER, replay_header(201)],
        request=CommentCreateInputSerializer,
        responses={201: CommentSerializer, **error_responses(400, 401, 403, 404, 422)},
    )
    @idempotent
    def post(self, request: Request, ticket_id: int) -> Response:
        serializer = CommentCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        comment = services.comment_create(
            author=request.user, ticket_id=ticket_id, **serializer.validated_data
        )
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class TicketReopenView(generics.GenericAPIView):
    serializer_class = TicketDetailSerializer
    queryset = Ticket.objects.none()

    @extend_schema(
        tags=["tickets"],
        summary="Reopen a closed ticket",
        description=(
            "Administrators only (403 otherwise). Moves a closed ticket back to `open` through "
            "the state machine and records the reason in the history; any other status gets "
            "409 with `current_status` and `allowed_transitions`."
        ),
        request=ReopenInputSerializer,
        parameters=[etag_header(200)],
        responses={200: TicketDetailSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request, ticket_id: int) -> Response:
        serializer = ReopenInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        ticket = services.ticket_reopen(
            actor=request.user, ticket_id=ticket_id, reason=serializer.validated_data["reason"]
        )
        body = TicketDetailSerializer(ticket, context={"request": request}).data
        return Response(body, headers={"ETag": ticket.etag})


class TicketFeedbackView(generics.GenericAPIView):
    serializer_class = FeedbackSerializer
    queryset = Ticket.objects.none()

    @extend_schema(
        tags=["tickets"],
        summary="Confirm a closed ticket was resolved and rate it",
        description=(
            "Only the ticket's creator (403 for anyone else who can see it), only once the "
            "ticket is closed (409 `ticket_not_closed`) and only once per ticket, even after a "
            "reopen (409 `feedback_exists`). The feedback shows in the ticket's detail and "
            "history."
        ),
        request=FeedbackCreateInputSerializer,
        responses={201: FeedbackSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request, ticket_id: int) -> Response:
        serializer = FeedbackCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        feedback = services.ticket_feedback_create(
            author=request.user, ticket_id=ticket_id, **serializer.validated_data
        )
        return Response(FeedbackSerializer(feedback).data, status=status.HTTP_201_CREATED)


class AnalyticsSummaryView(APIView):
    @extend_schema(
        tags=["analytics"],
        summary="Ticket counts, load and resolution times (administrators only)",
        description=(
            "Over the tickets created in the optional range `created_from` to `created_to`: "
            "counts per status and priority, open and in-progress tickets per assignee, the "
            "median and 90th percentile of hours from creation to close, and per priority the "
            "share of closed tickets closed within the target (defaults: urgent 24 h, high "
            "48 h, medium 72 h, low 168 h; set with TICKET_TARGET_HOURS). A reopened ticket "
            "counts from its creation to its last close."
        ),
        parameters=[AnalyticsQuerySerializer],
        responses={200: AnalyticsSummarySerializer, **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        if not request.user.is_admin:
            raise PermissionDenied("Only administrators can read analytics.")
        serializer = AnalyticsQuerySerializer(data=request.query_params.dict())
        serializer.is_valid(raise_exception=True)
        bounds = serializer.validated_data

        summary = analytics_summary(
            created_from=bounds.get("created_from"), created_before=bounds.get("created_to")
        )
        return Response(AnalyticsSummarySerializer(summary).data)
