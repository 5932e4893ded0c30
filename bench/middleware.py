"""Benchmark-only middleware: report how many SQL queries each request ran."""

from django.db import connection


class QueryCountMiddleware:
    """Add `X-Query-Count` to every response: the queries run on the default database."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def count_query(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count_query):
            response = self.get_response(request)
        response["X-Query-Count"] = str(count)
        return response
