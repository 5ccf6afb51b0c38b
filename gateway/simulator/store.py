"""The simulator's state: organizations, API keys, and the seeded org generators."""

from __future__ import annotations

from dataclasses import dataclass

from gateway.simulator.generate import DEMO_SEED, demo_org, generate_org, shaped_org
from gateway.simulator.model import Binding, Membership, Org, OrgSizes

__all__ = [
    "DEMO_SEED",
    "Binding",
    "Membership",
    "Org",
    "OrgSizes",
    "Store",
    "demo_org",
    "generate_org",
    "shaped_org",
]


@dataclass
class Store:
    """Every org the simulator serves, and which API key may read which orgs.

    A key mapped to several orgs is a multi-tenant (MTP) admin key: its requests must
    name the org in ``x-org-id`` (JumpCloud answers 401 without it).
    """

    orgs: dict[str, Org]
    api_keys: dict[str, tuple[str, ...]]

    @classmethod
    def single(cls, org: Org, api_key: str) -> Store:
        """One org behind one single-tenant key."""
        return cls(orgs={org.id: org}, api_keys={api_key: (org.id,)})

    @classmethod
    def multi(cls, orgs: list[Org], api_key: str) -> Store:
        """Several orgs behind one multi-tenant key."""
        return cls(
            orgs={org.id: org for org in orgs}, api_keys={api_key: tuple(o.id for o in orgs)}
        )
