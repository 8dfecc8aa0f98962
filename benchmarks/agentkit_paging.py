"""Page time of the AgentKit catalogue list RPCs as the store grows: 1k and 10k stored tools, providers and
connected accounts.

Why: ``ListTools``, ``ListScopedTools``, ``ListAvailableTools`` and ``ListProviders`` used to build the whole
catalogue in Python on every call (every built-in copied, every stored tool, provider and connected account
decoded) and cut a page at an offset. They now chain the built-ins (in memory) with the stored lists on
the list index (``scalekit_py/emulator/agentkit/paging.py``), so a page should cost about the same at any
size.

What it does, in one run: starts an in-process emulator per size, writes straight into its store (as the
create RPCs would) ``size`` custom providers, ``size`` tools spread over the first ten of them and ``size``
connected accounts of other identifiers (with owners), plus one identifier ``bench-user`` with ACTIVE
accounts on two of the ten providers (a fifth of the tools). Then it times ``--pages`` consecutive pages
(``page_size=100``, following ``next_page_token``) of each RPC through a raw gRPC stub and prints the
median page time and its ratio to the first size's median.

Run: ``python benchmarks/agentkit_paging.py [--sizes 1000,10000] [--pages 15]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import grpc
from _support.emulator import lift_request_cap
from google.protobuf import struct_pb2

from scalekit_api.v1.connected_accounts import connected_accounts_pb2 as ca_pb
from scalekit_api.v1.providers import providers_pb2 as prv_pb
from scalekit_api.v1.providers import providers_pb2_grpc
from scalekit_api.v1.tools import tools_pb2 as pb
from scalekit_api.v1.tools import tools_pb2_grpc
from scalekit_py.emulator import Emulator

USER = "bench-user"


def _p50(call: Callable[..., Any], request: Any, pages: int, metadata: tuple[tuple[str, str], ...]) -> float:
    times = []
    for _ in range(pages):
        started = time.perf_counter()
        reply = call(request, metadata=metadata, timeout=120)
        times.append(time.perf_counter() - started)
        if not reply.next_page_token:
            request.page_token = ""  # start over: as many pages as asked for, whatever the list length
            continue
        request.page_token = reply.next_page_token
    return statistics.median(times) * 1000


def _account(identifier: str, provider: str, status: int) -> ca_pb.ConnectedAccount:
    connector = provider.lower()
    return ca_pb.ConnectedAccount(
        id=f"ca_{connector}_{identifier}",
        identifier=identifier,
        provider=provider,
        connector=connector,
        connection_id=f"conn_ak_{connector}"[:32],
        status=status,  # type: ignore[arg-type]
        authorization_type=ca_pb.BEARER_TOKEN,
    )


def _seed(emu: Emulator, count: int) -> None:
    """``count`` providers, ``count`` tools over the first ten providers, ``count`` accounts of others."""
    with emu.state.store.transaction() as tx:
        for i in range(count):
            ident = f"BENCH_P{i:06d}"
            provider = prv_pb.Provider(id=f"prv_bench{i:06d}", identifier=ident, display_name=ident)
            provider.is_custom = i % 2 == 0
            tx.insert("ak_provider", provider.id, provider, unique={"identifier": ident})
        for i in range(count):
            name = f"bench_tool_{i:06d}"
            definition = struct_pb2.Struct()
            word = "alpha" if i % 4 == 0 else "beta"
            definition.update({"name": name, "description": f"{word} tool {i}", "input_schema": {}})
            tool = pb.Tool(id=f"tol_bench{i:06d}", provider=f"BENCH_P{i % 10:06d}", definition=definition)
            tool.tags.extend(["bench", word])
            tool.is_default.value = True
            tx.insert("ak_tool", tool.id, tool, parent=tool.provider, unique={"name": name})
        accounts = [_account(f"bench-other-{i}", f"BENCH_P{i:06d}", ca_pb.ACTIVE) for i in range(count)]
        accounts += [_account(USER, f"BENCH_P{i:06d}", ca_pb.ACTIVE) for i in (3, 7)]
        for i, account in enumerate(accounts):
            key = f"{account.connector}:{account.identifier}"
            tx.insert("ak_account", account.id, account, parent=account.connector, unique={"key": key})
            owner = struct_pb2.Struct()
            owner.update({"organization_id": f"org_bench{i % 50}", "user_id": f"usr_bench{i}"})
            tx.insert("ak_owner", account.id, owner)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--pages", type=int, default=15)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    lift_request_cap()
    base: dict[str, float] = {}
    print(f"{'size':>7} {'RPC':<42} {'page p50 ms':>12} {'x first':>8}")
    for size in sizes:
        with Emulator() as emu, grpc.insecure_channel(emu.grpc_target) as channel:
            _seed(emu, size)
            meta = (("authorization", f"Bearer {emu.access_token()}"),)
            tools = tools_pb2_grpc.ToolServiceStub(channel)
            providers = providers_pb2_grpc.ProviderServiceStub(channel)
            every = prv_pb.ListProvidersRequest.Filter(provider_type=prv_pb.ALL)
            custom = prv_pb.ListProvidersRequest.Filter(provider_type=prv_pb.CUSTOM)
            cases: dict[str, tuple[Callable[..., Any], Any]] = {
                "ListTools": (tools.ListTools, pb.ListToolsRequest(filter=pb.Filter(), page_size=100)),
                "ListTools (provider)": (
                    tools.ListTools,
                    pb.ListToolsRequest(filter=pb.Filter(provider="BENCH_P000003"), page_size=100),
                ),
                "ListTools (identifier)": (
                    tools.ListTools,
                    pb.ListToolsRequest(filter=pb.Filter(identifier=USER), page_size=100),
                ),
                "ListTools (query 'alpha')": (
                    tools.ListTools,
                    pb.ListToolsRequest(filter=pb.Filter(query="alpha"), page_size=100),
                ),
                "ListScopedTools": (
                    tools.ListScopedTools,
                    pb.ListScopedToolsRequest(identifier=USER, filter=pb.ScopedToolFilter(), page_size=100),
                ),
                "ListAvailableTools": (
                    tools.ListAvailableTools,
                    pb.ListAvailableToolsRequest(identifier=USER, page_size=100),
                ),
                "ListProviders (ALL)": (
                    providers.ListProviders,
                    prv_pb.ListProvidersRequest(filter=every, page_size=100),
                ),
                "ListProviders (CUSTOM)": (
                    providers.ListProviders,
                    prv_pb.ListProvidersRequest(filter=custom, page_size=100),
                ),
            }
            rows = {name: _p50(call, request, args.pages, meta) for name, (call, request) in cases.items()}
        for name, ms in rows.items():
            base.setdefault(name, ms)
            print(f"{size:>7} {name:<42} {ms:>12.2f} {ms / base[name]:>8.2f}", flush=True)


if __name__ == "__main__":
    main()
