"""The GraphQL schema: types, inputs, connections, and their assembly."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError

from newsgraph.schema.actors import Actor
from newsgraph.schema.articles import Article
from newsgraph.schema.claims import Claim
from newsgraph.schema.disclaimers import Disclaimers
from newsgraph.schema.errors import ErrorCodes
from newsgraph.schema.events import Event
from newsgraph.schema.guards import Guards
from newsgraph.schema.mutations import Mutation
from newsgraph.schema.query import Query
from newsgraph.schema.sources import Source

__all__ = ["schema"]


class Schema(strawberry.Schema):
    """Strawberry's schema without its default traceback log for every error.

    Errors a client caused are answered, not logged; unexpected ones are logged once,
    with the request id the client sees, by `ErrorCodes`.
    """

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        return None


schema = Schema(
    query=Query,
    mutation=Mutation,
    types=[Actor, Article, Claim, Event, Source],
    extensions=[ErrorCodes, Disclaimers, Guards],
)
