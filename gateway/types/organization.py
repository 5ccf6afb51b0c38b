"""Organization: a JumpCloud organisation the caller may read (gateway/tenancy.py)."""

from __future__ import annotations

from typing import Any

import strawberry


@strawberry.type(
    description=(
        "A JumpCloud organisation this gateway serves and the caller may read. On a gateway "
        "serving several, a request reads the one its token is bound to, or the one its "
        "`x-jcgraph-org` header names."
    )
)
class Organization:
    id: strawberry.ID = strawberry.field(
        description="The JumpCloud organisation id (24 hexadecimal characters): the value "
        "the `x-jcgraph-org` header takes."
    )
    name: str | None = strawberry.field(
        description="Its display name (`displayName`); null when JumpCloud did not list it "
        "for this API key."
    )

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Organization:
        name = record.get("displayName")
        return cls(
            id=strawberry.ID(str(record["_id"])), name=name if isinstance(name, str) else None
        )
