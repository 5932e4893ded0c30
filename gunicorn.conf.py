"""gunicorn settings for production and the benchmark; every value can be set from the environment.

Start with `gunicorn -c gunicorn.conf.py config.wsgi`. DJANGO_SETTINGS_MODULE decides which
Django settings are loaded (config.settings.production on Render).
"""

import multiprocessing
import os

# Render routes traffic to the port in $PORT (10000 unless changed in the service settings).
bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")

# Sync workers with one thread each: every request uses a database connection for its
# whole duration anyway, so threads add connections without adding database throughput.
# The default of 2 x cores + 1 is gunicorn's own recommendation. WEB_CONCURRENCY is the
# variable that Render and gunicorn both use for the worker count.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync" if threads == 1 else "gthread")

# gunicorn's default request-line limit is 4094 bytes, and a longer line gets an HTML 414
# from gunicorn before Django can respond in the API's error shape. 8190 is the largest
# value gunicorn accepts short of "unlimited", so a long cursor plus filters reaches the
# API and its parameter validation. NOTE: a request line over 8190 bytes still gets
# gunicorn's HTML 414.
limit_request_line = int(os.environ.get("GUNICORN_LIMIT_REQUEST_LINE", "8190"))

# A request that takes longer than this is killed and its worker restarted.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "25"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))

# Recycle workers now and then so that a slow leak cannot grow without bound. The jitter
# keeps all workers from restarting at the same moment.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "10000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "1000"))

# Render's proxy connects from addresses that are not fixed; the application is not reachable
# from outside except through it. X-Forwarded-Proto is then trusted from any peer.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")

# Django writes one JSON access line per request with the request id (ops.middleware), so
# gunicorn's own access log is off. Its error log (worker starts, stops, timeouts) goes
# to stderr.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# Each worker opens its own database connection after the fork, so preloading is safe
# and lets the workers share the imported code's memory.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") == "1"

# gunicorn 27 opens a control socket at one fixed path per user by default
# ($HOME/.gunicorn/gunicorn.ctl), so a second server on the same machine (tests, the
# benchmark) would collide with the first. Nothing here uses the control interface.
control_socket_disable = os.environ.get("GUNICORN_CONTROL_SOCKET", "0") != "1"
