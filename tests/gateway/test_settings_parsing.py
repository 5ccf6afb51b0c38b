"""Settings.from_env reads literal environments: defaults, numbers, flags, token lists,
JCGRAPH_TENANTS, origins and URLs, each bad value refused with a message naming its variable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gateway.model import AccessPlan
from gateway.settings import DEFAULT_BASE_URL, Settings, SettingsError

KEY = "jca_parsing_key_0123456789"
ENV = {"JUMPCLOUD_API_KEY": KEY}
ORG = "0123456789abcdef01234567"
TENANT_KEY = "jca_tenant_key_0a1b2c3d4e5f"
TENANT_TOKEN = "tenant-token-0123456789"
TENANTS_TOML = f"""
[[tenants]]
name = "acme"
api_key = "{TENANT_KEY}"
org_ids = ["{ORG}"]
tokens = ["{TENANT_TOKEN}"]
"""
TENANTS_JSON = json.dumps(
    {
        "tenants": [
            {"name": "acme", "api_key": TENANT_KEY, "org_ids": [ORG], "tokens": [TENANT_TOKEN]}
        ]
    }
)


def refused(env: dict[str, str], *, demo: bool = False) -> tuple[str, ...]:
    with pytest.raises(SettingsError) as raised:
        Settings.from_env(env, demo=demo)
    assert str(raised.value) == "\n".join(raised.value.problems)
    return raised.value.problems


def only_problem(env: dict[str, str], *, demo: bool = False) -> str:
    (problem,) = refused(env, demo=demo)
    return problem


# Defaults.


def test_an_empty_environment_with_demo_reads_every_default() -> None:
    settings = Settings.from_env({}, demo=True)
    assert settings == Settings(demo=True)
    assert (settings.api_key, settings.org_id, settings.tenants) == (None, None, None)
    assert settings.base_url == DEFAULT_BASE_URL == "https://console.jumpcloud.com"
    assert settings.cache_url == "memory://"
    assert settings.request_deadline is None
    assert settings.access_plan == AccessPlan.AUTO
    assert (settings.auth_tokens, settings.fresh_read_tokens, settings.cors_origins) == ((), (), ())
    assert (settings.graphiql, settings.response_cache, settings.otel) == (True, True, False)
    assert (settings.log_level, settings.log_format) == ("INFO", "text")
    assert settings.bearer_tokens == ()


def test_an_empty_environment_without_demo_asks_for_the_api_key_alone() -> None:
    problem = only_problem({})
    assert problem.startswith("JUMPCLOUD_API_KEY is not set")
    assert "jcgraph serve --demo" in problem


def test_an_empty_api_key_or_org_id_is_unset() -> None:
    assert only_problem({"JUMPCLOUD_API_KEY": ""}).startswith("JUMPCLOUD_API_KEY is not set")
    assert Settings.from_env({**ENV, "JUMPCLOUD_ORG_ID": ""}).org_id is None


def test_the_api_key_alone_reads_every_other_default() -> None:
    assert Settings.from_env(ENV) == Settings(api_key=KEY)


def test_blank_numbers_flags_and_lists_read_as_their_defaults() -> None:
    names = (
        "JCGRAPH_CACHE_TTL",
        "JCGRAPH_MAX_DEPTH",
        "JCGRAPH_REQUEST_DEADLINE",
        "JCGRAPH_GRAPHIQL",
        "JCGRAPH_OTEL",
        "JCGRAPH_AUTH_TOKENS",
        "JCGRAPH_FRESH_READ_TOKENS",
        "JCGRAPH_CORS_ORIGINS",
        "JCGRAPH_TRUSTED_DOCUMENTS",
        "JCGRAPH_TENANTS",
    )
    blank = dict.fromkeys(names, " ")
    assert Settings.from_env({**ENV, **blank}) == Settings(api_key=KEY)


# Numbers and whole numbers.


@pytest.mark.parametrize(
    ("variable", "value", "field", "read"),
    [
        ("JCGRAPH_CACHE_TTL", "2.5", "cache_ttl", 2.5),
        ("JCGRAPH_CACHE_TTL", "0", "cache_ttl", 0.0),
        ("JCGRAPH_CACHE_STALE_TTL", " 7 ", "cache_stale_ttl", 7.0),
        ("JCGRAPH_UPSTREAM_TIMEOUT", "0.1", "upstream_timeout", 0.1),
        ("JCGRAPH_UPSTREAM_RATE", "12.5", "upstream_rate", 12.5),
        ("JCGRAPH_CACHE_LEASE_TTL", "1e1", "cache_lease_ttl", 10.0),
        ("JCGRAPH_REQUEST_DEADLINE", "5", "request_deadline", 5.0),
        ("JCGRAPH_MAX_COST", "1e3", "max_cost", 1000),
        ("JCGRAPH_MAX_DEPTH", "10.0", "max_depth", 10),
        ("JCGRAPH_MAX_BODY_BYTES", "1024", "max_body_bytes", 1024),
        ("JCGRAPH_MAX_TOKENS", "100", "max_tokens", 100),
        ("JCGRAPH_GZIP_MIN_BYTES", "0", "gzip_min_bytes", 0),
        ("JCGRAPH_MAX_PAGE_SIZE", "1000", "max_page_size", 1000),
        ("JCGRAPH_UPSTREAM_BURST", "1", "upstream_burst", 1),
    ],
)
def test_numbers_parse_down_to_their_minimum(
    variable: str, value: str, field: str, read: float
) -> None:
    parsed = getattr(Settings.from_env({**ENV, variable: value}), field)
    assert parsed == read
    assert type(parsed) is type(read)


@pytest.mark.parametrize(
    ("variable", "value", "minimum"),
    [
        ("JCGRAPH_CACHE_TTL", "-1", "0"),
        ("JCGRAPH_UPSTREAM_TIMEOUT", "0.05", "0.1"),
        ("JCGRAPH_CACHE_LEASE_TTL", "0", "0.1"),
        ("JCGRAPH_UPSTREAM_RATE", "-0.5", "0"),
        ("JCGRAPH_MAX_DEPTH", "0", "1"),
        ("JCGRAPH_MAX_BODY_BYTES", "1023", "1024"),
        ("JCGRAPH_MAX_TOKENS", "99", "100"),
        ("JCGRAPH_RETRY_ATTEMPTS", "0", "1"),
        ("JCGRAPH_GZIP_MIN_BYTES", "-1", "0"),
        ("JCGRAPH_UPSTREAM_BURST", "0", "1"),
        ("JCGRAPH_REQUEST_DEADLINE", "0.05", "0.1"),
    ],
)
def test_a_number_below_its_minimum_is_refused_naming_the_variable(
    variable: str, value: str, minimum: str
) -> None:
    problem = only_problem({**ENV, variable: value})
    assert problem == f"{variable} must be at least {minimum}, got {value!r}"


def test_a_fraction_below_a_whole_minimum_is_one_problem_not_two() -> None:
    problem = only_problem({**ENV, "JCGRAPH_MAX_DEPTH": "0.5"})
    assert problem == "JCGRAPH_MAX_DEPTH must be at least 1, got '0.5'"


def test_a_whole_number_names_the_value_it_got() -> None:
    problem = only_problem({**ENV, "JCGRAPH_MAX_ENTITIES": "12.5"})
    assert problem == "JCGRAPH_MAX_ENTITIES must be a whole number, got '12.5'"


def test_a_long_value_is_quoted_cut_short() -> None:
    problem = only_problem({**ENV, "JCGRAPH_CACHE_TTL": "x" * 100})
    assert problem.startswith("JCGRAPH_CACHE_TTL must be a finite number, got 'x")
    assert "x" * 39 in problem
    assert "x" * 40 not in problem


def test_a_page_size_above_a_thousand_is_refused() -> None:
    problem = only_problem({**ENV, "JCGRAPH_MAX_PAGE_SIZE": "1001"})
    assert problem == "JCGRAPH_MAX_PAGE_SIZE must be at most 1000"


def test_parsing_problems_come_before_the_checks_of_the_values_read() -> None:
    problems = refused({"JCGRAPH_MAX_DEPTH": "0", "JCGRAPH_LOG_LEVEL": "loud"})
    assert [p.split()[0] for p in problems] == [
        "JCGRAPH_MAX_DEPTH",
        "JUMPCLOUD_API_KEY",
        "JCGRAPH_LOG_LEVEL",
    ]


# Flags.


@pytest.mark.parametrize("value", ["1", "true", "yes", "on", "TRUE", " Yes ", "On"])
def test_true_spellings(value: str) -> None:
    assert Settings.from_env({**ENV, "JCGRAPH_RESPONSE_CACHE": value}).response_cache is True


@pytest.mark.parametrize("value", ["0", "false", "no", "off", "FALSE", " No ", "Off"])
def test_false_spellings(value: str) -> None:
    settings = Settings.from_env({**ENV, "JCGRAPH_GRAPHIQL": value, "JCGRAPH_OTEL": value})
    assert (settings.graphiql, settings.otel) == (False, False)


@pytest.mark.parametrize("value", ["y", "n", "2", "enabled", "disable", "truth"])
def test_other_spellings_of_a_flag_are_refused(value: str) -> None:
    problem = only_problem({**ENV, "JCGRAPH_RESPONSE_CACHE": value})
    assert problem == f"JCGRAPH_RESPONSE_CACHE must be true or false, got {value!r}"


# Token lists.


@pytest.mark.parametrize(
    ("value", "tokens"),
    [
        ("alpha", ("alpha",)),
        ("alpha,beta", ("alpha", "beta")),
        ("  alpha ,\tbeta  ", ("alpha", "beta")),
    ],
)
def test_token_lists_are_split_on_commas_and_trimmed(value: str, tokens: tuple[str, ...]) -> None:
    settings = Settings.from_env({**ENV, "JCGRAPH_AUTH_TOKENS": value})
    assert settings.auth_tokens == settings.bearer_tokens == tokens
    fresh = Settings.from_env({**ENV, "JCGRAPH_FRESH_READ_TOKENS": value})
    assert fresh.fresh_read_tokens == tokens


def test_fresh_read_tokens_holding_only_commas_are_refused() -> None:
    problem = only_problem({**ENV, "JCGRAPH_FRESH_READ_TOKENS": " ,, "})
    assert problem.startswith("JCGRAPH_FRESH_READ_TOKENS holds no token")


def test_fresh_read_tokens_need_no_auth_tokens_when_auth_is_off() -> None:
    settings = Settings.from_env({**ENV, "JCGRAPH_FRESH_READ_TOKENS": "reader"})
    assert (settings.auth_tokens, settings.fresh_read_tokens) == ((), ("reader",))


def test_fresh_read_tokens_may_be_a_subset_of_the_auth_tokens() -> None:
    env = {**ENV, "JCGRAPH_AUTH_TOKENS": "a,b", "JCGRAPH_FRESH_READ_TOKENS": "b"}
    assert Settings.from_env(env).fresh_read_tokens == ("b",)


def test_a_settings_built_with_an_empty_token_is_refused() -> None:
    assert Settings(api_key=KEY, auth_tokens=("a", " ")).problems() == [
        "JCGRAPH_AUTH_TOKENS holds an empty token; remove the stray comma"
    ]


# JCGRAPH_TENANTS.


def assert_the_acme_tenant(settings: Settings) -> None:
    assert settings.tenants is not None
    (tenant,) = settings.tenants.tenants
    assert (tenant.name, tenant.api_key, tenant.org_ids) == ("acme", TENANT_KEY, (ORG,))
    assert settings.bearer_tokens == (TENANT_TOKEN,)
    assert (settings.api_key, settings.org_id, settings.auth_tokens) == (None, None, ())


@pytest.mark.parametrize("config", [TENANTS_TOML, TENANTS_JSON, f"  {TENANTS_JSON}\n"])
def test_tenants_are_read_inline(config: str) -> None:
    assert_the_acme_tenant(Settings.from_env({"JCGRAPH_TENANTS": config}))


@pytest.mark.parametrize(("name", "config"), [("t.toml", TENANTS_TOML), ("t.json", TENANTS_JSON)])
def test_tenants_are_read_from_a_file(tmp_path: Path, name: str, config: str) -> None:
    path = tmp_path / name
    path.write_text(config, encoding="utf-8")
    assert_the_acme_tenant(Settings.from_env({"JCGRAPH_TENANTS": f" {path} "}))


def test_a_tenants_key_variable_is_read_from_the_same_environment() -> None:
    config = TENANTS_TOML.replace(f'api_key = "{TENANT_KEY}"', 'api_key_env = "ACME_KEY"')
    settings = Settings.from_env({"JCGRAPH_TENANTS": config, "ACME_KEY": TENANT_KEY})
    assert_the_acme_tenant(settings)


def test_a_tenants_path_naming_no_file_is_refused(tmp_path: Path) -> None:
    problems = refused({"JCGRAPH_TENANTS": str(tmp_path / "missing.toml")})
    assert any(p.startswith("JCGRAPH_TENANTS names no readable file") for p in problems)


def test_tenants_that_are_not_json_are_refused_without_quoting_the_key() -> None:
    problems = refused({"JCGRAPH_TENANTS": TENANTS_JSON[:-2]})
    assert any(p.startswith("JCGRAPH_TENANTS is not valid JSON") for p in problems)
    assert not any(TENANT_KEY in p for p in problems)


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ({"JUMPCLOUD_API_KEY": KEY}, "JUMPCLOUD_API_KEY"),
        ({"JUMPCLOUD_ORG_ID": ORG}, "JUMPCLOUD_ORG_ID"),
        ({"JCGRAPH_AUTH_TOKENS": TENANT_TOKEN}, "JCGRAPH_AUTH_TOKENS"),
        (
            {"JUMPCLOUD_API_KEY": KEY, "JUMPCLOUD_ORG_ID": ORG, "JCGRAPH_AUTH_TOKENS": "t"},
            "JUMPCLOUD_API_KEY, JUMPCLOUD_ORG_ID, JCGRAPH_AUTH_TOKENS",
        ),
    ],
)
def test_tenants_refuse_the_single_organisation_variables(
    extra: dict[str, str], named: str
) -> None:
    problem = only_problem({"JCGRAPH_TENANTS": TENANTS_TOML, **extra})
    assert problem.startswith(f"JCGRAPH_TENANTS replaces {named}: ")
    assert KEY not in problem
    assert TENANT_TOKEN not in problem


def test_tenants_with_demo_and_an_api_key_are_two_problems() -> None:
    demo, replaced = refused({"JCGRAPH_TENANTS": TENANTS_TOML, **ENV}, demo=True)
    assert demo.startswith("JCGRAPH_TENANTS cannot be combined with --demo")
    assert replaced.startswith("JCGRAPH_TENANTS replaces JUMPCLOUD_API_KEY: ")


def test_tenants_keep_the_base_url_as_every_tenants_default() -> None:
    env = {
        "JCGRAPH_TENANTS": TENANTS_TOML,
        "JUMPCLOUD_BASE_URL": "https://console.eu.jumpcloud.com",
    }
    assert Settings.from_env(env).base_url == "https://console.eu.jumpcloud.com"


def test_fresh_read_tokens_must_be_tenant_tokens() -> None:
    env = {"JCGRAPH_TENANTS": TENANTS_TOML, "JCGRAPH_FRESH_READ_TOKENS": "someone-else-0123"}
    problem = only_problem(env)
    assert problem.startswith(
        "JCGRAPH_FRESH_READ_TOKENS lists a token that is not in JCGRAPH_TENANTS"
    )
    assert "someone-else" not in problem
    settings = Settings.from_env({**env, "JCGRAPH_FRESH_READ_TOKENS": TENANT_TOKEN})
    assert settings.fresh_read_tokens == (TENANT_TOKEN,)


# Origins.


def test_every_malformed_origin_is_its_own_problem() -> None:
    env = {**ENV, "JCGRAPH_CORS_ORIGINS": "https://ok.example.com,app.example.com,https://x.test/"}
    problems = refused(env)
    assert len(problems) == 2
    assert "'app.example.com'" in problems[0]
    assert "'https://x.test/'" in problems[1]
    assert all(p.startswith("JCGRAPH_CORS_ORIGINS holds ") for p in problems)


@pytest.mark.parametrize(
    ("value", "origins"),
    [
        ("HTTPS://App.Example.COM", ("https://app.example.com",)),
        ("http://localhost", ("http://localhost",)),
        ("https://[::1]:8443", ("https://[::1]:8443",)),
        (",https://a.example.com,,", ("https://a.example.com",)),
        (" , ", ()),
    ],
)
def test_origins_are_lowercased_and_empty_entries_dropped(
    value: str, origins: tuple[str, ...]
) -> None:
    settings = Settings.from_env({**ENV, "JCGRAPH_CORS_ORIGINS": value})
    assert settings.cors_origins == origins


# Base URL and cache URL.


@pytest.mark.parametrize(
    ("value", "read"),
    [
        (" https://console.eu.jumpcloud.com/ ", "https://console.eu.jumpcloud.com"),
        ("https://console.in.jumpcloud.com///", "https://console.in.jumpcloud.com"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("https://proxy.example.com/jumpcloud/", "https://proxy.example.com/jumpcloud"),
    ],
)
def test_the_base_url_is_trimmed_of_spaces_and_trailing_slashes(value: str, read: str) -> None:
    assert Settings.from_env({**ENV, "JUMPCLOUD_BASE_URL": value}).base_url == read


@pytest.mark.parametrize("value", ["http://", "https:///api", "console.jumpcloud.com"])
def test_a_base_url_without_a_host_is_refused(value: str) -> None:
    problem = only_problem({**ENV, "JUMPCLOUD_BASE_URL": value})
    assert problem.startswith("JUMPCLOUD_BASE_URL must be an http:// or https:// URL with a host")


def test_a_refused_base_url_is_not_quoted_as_it_may_hold_credentials() -> None:
    problem = only_problem({**ENV, "JUMPCLOUD_BASE_URL": "ftp://admin:s3cret@host.example"})
    assert problem.startswith("JUMPCLOUD_BASE_URL must be an http:// or https:// URL")
    assert "s3cret" not in problem


@pytest.mark.parametrize(
    "value",
    [
        "memory://",
        "memory://anything",
        "redis://cache",
        "redis://cache:6379",
        "redis://cache:6379/",
        "redis://:pw@cache:6379/15",
        "rediss://user:pw@cache.example.com:6380/0",
    ],
)
def test_memory_and_redis_cache_urls_are_accepted(value: str) -> None:
    assert Settings.from_env({**ENV, "JCGRAPH_CACHE_URL": value}).cache_url == value


@pytest.mark.parametrize("value", ["http://cache:6379", "unix:///run/redis.sock", "redis"])
def test_a_cache_url_of_another_scheme_is_refused(value: str) -> None:
    problem = only_problem({**ENV, "JCGRAPH_CACHE_URL": value})
    assert problem == "JCGRAPH_CACHE_URL must start with memory://, redis:// or rediss://"


def test_a_cache_url_problem_quotes_the_database_not_the_password() -> None:
    problem = only_problem({**ENV, "JCGRAPH_CACHE_URL": "redis://:pw-s3cret@cache:6379/zero"})
    assert problem.endswith("got 'zero'")
    assert "s3cret" not in problem


# The other values read as text.


def test_text_values_are_normalised() -> None:
    settings = Settings.from_env(
        {
            **ENV,
            "JCGRAPH_LOG_LEVEL": "debug",
            "JCGRAPH_LOG_FORMAT": " Json ",
            "JCGRAPH_ACCESS_PLAN": "per-key",
            "JCGRAPH_TRUSTED_DOCUMENTS": "  ",
            "JCGRAPH_GRAPHIQL_ASSETS": "",
            "JUMPCLOUD_ORG_ID": ORG.upper(),
        }
    )
    assert (settings.log_level, settings.log_format) == ("DEBUG", "json")
    assert settings.access_plan == AccessPlan.PER_KEY
    assert (settings.trusted_documents, settings.graphiql_assets) == (None, None)
    assert settings.org_id == ORG.upper()


def test_an_unknown_access_plan_is_refused_listing_the_plans() -> None:
    problem = only_problem({**ENV, "JCGRAPH_ACCESS_PLAN": "fastest"})
    assert problem == "JCGRAPH_ACCESS_PLAN must be one of auto, per-key, index"


# Fixes: values read as the checks expect them.


def tenants_with_base_url(base_url: str) -> str:
    return TENANTS_TOML + f"base_url = {json.dumps(base_url)}\n"


@pytest.mark.parametrize(
    ("base_url", "said"),
    [
        ("notaurl", "must be an http:// or https:// URL with a host"),
        ("ftp://console.eu.jumpcloud.com", "must be an http:// or https:// URL with a host"),
        ("https://host:port", "is not a valid URL"),
        ("", "must be an http:// or https:// URL with a host"),
    ],
)
def test_a_tenants_base_url_is_checked_naming_the_tenant(base_url: str, said: str) -> None:
    problem = only_problem({"JCGRAPH_TENANTS": tenants_with_base_url(base_url)})
    assert problem.startswith(f"JCGRAPH_TENANTS: tenant 'acme''s `base_url` {said}")
    assert "console.jumpcloud.com" in problem


def test_a_refused_tenants_base_url_is_not_quoted() -> None:
    config = tenants_with_base_url("ftp://admin:s3cret@host.example")
    problem = only_problem({"JCGRAPH_TENANTS": config})
    assert "s3cret" not in problem


@pytest.mark.parametrize(
    ("base_url", "read"),
    [
        (" https://console.eu.jumpcloud.com/ ", "https://console.eu.jumpcloud.com"),
        ("https://proxy.example.com/jumpcloud//", "https://proxy.example.com/jumpcloud"),
    ],
)
def test_a_tenants_base_url_is_trimmed_as_the_single_org_one_is(base_url: str, read: str) -> None:
    settings = Settings.from_env({"JCGRAPH_TENANTS": tenants_with_base_url(base_url)})
    assert settings.tenants is not None
    (tenant,) = settings.tenants.tenants
    assert tenant.base_url == read


def test_tenants_sharing_an_org_agree_on_a_base_url_spelt_with_a_trailing_slash() -> None:
    shared = {"api_key": TENANT_KEY, "org_ids": [ORG]}
    config = {
        "tenants": [
            {
                "name": "a",
                **shared,
                "tokens": ["a-token-0123456789"],
                "base_url": "https://x.test/",
            },
            {"name": "b", **shared, "tokens": ["b-token-0123456789"], "base_url": "https://x.test"},
        ]
    }
    settings = Settings.from_env({"JCGRAPH_TENANTS": json.dumps(config)})
    assert settings.tenants is not None
    assert {t.base_url for t in settings.tenants.tenants} == {"https://x.test"}


@pytest.mark.parametrize(
    ("value", "read"), [("info ", "INFO"), ("\tdebug\n", "DEBUG"), (" ", "INFO")]
)
def test_the_log_level_is_trimmed_as_the_log_format_is(value: str, read: str) -> None:
    assert Settings.from_env({**ENV, "JCGRAPH_LOG_LEVEL": value}).log_level == read


@pytest.mark.parametrize(
    ("value", "plan"),
    [
        ("auto", AccessPlan.AUTO),
        ("per-key", AccessPlan.PER_KEY),
        (" Index ", AccessPlan.INDEX),
        (" ", AccessPlan.AUTO),
    ],
)
def test_the_access_plan_is_read_as_a_member_of_access_plan(value: str, plan: AccessPlan) -> None:
    read = Settings.from_env({**ENV, "JCGRAPH_ACCESS_PLAN": value}).access_plan
    assert type(read) is AccessPlan
    assert read is plan


def test_an_unknown_access_plan_is_one_problem_before_the_checks() -> None:
    problems = refused({"JCGRAPH_ACCESS_PLAN": "fastest"})
    assert problems[0] == "JCGRAPH_ACCESS_PLAN must be one of auto, per-key, index"
    assert [p.split()[0] for p in problems] == ["JCGRAPH_ACCESS_PLAN", "JUMPCLOUD_API_KEY"]


@pytest.mark.parametrize(
    "config",
    [TENANTS_JSON[:-2], TENANTS_TOML.replace("org_ids", "orgs"), "/nonexistent/tenants.toml"],
)
def test_unreadable_tenants_without_an_api_key_are_the_only_problem(config: str) -> None:
    problem = only_problem({"JCGRAPH_TENANTS": config})
    assert problem.startswith("JCGRAPH_TENANTS")
    assert "JUMPCLOUD_API_KEY" not in problem


@pytest.mark.parametrize("value", ["alpha,,beta", ",alpha", "alpha,beta,", "alpha, ,beta"])
def test_a_stray_comma_in_the_auth_tokens_is_refused(value: str) -> None:
    problem = only_problem({**ENV, "JCGRAPH_AUTH_TOKENS": value})
    assert problem == "JCGRAPH_AUTH_TOKENS holds an empty token; remove the stray comma"
    assert "alpha" not in problem


def test_fresh_read_tokens_still_drop_empty_entries() -> None:
    settings = Settings.from_env({**ENV, "JCGRAPH_FRESH_READ_TOKENS": ",alpha,,beta,"})
    assert settings.fresh_read_tokens == ("alpha", "beta")


@pytest.mark.parametrize(("value", "times"), [("*,*", "twice"), (" * , *,* ", "3 times")])
def test_a_star_given_more_than_once_is_refused_saying_so(value: str, times: str) -> None:
    problem = only_problem({**ENV, "JCGRAPH_CORS_ORIGINS": value})
    assert problem == f"JCGRAPH_CORS_ORIGINS gives `*` {times}; set `*` once, alone"


def test_a_star_beside_an_origin_is_still_refused_as_such() -> None:
    problem = only_problem({**ENV, "JCGRAPH_CORS_ORIGINS": "*,*,https://a.example.com"})
    assert problem.startswith("JCGRAPH_CORS_ORIGINS holds `*` and other origins")
