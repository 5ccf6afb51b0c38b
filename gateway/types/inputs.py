"""Filter and order inputs of the list fields, and how each maps onto JumpCloud."""

from __future__ import annotations

import enum

import strawberry

from gateway.model import Filter, Op, Record, SortKey
from gateway.types.user import UserState


@strawberry.input(description="Filters on users; all are pushed down to JumpCloud (v1 filter).")
class UserFilter:
    email: str | None = None
    email_in: list[str] | None = strawberry.field(
        default=None, description="Any of these emails (at most 100)."
    )
    username: str | None = None
    state: UserState | None = None
    department: str | None = None
    username_starts_with: str | None = None
    email_starts_with: str | None = None
    firstname_starts_with: str | None = None
    lastname_starts_with: str | None = None

    def to_filters(self) -> list[Filter]:
        eq = {
            "email": self.email,
            "username": self.username,
            "department": self.department,
            "state": self.state.value if self.state else None,
        }
        sw = {
            "username": self.username_starts_with,
            "email": self.email_starts_with,
            "firstname": self.firstname_starts_with,
            "lastname": self.lastname_starts_with,
        }
        filters = [Filter(f, Op.EQ, v) for f, v in eq.items() if v is not None]
        filters += [Filter(f, Op.SW, v) for f, v in sw.items() if v is not None]
        if self.email_in is not None:
            filters.append(Filter("email", Op.IN, list(self.email_in)))
        return filters


@strawberry.enum
class OrderDirection(enum.Enum):
    ASC = "ASC"
    DESC = "DESC"


def sort_keys(field: str, direction: OrderDirection) -> list[SortKey]:
    keys = [SortKey(field, descending=direction is OrderDirection.DESC)]
    if field != "_id":
        keys.append(SortKey("_id"))  # a unique tiebreak keeps paging stable (API-NOTES §6)
    return keys


@strawberry.enum
class UserOrderField(enum.Enum):
    USERNAME = "username"
    EMAIL = "email"
    FIRSTNAME = "firstname"
    LASTNAME = "lastname"
    CREATED = "created"
    JUMPCLOUD_ID = "_id"


@strawberry.input(description="Order of a user list; pushed down to JumpCloud (v1 sort).")
class UserOrder:
    field: UserOrderField
    direction: OrderDirection = OrderDirection.ASC

    def to_sort(self) -> list[SortKey]:
        return sort_keys(self.field.value, self.direction)


@strawberry.input(description="Filters on systems; all are pushed down to JumpCloud (v1 filter).")
class SystemFilter:
    hostname: str | None = None
    hostname_in: list[str] | None = strawberry.field(
        default=None, description="Any of these hostnames (at most 100)."
    )
    hostname_starts_with: str | None = None
    display_name: str | None = None
    display_name_starts_with: str | None = None
    os: str | None = None
    os_family: str | None = strawberry.field(
        default=None, description='e.g. "darwin", "windows", "linux".'
    )
    serial_number: str | None = None
    active: bool | None = None

    def to_filters(self) -> list[Filter]:
        eq = {
            "hostname": self.hostname,
            "displayName": self.display_name,
            "os": self.os,
            "osFamily": self.os_family,
            "serialNumber": self.serial_number,
            "active": None if self.active is None else str(self.active).lower(),
        }
        sw = {"hostname": self.hostname_starts_with, "displayName": self.display_name_starts_with}
        filters = [Filter(f, Op.EQ, v) for f, v in eq.items() if v is not None]
        filters += [Filter(f, Op.SW, v) for f, v in sw.items() if v is not None]
        if self.hostname_in is not None:
            filters.append(Filter("hostname", Op.IN, list(self.hostname_in)))
        return filters


@strawberry.enum
class SystemOrderField(enum.Enum):
    HOSTNAME = "hostname"
    DISPLAY_NAME = "displayName"
    OS = "os"
    CREATED = "created"
    LAST_CONTACT = "lastContact"
    JUMPCLOUD_ID = "_id"


@strawberry.input(description="Order of a system list; pushed down to JumpCloud (v1 sort).")
class SystemOrder:
    field: SystemOrderField
    direction: OrderDirection = OrderDirection.ASC

    def to_sort(self) -> list[SortKey]:
        return sort_keys(self.field.value, self.direction)


@strawberry.input(
    description=(
        "Filters on user or system groups, applied by the gateway to the cached collection."
    )
)
class GroupFilter:
    name: str | None = None
    name_contains: str | None = strawberry.field(default=None, description="Case-insensitive.")
    membership_method: str | None = None

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
    name: str | None = None
    name_contains: str | None = strawberry.field(
        default=None, description="Case-insensitive, on name, displayName or displayLabel."
    )
    sso_type: str | None = None
    active: bool | None = None

    def matches(self, record: Record) -> bool:
        names = [str(record.get(k) or "").lower() for k in ("name", "displayName", "displayLabel")]
        sso = record.get("sso") or {}
        return (
            (self.name is None or record.get("name") == self.name)
            and (self.name_contains is None or any(self.name_contains.lower() in n for n in names))
            and (self.sso_type is None or sso.get("type") == self.sso_type)
            and (self.active is None or bool(record.get("active")) == self.active)
        )
