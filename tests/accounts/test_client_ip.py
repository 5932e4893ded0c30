import pytest
from django.test import RequestFactory

from accounts.client_ip import client_ip


def make_request(remote_addr: str = "10.1.2.3", forwarded: str | None = None):
    headers = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    return RequestFactory().get("/", REMOTE_ADDR=remote_addr, **headers)


def test_no_proxies_ignores_forwarded_header(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    assert client_ip(make_request(forwarded="203.0.113.9")) == "10.1.2.3"


def test_one_proxy_takes_rightmost_entry(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    assert client_ip(make_request(forwarded="198.51.100.7")) == "198.51.100.7"


@pytest.mark.parametrize(
    "forwarded",
    [
        # What the client sent comes first; each proxy appends what it saw.
        "198.51.100.7, 104.22.17.40",
        "1.1.1.1, 198.51.100.7, 104.22.17.40",
        "spoofed, 2.2.2.2, 198.51.100.7, 104.22.17.40",
    ],
)
def test_two_proxies_ignore_spoofed_prefix(settings, forwarded):
    settings.TRUSTED_PROXY_COUNT = 2

    assert client_ip(make_request(forwarded=forwarded)) == "198.51.100.7"


def test_too_few_entries_falls_back_to_remote_addr(settings):
    settings.TRUSTED_PROXY_COUNT = 2

    assert client_ip(make_request(forwarded="104.22.17.40")) == "10.1.2.3"
    assert client_ip(make_request()) == "10.1.2.3"


def test_malformed_trusted_entry_falls_back(settings, caplog):
    settings.TRUSTED_PROXY_COUNT = 1

    assert client_ip(make_request(forwarded="1.2.3.4, not-an-ip")) == "10.1.2.3"
    assert "TRUSTED_PROXY_COUNT" in caplog.text


def test_ipv6_is_normalised(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    assert client_ip(make_request(forwarded="2001:DB8:0:0::1")) == "2001:db8::1"


def test_missing_remote_addr_is_unknown(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    assert client_ip(make_request(remote_addr="")) == "unknown"
