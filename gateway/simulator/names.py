"""Static vocabulary for generated orgs: people, teams, SaaS catalogue, admin roles, devices."""

from __future__ import annotations

from typing import NamedTuple

_FIRST = (
    "Aaliyah Aaron Abigail Adam Adrian Aisha Alan Alejandro Alex Alice Amara Amelia Ana "
    "Andre Andrew Angela Anna Anthony Arjun Ava Beatriz Ben Bianca Brandon Brian Camila "
    "Carlos Caroline Charlotte Chen Chloe Chris Claire Daniel David Deepa Diana Diego "
    "Dmitri Elena Eli Elijah Emily Emma Eric Ethan Fatima Felix Fiona Gabriel Grace Hana "
    "Hannah Harper Hiro Ian Isabella Ivan Jack Jacob James Jasmine Javier Jessica Joao "
    "John Jordan Jose Joseph Julia Kai Karen Kenji Kevin Laura Leah Leo Liam Lily Lucas "
    "Luis Maya Mei Mia Michael Miguel Mohammed Nadia Naomi Nathan Nina Noah Olivia Omar "
    "Oscar Paul Priya Rachel Rafael Ravi Rebecca Ryan Sam Samuel Sara Sofia Sophie "
    "Stefan Tariq Thomas Tyler Valentina Victor William Yara Yusuf Zoe"
)
FIRST_NAMES = tuple(_FIRST.split())

_LAST = (
    "Abbott Adams Ahmed Alvarez Anderson Bailey Baker Banerjee Barnes Bell Bennett Brooks "
    "Brown Campbell Carter Castillo Chen Clark Collins Cook Cooper Costa Cruz Davis Diaz "
    "Dubois Edwards Evans Fischer Flores Foster Garcia Gonzalez Gray Green Gupta Hall "
    "Harris Hayes Hernandez Hill Hoffmann Howard Hughes Ito Jackson James Jensen Johnson "
    "Jones Kaur Kelly Khan Kim King Kowalski Lee Lewis Lopez Martin Martinez Mendoza "
    "Miller Mitchell Moore Morgan Morris Murphy Nakamura Nelson Nguyen Novak Okafor "
    "Olsen Ortiz Park Patel Perez Peterson Phillips Price Ramirez Reed Reyes Richardson "
    "Rivera Roberts Robinson Rodriguez Rogers Rossi Sanchez Santos Schmidt Scott Shah "
    "Silva Singh Smith Sato Stewart Sullivan Tanaka Taylor Thomas Thompson Torres Turner "
    "Walker Wang Ward Watson White Williams Wilson Wong Wright Young Zhang"
)
LAST_NAMES = tuple(_LAST.split())

# (department, weight, job titles)
DEPARTMENTS: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    (
        "Engineering",
        30,
        (
            "Software Engineer",
            "Senior Software Engineer",
            "Staff Engineer",
            "Engineering Manager",
            "Site Reliability Engineer",
            "QA Engineer",
        ),
    ),
    (
        "Sales",
        16,
        ("Account Executive", "Sales Development Rep", "Sales Manager", "Solutions Engineer"),
    ),
    ("Customer Success", 12, ("Customer Success Manager", "Support Engineer", "Support Team Lead")),
    (
        "Marketing",
        9,
        ("Marketing Manager", "Content Strategist", "Product Marketing Manager", "Designer"),
    ),
    (
        "Product",
        8,
        ("Product Manager", "Senior Product Manager", "UX Researcher", "Product Designer"),
    ),
    ("Finance", 6, ("Accountant", "Financial Analyst", "Controller")),
    ("People", 5, ("HR Business Partner", "Recruiter", "People Operations Specialist")),
    (
        "IT",
        5,
        ("IT Administrator", "Systems Administrator", "Security Engineer", "IT Support Specialist"),
    ),
    ("Legal", 3, ("Legal Counsel", "Paralegal")),
    ("Operations", 6, ("Operations Manager", "Office Manager", "Business Analyst")),
)

LOCATIONS = ("Denver", "Boulder", "London", "Austin", "Remote", "Berlin", "Toronto")

# Group names in order of size: the first few are big, the tail is small.
GROUP_NAMES = (
    ("All Staff", "Everyone employed by the company"),
    ("Engineering", "Product engineering, SRE and QA"),
    ("Sales", "Account executives, SDRs and solutions engineers"),
    ("Customer Success", "Support and customer success"),
    ("Contractors", "External contractors with limited access"),
    ("Marketing", "Brand, content and product marketing"),
    ("Product", "Product management and design"),
    ("Remote Workers", "Employees who work outside an office"),
    ("VPN Users", "Allowed to connect to the corporate VPN"),
    ("Finance", "Accounting and FP&A"),
    ("Managers", "People managers"),
    ("IT Admins", "IT and security administrators"),
    ("People Ops", "HR and recruiting"),
    ("Denver Office", "Badge access for the Denver office"),
    ("London Office", "Badge access for the London office"),
    ("Platform Team", "Infrastructure and platform engineering"),
    ("Security", "Security engineering and compliance"),
    ("Data Science", "Analytics and machine learning"),
    ("Legal", "Legal and compliance"),
    ("Interns", "Summer interns"),
    ("On-Call", "Engineers on the on-call rotation"),
    ("Executives", "Leadership team"),
    ("Design", "Product and brand designers"),
    ("Wi-Fi Guests", "Temporary guest network access"),
    ("Beta Testers", "Early access to internal tools"),
    ("Mobile Team", "iOS and Android engineering"),
    ("QA", "Quality assurance"),
    ("Board Observers", "Read-only board portal access"),
)

# (name, displayLabel, sso.type, color); bookmarks are plain links, no SAML config
APPLICATIONS: tuple[tuple[str, str, str, str], ...] = (
    ("slack", "Slack", "saml", "#7C6ADA"),
    ("github", "GitHub", "saml", "#202D38"),
    ("salesforce", "Salesforce", "saml", "#006CAC"),
    ("zoom", "Zoom", "saml", "#0617AC"),
    ("google-workspace", "Google Workspace", "saml", "#58C469"),
    ("atlassian", "Atlassian Cloud", "saml", "#006CAC"),
    ("aws", "Amazon Web Services", "saml", "#FFB000"),
    ("notion", "Notion", "oidc", "#202D38"),
    ("dropbox", "Dropbox", "saml", "#0617AC"),
    ("zendesk", "Zendesk", "saml", "#005466"),
    ("hubspot", "HubSpot", "oidc", "#FF6C03"),
    ("figma", "Figma", "saml", "#D5779D"),
    ("docusign", "DocuSign", "saml", "#FFB000"),
    ("workday", "Workday", "saml", "#3E8696"),
    ("1password", "1Password", "oidc", "#006CAC"),
    ("datadog", "Datadog", "saml", "#7C6ADA"),
    ("pagerduty", "PagerDuty", "saml", "#57C49F"),
    ("intranet", "Company Intranet", "bookmark", "#9E2F00"),
    ("expensify", "Expensify", "saml", "#58C469"),
    ("box", "Box", "saml", "#006CAC"),
)

LDAP_SERVER_NAMES = ("JumpCloud LDAP", "Legacy LDAP (on-prem apps)")
RADIUS_SERVER_NAMES = ("Office Wi-Fi", "Corporate VPN", "Lab Network", "Guest Wi-Fi")

COMPANY_NAMES = (
    "Juniper Biotech",
    "Bluebird Logistics",
    "Copperleaf Health",
    "Harbor Labs",
    "Lumen Robotics",
    "Pinecrest Software",
    "Redwood Financial",
    "Summit Outdoor Co.",
)

_ALL_READ = (
    "users.readonly",
    "groups.readonly",
    "systems.readonly",
    "applications.readonly",
    "directories.readonly",
    "radius.readonly",
    "commands.readonly",
    "associations.readonly",
    "organizations.readonly",
    "roles.readonly",
    "administrators.readonly",
    "directoryinsights.readonly",
    "reports.readonly",
    "mdm.readonly",
)
_ALL_WRITE = (
    "users",
    "groups",
    "systems",
    "applications",
    "directories",
    "radius",
    "commands",
    "associations",
    "organizations",
    "roles",
    "administrators",
    "mdm",
    "reports",
    "commandrunner.legacy",
    "authn",
)

# Built-in roles (the names JumpCloud's PowerShell module, Get-JCAdmin.ps1, accepts). No
# source says which vocabulary a role's scopes use; the simulator uses the operations' x-scopes.
BUILTIN_ROLES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "Administrator With Billing",
        "Full access, including billing",
        (*_ALL_WRITE, *_ALL_READ, "billing", "organizations.billing"),
    ),
    ("Administrator", "Full access except billing management", (*_ALL_WRITE, *_ALL_READ)),
    (
        "Manager",
        "Manages users, devices and access; no admin or org settings",
        (
            "users",
            "users.readonly",
            "groups",
            "groups.readonly",
            "systems",
            "systems.readonly",
            "applications",
            "applications.readonly",
            "directories",
            "directories.readonly",
            "radius",
            "radius.readonly",
            "associations",
            "associations.readonly",
            "commands",
            "commands.readonly",
        ),
    ),
    (
        "Command Runner With Billing",
        "Runs commands on devices; billing access",
        ("commands", "commands.readonly", "commandrunner.legacy", "systems.readonly", "billing"),
    ),
    (
        "Command Runner",
        "Runs commands on devices",
        ("commands", "commands.readonly", "commandrunner.legacy", "systems.readonly"),
    ),
    (
        "Help Desk",
        "Helps users with passwords, MFA and account state",
        (
            "users.readonly",
            "users.password",
            "users.mfa",
            "users.state",
            "groups.readonly",
            "systems.readonly",
            "applications.readonly",
            "associations.readonly",
        ),
    ),
    (
        "Billing Only",
        "Billing and subscription management only",
        ("billing", "organizations.billing", "subscriptions.readonly"),
    ),
    ("Read Only", "Views everything, changes nothing", _ALL_READ),
)

CUSTOM_ROLES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "Access Reviewer",
        "Quarterly access reviews: read users, groups and bindings",
        (
            "users.readonly",
            "groups.readonly",
            "applications.readonly",
            "directories.readonly",
            "radius.readonly",
            "associations.readonly",
        ),
    ),
    (
        "Identity Operator",
        "Joiner/mover/leaver automation",
        (
            "users",
            "users.readonly",
            "groups",
            "groups.readonly",
            "associations.users",
            "associations.groups",
        ),
    ),
    ("Device Auditor", "Read-only device inventory", ("systems.readonly", "mdm.readonly")),
)


class OsRelease(NamedTuple):
    """One OS release a device may run; the V1 ``system`` schema names the fields but gives
    no values, so these follow its examples (``"os": "Mac OS X"``, ``"os": "Ubuntu"``,
    ``"arch": "x86_64"``) and System Insights' ``platform: darwin`` for ``osFamily``."""

    os: str
    version: str
    os_family: str
    os_name: str
    release_name: str
    numbers: tuple[int, int, int]
    distribution: str = ""


_MACOS = (
    OsRelease("Mac OS X", "14.6.1", "darwin", "macOS", "Sonoma", (14, 6, 1)),
    OsRelease("Mac OS X", "15.3.2", "darwin", "macOS", "Sequoia", (15, 3, 2)),
    OsRelease("Mac OS X", "15.5", "darwin", "macOS", "Sequoia", (15, 5, 0)),
)
_WINDOWS = (
    OsRelease("Windows", "11 Pro", "windows", "Windows 11 Pro", "23H2", (10, 0, 22631)),
    OsRelease("Windows", "11 Pro", "windows", "Windows 11 Pro", "24H2", (10, 0, 26100)),
    OsRelease("Windows", "10 Pro", "windows", "Windows 10 Pro", "22H2", (10, 0, 19045)),
    OsRelease(
        "Windows", "11 Enterprise", "windows", "Windows 11 Enterprise", "24H2", (10, 0, 26100)
    ),
)
_WINDOWS_SERVER = (
    OsRelease(
        "Windows",
        "Server 2022 Datacenter",
        "windows",
        "Windows Server 2022 Datacenter",
        "21H2",
        (10, 0, 20348),
    ),
)
_UBUNTU = (
    OsRelease("Ubuntu", "22.04", "linux", "Ubuntu", "Jammy Jellyfish", (22, 4, 0), "Ubuntu"),
    OsRelease("Ubuntu", "24.04", "linux", "Ubuntu", "Noble Numbat", (24, 4, 0), "Ubuntu"),
)
_SERVER_LINUX = (
    *_UBUNTU,
    OsRelease("Amazon Linux", "2023", "linux", "Amazon Linux", "", (2023, 0, 0), "Amazon Linux"),
    OsRelease("Rocky Linux", "9.4", "linux", "Rocky Linux", "Blue Onyx", (9, 4, 0), "Rocky Linux"),
)


class DeviceKind(NamedTuple):
    """A kind of device in the fleet: laptops have a primary user, servers an environment."""

    name: str
    role: str
    """laptop | server | build"""
    releases: tuple[OsRelease, ...]
    arches: tuple[str, ...]
    vendors: tuple[str, ...]
    weight: int


DEVICE_KINDS = (
    DeviceKind("macbook", "laptop", _MACOS, ("arm64",), ("Apple Inc.",), 36),
    DeviceKind(
        "windows-laptop", "laptop", _WINDOWS, ("x86_64",), ("Dell Inc.", "LENOVO", "HP"), 22
    ),
    DeviceKind("linux-laptop", "laptop", _UBUNTU, ("x86_64",), ("LENOVO", "Framework"), 5),
    DeviceKind("linux-server", "server", _SERVER_LINUX, ("x86_64", "aarch64"), ("Amazon EC2",), 20),
    DeviceKind("windows-server", "server", _WINDOWS_SERVER, ("x86_64",), ("Amazon EC2",), 4),
    DeviceKind("linux-build", "build", _UBUNTU, ("x86_64",), ("Dell Inc.", "Amazon EC2"), 9),
    DeviceKind("mac-build", "build", _MACOS, ("arm64",), ("Apple Inc.",), 4),
)
SERVER_SERVICES = ("api", "web", "db", "worker", "cache", "queue", "search", "bastion")
WINDOWS_SERVICES = ("dc", "files", "sql", "rds")
AGENT_VERSIONS = ("1.178.0", "1.182.2", "1.185.0", "1.187.1")
# Standard-time UTC offsets in minutes for the user locations (servers run on UTC).
LOCATION_OFFSETS = {
    "Denver": -420,
    "Boulder": -420,
    "Austin": -360,
    "Toronto": -300,
    "London": 0,
    "Berlin": 60,
    "Remote": -300,
}

# System groups: (name, description, rule). A device joins a group when each facet the
# rule names has one of the listed values; facets are its role, osFamily, os, environment
# (servers), and its primary user's department and location (laptops).
SYSTEM_GROUPS: tuple[tuple[str, str, dict[str, tuple[str, ...]]], ...] = (
    ("All Laptops", "Every company laptop", {"role": ("laptop",)}),
    (
        "Engineering Macs",
        "MacBooks of the engineering team",
        {"role": ("laptop",), "osFamily": ("darwin",), "department": ("Engineering", "Product")},
    ),
    (
        "Linux Servers",
        "Linux hosts in production and staging",
        {"role": ("server",), "osFamily": ("linux",)},
    ),
    ("Build Agents", "CI runners and build hosts", {"role": ("build",)}),
    (
        "Finance Workstations",
        "Laptops that may open the finance systems",
        {"role": ("laptop",), "department": ("Finance", "Operations", "Legal")},
    ),
    ("Windows Fleet", "Every Windows laptop and server", {"osFamily": ("windows",)}),
    ("Production Servers", "Servers that run production", {"environment": ("prod",)}),
    ("Staging Servers", "Servers that run staging", {"environment": ("staging",)}),
    ("macOS Fleet", "Every Mac", {"osFamily": ("darwin",)}),
    ("Ubuntu Hosts", "Every Ubuntu device", {"os": ("Ubuntu",)}),
    (
        "Remote Laptops",
        "Laptops of remote employees",
        {"role": ("laptop",), "location": ("Remote",)},
    ),
    ("London Office Devices", "Laptops based in London", {"location": ("London",)}),
    (
        "Denver Office Devices",
        "Laptops based in Denver and Boulder",
        {"location": ("Denver", "Boulder")},
    ),
    ("Sales Laptops", "Laptops of the sales team", {"role": ("laptop",), "department": ("Sales",)}),
)
