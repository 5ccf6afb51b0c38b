"""Filter and order inputs of the list fields, and how each maps onto JumpCloud."""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, Generic, TypeVar

import strawberry

from gateway.model import Filter, Op, Record, SortKey
from gateway.types.user import UserState


@strawberry.enum(description="Which way an order runs.")
class OrderDirection(enum.Enum):
    ASC = strawberry.enum_value("ASC", description="Smallest first (A to Z, oldest first).")
    DESC = strawberry.enum_value("DESC", description="Largest first (Z to A, newest first).")


def order_fields(name: str, keys: Sequence[str], plural: str) -> Any:
    """A GraphQL enum of the JumpCloud keys a list sorts by (`_id` is JUMPCLOUD_ID)."""
    members = {
        "JUMPCLOUD_ID" if k == "_id" else _constant(k): strawberry.enum_value(
            k, description=_ORDER_KEYS.get(k, f"By JumpCloud `{k}`.")
        )
        for k in keys
    }
    fields: Any = enum.Enum(name, members)  # type: ignore[misc]  # a functional enum
    return strawberry.enum(
        fields, description=f"What {plural} can be ordered by (JumpCloud sorts them)."
    )


_ORDER_KEYS = {
    "_id": "By JumpCloud id: the order of creation, and the default.",
    "created": "By creation time.",
    "lastContact": "By when the agent last reached JumpCloud (`lastContact`).",
}


def _constant(key: str) -> str:
    return re.sub(r"(?<=[a-z])(?=[A-Z])", "_", key).upper()


F = TypeVar("F", bound=enum.Enum)


@strawberry.input(description="An order pushed down to JumpCloud (v1 sort).")
class Order(Generic[F]):
    field: F = strawberry.field(description="What to order by; ties are ordered by id.")
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Which way; ascending when left out."
    )

    def to_sort(self) -> list[SortKey]:
        keys = [SortKey(self.field.value, descending=self.direction is OrderDirection.DESC)]
        if self.field.value != "_id":
            # A unique tiebreak: JumpCloud warns that skip pages sorted by a field that is
            # not unique can miss or repeat records.
            keys.append(SortKey("_id"))
        return keys


UserOrderField = order_fields(
    "UserOrderField", ("username", "email", "firstname", "lastname", "created", "_id"), "users"
)
SystemOrderField = order_fields(
    "SystemOrderField",
    ("hostname", "displayName", "os", "created", "lastContact", "_id"),
    "systems",
)


@strawberry.input(description="Order of a user list; pushed down to JumpCloud (v1 sort).")
class UserOrder(Order[UserOrderField]):  # type: ignore[valid-type]
    pass


@strawberry.input(description="Order of a system list; pushed down to JumpCloud (v1 sort).")
class SystemOrder(Order[SystemOrderField]):  # type: ignore[valid-type]
    pass


class PushedFilter:
    """An input whose every field is a v1 filter term, pushed down to JumpCloud.

    Declared by three specs, read by `pushed_filter`: `equals` (field: type; `$eq`),
    `starts_with` (field `<f>_starts_with`; `$sw`) and `any_of` (field `<f>_in`, a list of at
    most 100; `$in`). A field's JumpCloud key is its name in camelCase."""

    equals: ClassVar[Mapping[str, Any]] = {}
    starts_with: ClassVar[Sequence[str]] = ()
    any_of: ClassVar[Mapping[str, str]] = {}
    _terms: ClassVar[tuple[tuple[str, str, Op], ...]] = ()

    def to_filters(self) -> list[Filter]:
        filters = []
        for attribute, key, op in self._terms:
            value = getattr(self, attribute)
            if value is None:
                continue
            if op is Op.IN:
                filters.append(Filter(key, op, [str(v) for v in value]))
            else:
                filters.append(Filter(key, op, _term(value)))
        return filters


def _term(value: Any) -> str:
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "true" if value else "false"  # filter values are case-sensitive: JSON's spelling
    return str(value)


P = TypeVar("P", bound=PushedFilter)


def pushed_filter(description: str) -> Callable[[type[P]], type[P]]:
    """Make a `PushedFilter` subclass a GraphQL input from its specs."""

    def build(cls: type[P]) -> type[P]:
        annotations: dict[str, Any] = {}
        defaults: dict[str, Any] = {}
        terms: list[tuple[str, str, Op]] = []
        for name, kind in cls.equals.items():
            annotations[name] = kind | None
            defaults[name] = strawberry.field(
                default=None, description=f"Exactly this `{_camel(name)}`."
            )
            terms.append((name, _camel(name), Op.EQ))
        for name, plural in cls.any_of.items():
            annotations[f"{name}_in"] = list[str] | None
            defaults[f"{name}_in"] = strawberry.field(
                default=None, description=f"Any of these {plural} (at most 100)."
            )
            terms.append((f"{name}_in", _camel(name), Op.IN))
        for name in cls.starts_with:
            annotations[f"{name}_starts_with"] = str | None
            defaults[f"{name}_starts_with"] = strawberry.field(
                default=None, description=f"`{_camel(name)}` starts with this (case-sensitive)."
            )
            terms.append((f"{name}_starts_with", _camel(name), Op.SW))
        cls.__annotations__ = annotations
        for name in annotations:
            setattr(cls, name, defaults.get(name))
        cls._terms = tuple(terms)
        return strawberry.input(cls, description=description)

    return build


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


@pushed_filter("Filters on users; all are pushed down to JumpCloud (v1 filter).")
class UserFilter(PushedFilter):
    equals: ClassVar[Mapping[str, Any]] = {
        "email": str,
        "username": str,
        "state": UserState,
        "department": str,
    }
    any_of: ClassVar[Mapping[str, str]] = {"email": "emails"}
    starts_with: ClassVar[Sequence[str]] = ("username", "email", "firstname", "lastname")


@pushed_filter("Filters on systems; all are pushed down to JumpCloud (v1 filter).")
class SystemFilter(PushedFilter):
    equals: ClassVar[Mapping[str, Any]] = {
        "hostname": str,
        "display_name": str,
        "os": str,
        "os_family": str,
        "serial_number": str,
        "active": bool,
    }
    any_of: ClassVar[Mapping[str, str]] = {"hostname": "hostnames"}
    starts_with: ClassVar[Sequence[str]] = ("hostname", "display_name")


@strawberry.input(
    description=(
        "Filters on user or system groups, applied by the gateway to the cached collection."
    )
)
class GroupFilter:
    name: str | None = strawberry.field(default=None, description="Exactly this name.")
    name_contains: str | None = strawberry.field(default=None, description="Case-insensitive.")
    membership_method: str | None = strawberry.field(
        default=None,
        description="Exactly this membership method (STATIC, DYNAMIC_AUTOMATED, ...).",
    )

    def matches(self, record: Record) -> bool:
        name = str(record.get("name") or "")
        return (
            (self.name is None or name == self.name)
            and (self.name_contains is None or self.name_contains.lower() in name.lower())
            and (
                self.membership_method is None
                or record.get("membershipMethod") == self.membership_method
            )
        )


@strawberry.input(
    description="Filters on applications, applied by the gateway to the cached collection."
)
class ApplicationFilter:
    name: str | None = strawberry.field(default=None, description="Exactly this `name`.")
    name_contains: str | None = strawberry.field(
        default=None, description="Case-insensitive, on name, displayName or displayLabel."
    )
    sso_type: str | None = strawberry.field(
        default=None, description="Exactly this SSO type (`sso.type`, e.g. saml)."
    )
    active: bool | None = strawberry.field(
        default=None, description="Only active (true) or only inactive (false) applications."
    )

    def matches(self, record: Record) -> bool:
        names = [str(record.get(k) or "").lower() for k in ("name", "displayName", "displayLabel")]
        sso = record.get("sso") or {}
        return (
            (self.name is None or record.get("name") == self.name)
            and (self.name_contains is None or any(self.name_contains.lower() in n for n in names))
            and (self.sso_type is None or sso.get("type") == self.sso_type)
            and (self.active is None or bool(record.get("active")) == self.active)
        )
