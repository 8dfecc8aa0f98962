"""The in-process coordinator: one flight per session id, pending tokens, backoff, one per store."""

from __future__ import annotations

import gc

import pytest

from scalekit_py import errors
from scalekit_py._transport.retry import RetryPolicy
from scalekit_py.sessions import InMemoryTokenStore, SessionRecord, Versioned
from scalekit_py.sessions._registry import Backoff, Coordinator, Join, Lead, coordinator_for

REC = SessionRecord(access_token="a", access_expires_at=2.0, issued_at=1.0, refresh_token="r")
SEEN = Versioned(REC, "v1")
POLICY = RetryPolicy(initial_backoff=2.0, max_backoff=8.0, multiplier=2.0, jitter=0.0)


def test_first_caller_leads_and_others_join_until_settled() -> None:
    coord = Coordinator()
    lead = coord.join("k", SEEN, now=0)
    assert isinstance(lead, Lead)
    assert lead.flight.kind == "refresh"
    joined = coord.join("k", SEEN, now=0)
    assert isinstance(joined, Join)
    assert joined.flight is lead.flight
    assert isinstance(coord.join("other", SEEN, now=0), Lead)  # another session id: its own flight
    coord.settle("k", lead.flight, result=REC)
    assert joined.flight.future.result(0) == REC
    assert coord.flight("k") is None
    assert isinstance(coord.join("k", SEEN, now=0), Lead)


def test_interrupted_flight_wakes_waiters_with_session_error() -> None:
    coord = Coordinator()
    lead = coord.join("k", SEEN, now=0)
    assert isinstance(lead, Lead)
    coord.settle("k", lead.flight, error=KeyboardInterrupt())
    with pytest.raises(errors.SessionError, match="interrupted"):
        lead.flight.future.result(0)


def test_failures_back_off_and_success_resets() -> None:
    coord = Coordinator()
    assert coord.record_failure("k", errors.ServerError("x"), 100.0, POLICY, lambda: 0.0) == 102.0
    assert coord.record_failure("k", errors.ServerError("y"), 102.0, POLICY, lambda: 0.0) == 106.0
    step = coord.join("k", SEEN, now=105.0)
    assert isinstance(step, Backoff)
    assert step.retry_at == 106.0
    assert isinstance(step.last_error, errors.ServerError)
    lead = coord.join("k", SEEN, now=106.0)
    assert isinstance(lead, Lead)
    coord.settle("k", lead.flight, result=REC)
    coord.record_success("k")
    assert isinstance(coord.join("k", SEEN, now=0.0), Lead)  # no backoff left


def test_pending_tokens_are_saved_first_and_dropped_only_by_identity() -> None:
    coord = Coordinator()
    coord.record_failure("k", errors.ServerError("x"), 0.0, POLICY, lambda: 0.0)
    first = coord.set_pending("k", REC, "v2")
    step = coord.join("k", None, now=0.0)  # backoff does not delay saving
    assert isinstance(step, Lead)
    assert step.flight.kind == "persist"
    coord.settle("k", step.flight, result=REC)
    second = coord.set_pending("k", REC, "v3")
    coord.drop_pending("k", first)  # stale: must not drop the newer pending pair
    assert coord.pending("k") is second
    coord.drop_pending("k", second)
    assert coord.pending("k") is None
    assert coord.join("k", None, now=10.0) is None  # nothing pending any more: read the store


def test_reset_forgets_pending_and_backoff() -> None:
    coord = Coordinator()
    coord.set_pending("k", REC, "v2")
    coord.record_failure("k", errors.ServerError("x"), 0.0, POLICY, lambda: 0.0)
    coord.reset("k")
    assert coord.pending("k") is None
    assert isinstance(coord.join("k", SEEN, now=0.0), Lead)


def test_one_coordinator_per_store_object() -> None:
    a, b = InMemoryTokenStore(), InMemoryTokenStore()
    assert coordinator_for(a) is coordinator_for(a)
    assert coordinator_for(a) is not coordinator_for(b)
    assert coordinator_for(a).holder != coordinator_for(b).holder
    holder = coordinator_for(a).holder
    del a
    gc.collect()
    c = InMemoryTokenStore()
    assert coordinator_for(c).holder != holder
