"""Stalled and vanishing clients (issue 12, item 11): a request whose body never arrives is answered (408 /
DEADLINE_EXCEEDED) within the emulator's ``body_timeout`` and never reaches a handler; a connection that
never completes a request is closed after ``idle_timeout``; a client that disconnects mid-body is one DEBUG
line, not a traceback; other calls keep working meanwhile. Limits are short here (the defaults are 10 s /
5 s); ``benchmarks/stalled_clients.py`` measures ``/health`` with 1,200 stalled requests open.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator

import grpc
import h2.config
import h2.connection
import h2.events
import pytest

from scalekit_api.v1.organizations import organizations_pb2, organizations_pb2_grpc
from scalekit_py.emulator import Emulator

BODY_TIMEOUT = 0.6
IDLE_TIMEOUT = 0.6
SLACK = 2.0  # scheduling on a shared 2-core machine
GET_ORG = "/scalekit.v1.organizations.OrganizationService/GetOrganization"
PARTIAL_FORM = (
    b"POST /oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ngrant_type="
)


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(body_timeout=BODY_TIMEOUT, idle_timeout=IDLE_TIMEOUT) as emulator:
        yield emulator


def _address(emu: Emulator) -> tuple[str, int]:
    host, port = emu.grpc_target.rsplit(":", 1)
    return host, int(port)


def _read_until_closed(sock: socket.socket, limit: float) -> tuple[bytes, float]:
    """Everything the server sends until it closes the connection, and when it closed (seconds)."""
    started, data = time.monotonic(), b""
    sock.settimeout(limit)
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return data, time.monotonic() - started
        data += chunk


class H2Client:
    """A bare HTTP/2 client (cleartext, prior knowledge) that can stop mid-body, as a stalled peer would."""

    def __init__(self, emu: Emulator) -> None:
        self.sock = socket.create_connection(_address(emu))
        self.conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
        self.conn.initiate_connection()
        self.flush()

    def flush(self) -> None:
        self.sock.sendall(self.conn.data_to_send())

    def start_rpc(self, token: str, body_prefix: bytes) -> int:
        """Open a gRPC call whose 5-byte length prefix promises more than ``body_prefix`` delivers."""
        stream_id = self.conn.get_next_available_stream_id()
        headers = [
            (":method", "POST"), (":scheme", "http"), (":path", GET_ORG), (":authority", "127.0.0.1"),
            ("content-type", "application/grpc"), ("te", "trailers"), ("authorization", f"Bearer {token}"),
        ]  # fmt: skip
        self.conn.send_headers(stream_id, headers)
        self.conn.send_data(stream_id, b"\x00\x00\x00\x00\x40" + body_prefix)  # 64 bytes announced
        self.flush()
        return stream_id

    def reset(self, stream_id: int) -> None:
        self.conn.reset_stream(stream_id)
        self.flush()

    def answer(self, stream_id: int, limit: float) -> tuple[dict[str, str], float]:
        """The headers and trailers the server sends on a stream, and when they ended (seconds)."""
        started, fields = time.monotonic(), {}
        self.sock.settimeout(limit)
        while True:
            data = self.sock.recv(65536)
            assert data, "the server closed the connection"
            for event in self.conn.receive_data(data):
                if isinstance(event, (h2.events.ResponseReceived, h2.events.TrailersReceived)) and (
                    event.stream_id == stream_id
                ):
                    fields.update({_text(k): _text(v) for k, v in event.headers})
                if isinstance(event, h2.events.StreamEnded) and event.stream_id == stream_id:
                    self.flush()
                    return fields, time.monotonic() - started
            self.flush()

    def close(self) -> None:
        self.sock.close()


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


def test_http_request_whose_body_stalls_gets_408_and_a_closed_connection(emu: Emulator) -> None:
    with socket.create_connection(_address(emu)) as sock:
        sock.sendall(PARTIAL_FORM)
        data, closed_after = _read_until_closed(sock, BODY_TIMEOUT + SLACK + 5)
    assert data.startswith(b"HTTP/1.1 408")
    assert b"request body not received within 0.6s" in data
    assert BODY_TIMEOUT * 0.8 <= closed_after <= BODY_TIMEOUT + SLACK


def test_grpc_call_whose_body_stalls_gets_deadline_exceeded_and_the_connection_lives(emu: Emulator) -> None:
    client = H2Client(emu)
    try:
        stalled = client.start_rpc(emu.access_token(), b"\x0a\x05")
        fields, after = client.answer(stalled, BODY_TIMEOUT + SLACK + 5)
        assert fields["grpc-status"] == "4"
        assert "request body not received" in fields["grpc-message"]
        assert BODY_TIMEOUT * 0.8 <= after <= BODY_TIMEOUT + SLACK
        # The same connection still serves a well-formed call (here: one with an empty message).
        fine = client.conn.get_next_available_stream_id()
        headers = [
            (":method", "POST"), (":scheme", "http"), (":path", GET_ORG), (":authority", "127.0.0.1"),
            ("content-type", "application/grpc"), ("te", "trailers"),
            ("authorization", f"Bearer {emu.access_token()}"),
        ]  # fmt: skip
        client.conn.send_headers(fine, headers)
        client.conn.send_data(fine, b"\x00\x00\x00\x00\x00", end_stream=True)
        client.flush()
        fields, _ = client.answer(fine, SLACK + 5)
        assert fields["grpc-status"] != "4"  # answered by the handler (an id is required: INVALID_ARGUMENT)
    finally:
        client.close()


def test_calls_on_other_connections_proceed_while_bodies_stall() -> None:
    # A long body timeout here: calls that waited for the stalled requests would take 10 s.
    with Emulator(body_timeout=10.0) as emu, grpc.insecure_channel(emu.grpc_target) as channel:
        assert emu.seeded is not None
        stub = organizations_pb2_grpc.OrganizationServiceStub(channel)
        metadata = (("authorization", f"Bearer {emu.access_token()}"),)
        request = organizations_pb2.GetOrganizationRequest(id=emu.seeded.organization_id)
        stub.GetOrganization(request, metadata=metadata, timeout=10)  # the channel is up
        stalled = [H2Client(emu) for _ in range(50)]
        try:
            for client in stalled:
                client.start_rpc(emu.access_token(), b"")
            started = time.monotonic()
            for _ in range(5):
                reply = stub.GetOrganization(request, metadata=metadata, timeout=10)
                assert reply.organization.id == emu.seeded.organization_id
            assert time.monotonic() - started < 5.0  # not queued behind the stalled ones
        finally:
            for client in stalled:
                client.close()


@pytest.mark.parametrize(
    "payload",
    [b"", b"POST /oauth/tok", b"\x16\x03\x01\x02\x00garbage that is no request"],
    ids=["silent", "half a request line", "garbage"],
)
def test_idle_and_garbage_connections_are_closed(emu: Emulator, payload: bytes) -> None:
    with socket.create_connection(_address(emu)) as sock:
        sock.sendall(payload)
        _, closed_after = _read_until_closed(sock, IDLE_TIMEOUT + SLACK + 5)
    assert closed_after <= IDLE_TIMEOUT + SLACK


def _server_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith(("scalekit_py.emulator", "hypercorn", "asyncio"))]


def test_http_client_leaving_mid_body_is_one_debug_line(
    emu: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="scalekit_py.emulator.server")
    with socket.create_connection(_address(emu)) as sock:
        sock.sendall(PARTIAL_FORM)
        time.sleep(0.1)
    _wait_for(lambda: any("mid-body" in r.getMessage() for r in caplog.records))
    records = _server_records(caplog)
    assert [(r.levelno, r.getMessage()) for r in records if "mid-body" in r.getMessage()] == [
        (logging.DEBUG, "POST /oauth/token: client disconnected mid-body (11 bytes received)")
    ]
    assert not [r for r in records if r.exc_info or r.levelno >= logging.WARNING]


def test_grpc_client_resetting_mid_body_is_one_debug_line(
    emu: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="scalekit_py.emulator.server")
    client = H2Client(emu)
    try:
        stream_id = client.start_rpc(emu.access_token(), b"\x0a")
        time.sleep(0.1)
        client.reset(stream_id)
        _wait_for(lambda: any("mid-body" in r.getMessage() for r in caplog.records))
    finally:
        client.close()
    records = _server_records(caplog)
    assert [(r.levelno, r.getMessage()) for r in records if "mid-body" in r.getMessage()] == [
        (logging.DEBUG, f"POST {GET_ORG}: client disconnected mid-body (6 bytes received)")
    ]
    assert not [r for r in records if r.exc_info or r.levelno >= logging.WARNING]


def _wait_for(condition: object, limit: float = 5.0) -> None:
    assert callable(condition)
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


@pytest.mark.parametrize("value", [0, -1, float("inf"), float("nan")])
def test_limits_must_be_positive_seconds(value: float) -> None:
    with pytest.raises(ValueError, match="body_timeout"):
        Emulator(body_timeout=value)
    with pytest.raises(ValueError, match="idle_timeout"):
        Emulator(idle_timeout=value)


def test_cli_refuses_a_limit_that_is_not_positive(capsys: pytest.CaptureFixture[str]) -> None:
    from scalekit_py.emulator.__main__ import main

    assert main(["--port", "0", "--body-timeout", "0"]) == 2
    assert "body_timeout must be a positive number of seconds" in capsys.readouterr().err
