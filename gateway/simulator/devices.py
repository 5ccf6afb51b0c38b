"""Builders for systems (devices) and system groups."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Mapping
from typing import Any

from gateway.simulator import names
from gateway.simulator.ids import NOW, iso
from gateway.simulator.records import Context, Records

Facets = dict[str, str]
"""What group rules match on: role, osFamily, os, environment, department, location."""

_SERIAL = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
_DAY = 86400
# The spec types archFamily as a plain string; "x86" / "arm" is our choice (inference).
_ARCH_FAMILY = {"x86_64": "x86", "arm64": "arm", "aarch64": "arm"}


def _serial(rng: random.Random, vendor: str) -> str:
    if vendor == "Amazon EC2":
        return f"ec2{rng.getrandbits(96):024x}"
    return "".join(rng.choices(_SERIAL, k=10 if vendor == "Apple Inc." else 7))


def _interfaces(rng: random.Random, family: str, role: str) -> list[dict[str, Any]]:
    loopback, nic = {
        "darwin": ("lo0", "en0"),
        "windows": ("Loopback Pseudo-Interface 1", "Wi-Fi" if role == "laptop" else "Ethernet"),
    }.get(family, ("lo", "wlp0s20f3" if role == "laptop" else "ens5"))
    address = f"10.{rng.randrange(0, 64)}.{rng.randrange(0, 256)}.{rng.randrange(2, 255)}"
    interfaces = [
        {"address": "127.0.0.1", "family": "IPv4", "internal": True, "name": loopback},
        {"address": address, "family": "IPv4", "internal": False, "name": nic},
    ]
    if family == "darwin":
        link_local = (
            f"fe80::{rng.getrandbits(16):x}:{rng.getrandbits(16):x}:{rng.getrandbits(16):x}"
        )
        interfaces.append({"address": link_local, "family": "IPv6", "internal": False, "name": nic})
    return interfaces


class _Hostnames:
    """Unique hostnames: per-pattern counters, and a suffix on the rare collision."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.counters: Counter[str] = Counter()
        self.seen: set[str] = set()

    def numbered(self, stem: str) -> str:
        self.counters[stem] += 1
        return f"{stem}-{self.counters[stem]:02d}"

    def make(
        self, kind: names.DeviceKind, owner: Mapping[str, Any] | None, environment: str
    ) -> str:
        person = str(owner["username"]).replace(".", "-") if owner else ""
        if kind.name == "macbook":
            base = f"{person}-mbp" if person else self.numbered("mbp")
        elif kind.name == "windows-laptop":
            base = f"DESKTOP-{self.rng.getrandbits(28):07X}"
        elif kind.name == "linux-laptop":
            base = f"{person}-linux" if person else self.numbered("linux-laptop")
        elif kind.name == "linux-server":
            base = self.numbered(f"{environment}-{self.rng.choice(names.SERVER_SERVICES)}")
        elif kind.name == "windows-server":
            base = self.numbered(f"win-{self.rng.choice(names.WINDOWS_SERVICES)}")
        else:
            base = self.numbered("ci-mac" if kind.name == "mac-build" else "ci-runner")
        name = base
        for suffix in itertools.count(2):
            if name not in self.seen:
                break
            name = f"{base}-{suffix}"
        self.seen.add(name)
        return name


def systems(ctx: Context, stamps: list[int], users: Records) -> tuple[Records, dict[str, Facets]]:
    """A fleet of laptops (each with an activated primary user while there are enough),
    servers and build agents; hostnames are unique. Also each system's ``Facets``."""
    rng = ctx.rng
    kinds = rng.choices(names.DEVICE_KINDS, [k.weight for k in names.DEVICE_KINDS], k=len(stamps))
    activated = [u for u in users.values() if u["state"] == "ACTIVATED"]
    laptops = sum(kind.role == "laptop" for kind in kinds)
    owners = iter(rng.sample(activated, min(len(activated), laptops)))
    hostnames = _Hostnames(rng)
    prefix = ctx.domain[:3].upper()
    result: Records = {}
    facets: dict[str, Facets] = {}
    for index, (stamp, kind) in enumerate(zip(stamps, kinds, strict=True)):
        release = rng.choice(kind.releases)
        family, laptop = release.os_family, kind.role == "laptop"
        owner = next(owners, None) if laptop else None
        environment = rng.choice(("prod", "prod", "staging")) if kind.role == "server" else ""
        hostname = hostnames.make(kind, owner, environment)
        vendor, arch = rng.choice(kind.vendors), rng.choice(kind.arches)
        active = rng.random() > (0.08 if laptop else 0.03)
        if active:
            last_contact: int | None = NOW - rng.randrange(60, 3 * _DAY)
        else:
            last_contact = None if rng.random() < 0.25 else NOW - rng.randrange(20, 200) * _DAY
        encrypted = laptop and rng.random() < 0.92
        system_id = ctx.ids.make(stamp)
        major, minor, patch = release.numbers
        display = hostname
        if owner is not None and kind.name == "macbook":
            display = f"{owner['firstname']} {owner['lastname']}'s MacBook Pro"
        if laptop:
            attributes = [{"name": "assetTag", "value": f"{prefix}-{10000 + index}"}]
        elif kind.role == "server":
            attributes = [{"name": "environment", "value": environment}]
        else:
            attributes = [{"name": "pool", "value": "ci"}]
        metrics = []
        if owner is not None:
            metrics.append(
                {
                    "userName": owner["username"],
                    "admin": rng.random() < 0.3,
                    "managed": True,
                    "suspended": False,
                    "secureTokenEnabled": family == "darwin",
                }
            )
        if family == "darwin":
            metrics.append(
                {
                    "userName": "itadmin",
                    "admin": True,
                    "managed": False,
                    "suspended": False,
                    "secureTokenEnabled": True,
                }
            )
        unix = family != "windows"
        record: dict[str, Any] = {
            "_id": system_id,
            "displayName": display,
            "hostname": hostname,
            "os": release.os,
            "osFamily": family,
            "version": release.version,
            "osVersionDetail": {
                "osName": release.os_name,
                "releaseName": release.release_name,
                "distributionName": release.distribution,
                "version": release.version,
                "major": str(major),
                "minor": str(minor),
                "patch": str(patch),
                "majorNumber": major,
                "minorNumber": minor,
                "patchNumber": patch,
                "revision": "",
            },
            "arch": arch,
            "archFamily": _ARCH_FAMILY[arch],
            "agentVersion": rng.choice(names.AGENT_VERSIONS),
            "active": active,
            "created": iso(stamp, rng),
            "lastContact": None if last_contact is None else iso(max(stamp, last_contact), rng),
            "remoteIP": f"{'198.51.100' if laptop else '203.0.113'}.{rng.randrange(1, 255)}",
            "serialNumber": _serial(rng, vendor),
            "hwVendor": vendor,
            "organization": ctx.org_id,
            "description": f"{environment} server" if environment else "",
            "tags": [],
            "attributes": attributes,
            "networkInterfaces": _interfaces(rng, family, kind.role),
            "fde": {"active": encrypted, "keyPresent": encrypted and rng.random() < 0.95},
            "allowSshRootLogin": False,
            "allowSshPasswordAuthentication": unix and rng.random() < 0.2,
            "allowPublicKeyAuthentication": unix,
            "allowMultiFactorAuthentication": laptop and rng.random() < 0.6,
            "modifySSHDConfig": family == "linux" and not laptop,
            # An integer in the spec, unit unstated: minutes from UTC (inference).
            "systemTimezone": names.LOCATION_OFFSETS.get(owner["location"], 0) if owner else 0,
            "systemInsights": {"state": "enabled" if rng.random() < 0.9 else "disabled"},
            "desktopCapable": kind.role != "server",
            "primarySystemUser": {"id": owner["_id"] if owner else None},
            "userMetrics": metrics,
        }
        if vendor == "Amazon EC2":
            record["amazonInstanceID"] = f"i-0{rng.getrandbits(64):016x}"
        if laptop and family in ("darwin", "windows"):
            dep = family == "darwin" and rng.random() < 0.7
            record["mdm"] = {
                "vendor": "internal",
                "dep": dep,
                "userApproved": True,
                "enrollmentType": "automated device" if dep else "device",
            }
        if family == "windows":
            joined = not laptop
            record["azureAdJoined"] = False
            record["domainInfo"] = {
                "partOfDomain": joined,
                "domainName": f"corp.{ctx.domain}" if joined else "",
            }
        result[system_id] = record
        facets[system_id] = {
            "role": kind.role,
            "osFamily": family,
            "os": release.os,
            "environment": environment,
            "department": str(owner["department"]) if owner else "",
            "location": str(owner["location"]) if owner else "",
        }
    return result, facets


def rule(index: int) -> tuple[str, str, dict[str, tuple[str, ...]] | None]:
    """The ``index``-th system group's name, description and membership rule (None: a
    numbered group of no particular devices)."""
    if index < len(names.SYSTEM_GROUPS):
        return names.SYSTEM_GROUPS[index]
    return f"Device Group {index + 1}", "Devices for project work", None


def _dynamic(group_rule: Mapping[str, tuple[str, ...]] | None) -> bool:
    """Rules on the record's own fields are member queries; the rest are kept by hand."""
    return group_rule is not None and set(group_rule) <= {"os", "osFamily"}


def system_groups(ctx: Context, stamps: list[int]) -> Records:
    """``SystemGroup`` records: a UserGroup without suggestionCounts, ``type``
    ``system_group``. The spec's field text says "always 'system'", but its response
    examples and its ``GroupType`` enum say ``system_group``; the simulator follows those."""
    result: Records = {}
    for index, stamp in enumerate(stamps):
        name, description, group_rule = rule(index)
        group_id = ctx.ids.make(stamp)
        dynamic = _dynamic(group_rule)
        result[group_id] = {
            "id": group_id,
            "name": name,
            "description": description,
            # The schema declares an email for system groups too; they have no mailbox.
            "email": "",
            "type": "system_group",
            "membershipMethod": "DYNAMIC_AUTOMATED" if dynamic else "STATIC",
            "memberQuery": (
                {
                    "queryType": "FilterQuery",
                    "filters": [
                        {"field": field, "operator": "eq", "value": values[0]}
                        for field, values in (group_rule or {}).items()
                    ],
                }
                if dynamic
                else None
            ),
            "memberQueryExemptions": [],
            "memberQueryErrorFlags": [],
            "memberSuggestionsNotify": False,
            "organizationObjectId": ctx.org_id,
            "attributes": None,
        }
    return result
