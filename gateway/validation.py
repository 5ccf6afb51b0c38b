"""Validation rules of the gateway's own: a lookup's "give exactly one" arguments."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    ArgumentNode,
    FieldNode,
    GraphQLError,
    NonNullTypeNode,
    NullValueNode,
    OperationDefinitionNode,
    VariableNode,
)
from graphql.validation import ValidationRule

ONE_OF: Mapping[str, tuple[str, ...]] = {
    "user": ("jumpcloudId", "email", "username"),
    "system": ("jumpcloudId", "hostname"),
    "group": ("jumpcloudId", "name"),
    "access": ("application", "ldapServer", "radiusServer", "system"),
}
"""Root fields that take exactly one of these arguments (GraphQL names)."""


class ExactlyOneArgument(ValidationRule):
    """`Query.user`, `system`, `group` and `access` take exactly one of their lookup (or
    target) arguments. A document that gives none of them, or gives more than one as a value
    or as a non-null variable, is invalid. An argument given as a nullable variable may be
    null when the request runs, so the document may stand (the resolver then refuses a
    request whose variables leave none or several: BAD_USER_INPUT on that field alone)."""

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self._required: dict[str, bool] | None = None

    def _variables(self) -> dict[str, bool]:
        """Whether each variable is non-null in every operation that declares it."""
        if self._required is None:
            required: dict[str, bool] = {}
            for definition in self.context.document.definitions:
                if isinstance(definition, OperationDefinitionNode):
                    for variable in definition.variable_definitions or ():
                        name = variable.variable.name.value
                        non_null = isinstance(variable.type, NonNullTypeNode)
                        required[name] = required.get(name, True) and non_null
            self._required = required
        return self._required

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        parent = self.context.get_parent_type()
        schema = self.context.schema
        if parent is None or parent is not schema.query_type:
            return
        names = ONE_OF.get(node.name.value)
        if names is None:
            return
        given = [a for a in node.arguments or () if a.name.value in names]
        present = [a for a in given if not isinstance(a.value, NullValueNode)]
        certain = [a for a in present if self._certain(a)]
        listed = ", ".join(f"`{n}`" for n in names)
        if not present:
            self.report_error(
                GraphQLError(
                    f"`{node.name.value}` needs exactly one of {listed}; none is given.",
                    node,
                )
            )
        elif len(certain) > 1:
            self.report_error(
                GraphQLError(
                    f"`{node.name.value}` takes exactly one of {listed}; "
                    f"{', '.join(f'`{a.name.value}`' for a in present)} are given.",
                    node,
                )
            )

    def _certain(self, argument: ArgumentNode) -> bool:
        """Whether the argument has a value whatever the variables: a literal, or a
        non-null variable."""
        value = argument.value
        if isinstance(value, VariableNode):
            return self._variables().get(value.name.value, False)
        return True
