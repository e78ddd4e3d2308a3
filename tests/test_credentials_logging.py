"""No token in any log record, at DEBUG, over real HTTP (httpcore logs headers)."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Iterator

import pytest

import imgql
from imgql.http.log_redaction import HEADER_LOGGERS, TokenRedactor, hashed, install_log_redaction, redact_tokens
from tests.stub_keystone import PASSWORD, StubCloud, stub_cloud


@pytest.fixture
def cloud() -> Iterator[StubCloud]:
    with stub_cloud() as running:
        yield running


@pytest.fixture
def every_record() -> Iterator[list[logging.LogRecord]]:
    """Every record of every logger at DEBUG, as logging.basicConfig(level=DEBUG) would show them."""
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            self.format(record)
            records.append(record)

    root = logging.getLogger()
    handler = Keep(logging.DEBUG)
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield records
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def use_password_environment(cloud: StubCloud, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [name for name in os.environ if name.startswith("OS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", "/nonexistent-home-for-tests")
    monkeypatch.setenv("OS_AUTH_URL", cloud.auth_url)
    monkeypatch.setenv("OS_USERNAME", "alice")
    monkeypatch.setenv("OS_PASSWORD", PASSWORD)
    monkeypatch.setenv("OS_PROJECT_NAME", "demo")


def assert_no_token(records: list[logging.LogRecord], cloud: StubCloud) -> None:
    assert cloud.issued
    text = "\n".join(record.getMessage() for record in records)
    for secret in (*cloud.issued, PASSWORD):
        assert secret not in text
    # httpcore did log the headers, with the token's hash in place of the token.
    assert hashed(cloud.issued[0]) in text


def test_no_token_in_any_log_record(
    cloud: StubCloud, every_record: list[logging.LogRecord], monkeypatch: pytest.MonkeyPatch
) -> None:
    use_password_environment(cloud, monkeypatch)
    with imgql.Client() as client:
        assert [image.name for image in client.query("images")] == ["image-1", "image-2"]
    assert cloud.listing_tokens == [cloud.issued[0]]
    assert_no_token(every_record, cloud)
    assert any(record.name.startswith("httpcore") for record in every_record)


def test_no_token_in_any_log_record_async(
    cloud: StubCloud, every_record: list[logging.LogRecord], monkeypatch: pytest.MonkeyPatch
) -> None:
    use_password_environment(cloud, monkeypatch)

    async def run() -> list[str]:
        async with imgql.AsyncClient() as client:
            return [image.name async for image in client.query("images")]

    assert asyncio.run(run()) == ["image-1", "image-2"]
    assert_no_token(every_record, cloud)


@pytest.mark.parametrize(
    "line",
    [
        "receive_response_headers.complete return_value=(b'HTTP/1.1', 201, b'Created', "
        "[(b'X-Subject-Token', b'gAAAAABsecret-token'), (b'Content-Type', b'application/json')])",
        "send_request_headers.started request=<Request [b'GET']> headers=[(b'x-auth-token', b'gAAAAABsecret-token')]",
        "headers {'X-Auth-Token': 'gAAAAABsecret-token', 'Accept': 'application/json'}",
        'Encoding ("x-auth-token", "gAAAAABsecret-token")',
        "X-Auth-Token: gAAAAABsecret-token\r\nAccept: */*",
        "Authorization: Bearer gAAAAABsecret-token",
    ],
)
def test_redact_tokens(line: str) -> None:
    cleaned = redact_tokens(line)
    assert "gAAAAABsecret-token" not in cleaned
    assert "{SHA256}" in cleaned
    assert redact_tokens(cleaned) == cleaned


def test_other_lines_are_untouched() -> None:
    line = "receive_response_headers.complete return_value=(b'HTTP/1.1', 200, b'OK', [(b'Content-Length', b'5')])"
    assert redact_tokens(line) == line


def test_the_filter_is_installed_once() -> None:
    install_log_redaction()
    install_log_redaction()
    for name in HEADER_LOGGERS:
        assert sum(isinstance(f, TokenRedactor) for f in logging.getLogger(name).filters) == 1


def test_a_record_with_arguments_is_redacted() -> None:
    arguments = ("X-Auth-Token:", "abc123")
    record = logging.LogRecord("httpcore.http11", logging.DEBUG, __file__, 1, "%s %s", arguments, None)
    TokenRedactor().filter(record)
    assert "abc123" not in record.getMessage()
