"""Every element of the served schema says what it is: front-end teams and codegen read the schema,
not the code. Built-in introspection types and GraphQL's built-in scalars are exempt."""

from __future__ import annotations

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    specified_scalar_types,
)

import schema

EXEMPT = set(specified_scalar_types)


def undescribed(served: GraphQLSchema) -> list[str]:
    """Every type, field, argument, input field and enum value of `served` without a description."""
    missing: list[str] = []
    for name, named in served.type_map.items():
        if name.startswith("__") or name in EXEMPT:
            continue
        missing.extend(_undescribed_in(named))
    return missing


def _blank(description: str | None) -> bool:
    return description is None or not description.strip()


def _undescribed_in(named: GraphQLNamedType) -> list[str]:
    name = named.name
    missing = [f"type {name}"] if _blank(named.description) else []
    if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
        for field_name, field in named.fields.items():
            if _blank(field.description):
                missing.append(f"field {name}.{field_name}")
            missing.extend(
                f"argument {name}.{field_name}({arg_name})"
                for arg_name, arg in field.args.items()
                if _blank(arg.description)
            )
    elif isinstance(named, GraphQLInputObjectType):
        missing.extend(
            f"input field {name}.{field_name}"
            for field_name, field in named.fields.items()
            if _blank(field.description)
        )
    elif isinstance(named, GraphQLEnumType):
        missing.extend(
            f"enum value {name}.{value_name}"
            for value_name, value in named.values.items()
            if _blank(value.description)
        )
    return missing


def test_every_schema_element_has_a_description() -> None:
    missing = undescribed(schema.schema._schema)
    assert not missing, f"{len(missing)} schema elements have no description:\n" + "\n".join(missing)


def test_the_walk_finds_every_kind_of_undescribed_element() -> None:
    # The guard itself: a schema with one undescribed element of each kind names each of them.
    from graphql import build_schema

    bare = build_schema(
        """
        "Described." type Query { "Described." field(arg: Int): Kind  other: Int }
        input Filter { "Described." ok: Int  bare: Int }
        "Described." enum Kind { "Described." A  B }
        scalar Stamp
        """
    )
    assert sorted(undescribed(bare)) == [
        "argument Query.field(arg)",
        "enum value Kind.B",
        "field Query.other",
        "input field Filter.bare",
        "type Filter",
        "type Stamp",
    ]
