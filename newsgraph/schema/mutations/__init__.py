"""The root `Mutation` type: every write, one transaction each.

Each mutation needs an API key with the `write` scope (the guards refuse the operation
before it runs otherwise). Expected failures come back as `userErrors` in the payload,
and then nothing was written.
"""

from __future__ import annotations

import strawberry

from newsgraph.schema.mutations.actors import ActorMutations
from newsgraph.schema.mutations.articles import ArticleMutations
from newsgraph.schema.mutations.claims import ClaimMutations
from newsgraph.schema.mutations.events import EventMutations
from newsgraph.schema.mutations.sources import SourceMutations

__all__ = ["Mutation"]


@strawberry.type(description="Everything that can be written.")
class Mutation(ArticleMutations, SourceMutations, ActorMutations, EventMutations, ClaimMutations):
    pass
