"""The Query root's arguments: their shared descriptions, and the check that one is given."""

from __future__ import annotations

from typing import Any

import strawberry

from gateway.errors import BadUserInput

JUMPCLOUD_ID = strawberry.argument(description="The object's JumpCloud id (`jumpcloudId`).")
ONE_ID = strawberry.argument(description="Its JumpCloud id (`jumpcloudId`); or give another.")
USER_FILTER = strawberry.argument(
    description="Only the users matching every field given (JumpCloud filters them)."
)
SYSTEM_FILTER = strawberry.argument(
    description="Only the systems matching every field given (JumpCloud filters them)."
)
GROUP_FILTER = strawberry.argument(description="Only the groups matching every field given.")
ORDER = strawberry.argument(
    description=(
        "The order; by JumpCloud id when left out. Cursors are bound to it: change the order "
        "and start again from the first page."
    )
)
PUSHED_AFTER = strawberry.argument(
    description=(
        "Return the items after this cursor: the `endCursor` (or an edge's `cursor`) of an "
        "earlier page of this same list, with the same `filter` and `orderBy`; any other "
        "cursor is refused with BAD_USER_INPUT. Leave it out for the first page. The cursor "
        "holds the last item's sort value, so items added or removed on earlier pages "
        "neither repeat nor skip one. It is an offset, which shifts when items are added "
        "or removed before it, among items sharing that value, in a descending order on "
        "any field but JUMPCLOUD_ID, and at an item without the ordered field."
    )
)


def one_of(**given: Any) -> tuple[str, Any]:
    """The one argument given (its Python name and value) among `given`; else BAD_USER_INPUT."""
    named = [(k, v) for k, v in given.items() if v is not None]
    if len(named) != 1:
        names = ", ".join(_camel(k) for k in given)
        raise BadUserInput(f"Give exactly one of {names}.")
    return named[0]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)
