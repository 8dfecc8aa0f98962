"""Pure helpers shared by the client-credential facades (organization, resource and environment clients)."""

from __future__ import annotations

from collections.abc import Mapping

from scalekit_api.v1.clients import clients_pb2 as pb

__all__ = ["claims", "set_paths"]


def claims(values: Mapping[str, str] | None) -> list[pb.CustomClaim] | None:
    """``{"team": "ops"}`` -> ``[CustomClaim(key="team", value="ops")]`` (``None`` stays ``None``).

    Raises:
        TypeError: ``values`` is not a mapping of strings.
    """
    if values is None:
        return None
    if not isinstance(values, Mapping):
        raise TypeError("custom_claims must be a mapping of claim name to value")
    return [pb.CustomClaim(key=str(key), value=str(value)) for key, value in values.items()]


def set_paths(**fields: object) -> list[str] | None:
    """The names of the ``fields`` that were given (not ``None``), in order; ``None`` when none were.

    Used as the ``update_mask`` of an update when the caller gives none, so exactly the fields the
    caller passed are changed (an empty list clears a repeated field).
    """
    paths = [name for name, value in fields.items() if value is not None]
    return paths or None
