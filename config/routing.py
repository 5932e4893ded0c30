"""URL helpers shared by the apps."""

from django.urls import URLPattern, path


def route(pattern: str, view, name: str) -> list[URLPattern]:
    """Route `pattern` with and without a trailing slash to the same view.

    APPEND_SLASH is off, so neither form redirects: a redirected POST or PATCH would lose
    its body. The schema lists only the form without the slash.
    """
    return [path(pattern, view, name=name), path(f"{pattern}/", view)]
