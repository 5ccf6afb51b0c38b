"""The printed SDL: Strawberry's federation subgraph SDL, made self-contained.

Strawberry prints `@link` and `@key` where they apply but not their definitions, so graphql-js
`buildSchema` (and every linter or code generator built on it) refuses the file. The
definitions below are Apollo Federation v2.5's own (https://specs.apollo.dev/federation/v2.5,
https://specs.apollo.dev/link/v1.0) for what this subgraph imports: `@key`, with `@link` and the
scalars and enum they take. Apollo's composition accepts a subgraph SDL that carries them
(tests/federation composes this very text)."""

from __future__ import annotations

import re

from strawberry.printer import print_schema
from strawberry.schema.base import BaseSchema

FEDERATION_DEFINITIONS = '''\
"""Links this schema to a specification it follows (Apollo's `@link`, link v1.0)."""
directive @link(
  """The specification's URL, with its version."""
  url: String!

  """The prefix its names take here instead of the specification's own name."""
  as: String

  """What the linked specification is needed for (security, execution)."""
  for: link__Purpose

  """The names imported without a prefix."""
  import: [link__Import]
) repeatable on SCHEMA

"""
Apollo Federation: the fields that identify an entity, by which other subgraphs reference it.
"""
directive @key(
  """The key's fields, as a selection set."""
  fields: federation__FieldSet!

  """Whether this subgraph resolves references to the entity by this key."""
  resolvable: Boolean = true
) repeatable on OBJECT | INTERFACE

"""A name `@link` imports from a specification, or a `{name, as}` object renaming it."""
scalar link__Import

"""What a linked specification is needed for."""
enum link__Purpose {
  """It secures access to the schema: a client that does not know it must not run queries."""
  SECURITY

  """It changes how the schema executes."""
  EXECUTION
}

"""Apollo Federation: a selection set naming an entity's fields, e.g. "jumpcloudId"."""
scalar federation__FieldSet
'''

DEFINED_DIRECTIVES = frozenset({"link", "key"})
_USED = re.compile(r"(?<![\w\"])@(\w+)")


def print_sdl(schema: BaseSchema) -> str:
    """The SDL `_service { sdl }` serves and `jcgraph schema` prints: the schema definition,
    then the federation definitions it uses, then every type; with a final newline."""
    printed = print_schema(schema).rstrip("\n")
    used = set(_USED.findall(_without_strings(printed)))
    undefined = used - DEFINED_DIRECTIVES
    if undefined:
        # A directive added later (@shareable, @override...) needs its definition here too,
        # or the file stops building with graphql-js.
        raise ValueError(f"define the federation directives {sorted(undefined)} in gateway.sdl")
    head, sep, rest = printed.partition("\n}\n")
    if not head.startswith("schema ") or not sep:
        raise ValueError("the printed schema does not start with its schema definition")
    return f"{head}{sep}\n{FEDERATION_DEFINITIONS}\n{rest.lstrip(chr(10))}\n"


def _without_strings(sdl: str) -> str:
    """The SDL without its descriptions and string values (an `@` in prose is no directive)."""
    sdl = re.sub(r'"""(?:.|\n)*?"""', "", sdl)
    return re.sub(r'"(?:\\.|[^"\\])*"', '""', sdl)
