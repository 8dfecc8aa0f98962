"""Smoke test of ``benchmarks/list_paging.py``: at tiny sizes it measures (and checks) every paged list
RPC of the emulator, so a new list RPC or a broken seeding function shows up here, not in a 10k run."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import hypercorn.config
import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "list_paging.py"

# Every RPC of the emulator whose request pages (page_token, or page_number for ListDomains).
PAGED_LIST_RPCS = frozenset(
    {
        "ListOrganization", "SearchOrganization", "ListOrganizationConnections",
        "SearchOrganizationConnections", "ListAppConnections", "ListDomains", "ListDirectoryUsers",
        "ListDirectoryGroups", "ListUsers", "SearchUsers", "SearchOrganizationUsers",
        "ListOrganizationUsers", "GetUserSessions", "ListPermissions", "ListTokens", "ListEvents",
        "ListEventsPaginated", "ListOrganizationClients", "ListResources", "ListResourceUserConsents",
        "ListClient", "ListConnectedAccounts", "SearchConnectedAccounts", "ListTools", "ListScopedTools",
        "ListAvailableTools", "ListMcpConfigs", "ListMcpInstances", "ListProviders",
    }
)  # fmt: skip


def _load(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """The script as a module (it puts ``benchmarks/`` on ``sys.path`` for ``_support``: undone after)."""
    path = list(sys.path)
    try:
        spec = importlib.util.spec_from_file_location("bench_list_paging", SCRIPT)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        monkeypatch.setitem(sys.modules, spec.name, module)  # its dataclasses look their module up
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path[:] = path


def test_every_paged_list_rpc_is_measured(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The script lifts hypercorn's per-connection request cap for the whole process: restore it after.
    monkeypatch.setattr(
        hypercorn.config.Config, "keep_alive_max_requests", hypercorn.config.Config.keep_alive_max_requests
    )
    bench = _load(monkeypatch)
    assert set(bench.RPCS) == PAGED_LIST_RPCS
    results = bench.main(["--sizes", "50,120", "--pages", "2"])  # asserts full pages and totals itself
    assert set(results) == {50, 120}
    for size in (50, 120):
        cases = [case for case, _ in results[size].values()]
        assert sorted(case.rpc for case in cases) == sorted(PAGED_LIST_RPCS)
        for case, result in results[size].values():
            assert result.pages >= 1, case.name
            assert result.p50_ms > 0, case.name
            assert result.total >= case.added, case.name
    table = capsys.readouterr().out
    for rpc in PAGED_LIST_RPCS:
        assert f"\n{rpc}" in table, rpc
