"""Fixtures: a scripted in-process gRPC server and OAuth token endpoint, both on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tests.transport._servers import (
    AsyncStack,
    GrpcServer,
    SyncStack,
    TokenEndpoint,
    async_stack,
    start_grpc_server,
    start_token_endpoint,
    sync_stack,
)


@pytest.fixture
def grpc_server() -> Iterator[GrpcServer]:
    server = start_grpc_server()
    try:
        yield server
    finally:
        server.server.stop(None)


@pytest.fixture
def token_endpoint() -> Iterator[TokenEndpoint]:
    yield from start_token_endpoint()


@pytest.fixture
def sync_env(grpc_server: GrpcServer, token_endpoint: TokenEndpoint) -> Iterator[SyncStack]:
    stack = sync_stack(grpc_server.env_url, token_endpoint)
    try:
        yield stack
    finally:
        stack.close()


@pytest.fixture
async def async_env(grpc_server: GrpcServer, token_endpoint: TokenEndpoint) -> AsyncIterator[AsyncStack]:
    stack = async_stack(grpc_server.env_url, token_endpoint)
    try:
        yield stack
    finally:
        await stack.aclose()
