"""Production settings plus what the benchmark measures with: never deploy these.

Adds the bare DRF view (the framework's own floor) under /bench/bare and an
`X-Query-Count` response header. Everything else, including the JSON access log, is as
in production, so the measured latency includes it.
"""

from .production import *  # noqa: F403
from .production import MIDDLEWARE

ROOT_URLCONF = "bench.urls"
MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *MIDDLEWARE]
