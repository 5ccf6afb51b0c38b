"""Static vocabulary for generated orgs: people, teams, SaaS catalogue, admin roles."""

from __future__ import annotations

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

# Built-in roles (PSMOD Get-JCAdmin.ps1 names); scopes use the operations' x-scopes
# vocabulary, which API-NOTES §8 marks as an inference.
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
