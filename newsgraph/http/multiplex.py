"""One execution per distinct live subscription, shared by every client running it.

A thousand clients on `articleAdded { node { id title } }` want the same message for each
change: executing the selection, loading its relations and finding its disclaimers a
thousand times would cost a thousand times what once does. So, as Hasura multiplexes live
queries, subscriptions with the same document, operation and variables form a group:
the group runs the operation once (Strawberry's `Schema.stream`, every extension
included) and hands each result to every member. Results do not depend on who asks
(reads are the same for every caller; a caller who may not read never got past
`connection_init`), so members may come from any connection.

A member joins a running group and receives the results produced after it joined,
which is what a subscription without `after:` means ("from now on"). Resuming is not
shared: a subscription given an `after` cursor replays its own stretch of the log, so it
always runs on its own (the same document with `after: null` is shared).

Each member still pays its own way in: the rate budget is charged per subscription when
it starts (`http.live`), the execution it joins was checked against the limits once.

Each member has its own bounded queue: a member more than `queue_limit` results behind is
ended with `SUBSCRIBER_TOO_SLOW`, alone; the others, and the group, go on. The group
ends when its last member leaves (its execution is closed) or when its stream ends (an
error: every member receives it).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncGenerator, Awaitable, Callable, Hashable
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

import orjson
from graphql import (
    FieldNode,
    NullValueNode,
    OperationDefinitionNode,
    OperationType,
    VariableNode,
    parse,
)
from graphql.error import GraphQLError
from graphql.utilities import get_operation_ast
from strawberry.types import ExecutionResult

from newsgraph.live.subscribers import too_slow
from newsgraph.schema.errors import graphql_error, with_code

__all__ = ["Multiplexer", "shared_key"]


def shared_key(
    query: str | None, variables: dict[str, Any] | None, operation_name: str | None
) -> Hashable | None:
    """What members of one group have in common; None when the operation is not a
    subscription that can be shared (not one, one that resumes, or not even a document)."""
    if query is None:
        return None
    try:
        operation = get_operation_ast(parse(query), operation_name)
    except GraphQLError:
        return None  # answered by the operation's own run, with its error
    if operation is None or operation.operation is not OperationType.SUBSCRIPTION:
        return None
    if _resumes(operation, variables or {}):
        return None
    try:
        frozen = orjson.dumps(variables or {}, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError:
        return None
    return (query, frozen, operation_name)


def _resumes(operation: OperationDefinitionNode, variables: dict[str, Any]) -> bool:
    """Whether a root field is given an `after` cursor (a literal, or a variable set).
    A root selection other than a field (a fragment) counts as resuming: not looked into."""
    for selection in operation.selection_set.selections:
        if not isinstance(selection, FieldNode):
            return True
        for argument in selection.arguments or ():
            if argument.name.value != "after":
                continue
            value = argument.value
            if isinstance(value, VariableNode):
                if variables.get(value.name.value) is not None:
                    return True
            elif not isinstance(value, NullValueNode):
                return True
    return False


@dataclass(eq=False)
class _Member:
    limit: int
    queue: deque[Any] = field(default_factory=deque)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    overflowed: bool = False
    done: bool = False
    last: Any = None

    def push(self, result: Any) -> None:
        if len(self.queue) >= self.limit:
            self.overflowed = True
            self.queue.clear()
        elif not self.overflowed:
            self.queue.append(result)
        self.ready.set()

    def finish(self) -> None:
        self.done = True
        self.ready.set()


@dataclass(eq=False)
class _Group:
    members: set[_Member] = field(default_factory=set)
    task: asyncio.Task[None] | None = None


class Multiplexer:
    """The groups of one process, by `shared_key`."""

    def __init__(self, queue_limit: int) -> None:
        self.queue_limit = queue_limit
        self._groups: dict[Hashable, _Group] = {}

    @property
    def groups(self) -> int:
        """Executions running now (one per distinct shared subscription)."""
        return len(self._groups)

    def join(
        self, key: Hashable, start: Callable[[], Awaitable[AsyncGenerator[Any, None]]]
    ) -> AsyncGenerator[Any, None]:
        """A member's results: of the group for `key`, started with `start` if none runs."""
        group = self._groups.get(key)
        if group is None:
            group = self._groups[key] = _Group()
            group.task = asyncio.create_task(self._run(key, group, start))
        member = _Member(self.queue_limit)
        group.members.add(member)
        return self._results(key, group, member)

    async def _run(
        self,
        key: Hashable,
        group: _Group,
        start: Callable[[], Awaitable[AsyncGenerator[Any, None]]],
    ) -> None:
        try:
            stream = await start()
            try:
                async for result in stream:
                    for member in list(group.members):
                        member.push(result)
            finally:
                self._forget(key, group)  # before any await: nobody joins a group that ends
                with suppress(Exception):
                    await stream.aclose()
        finally:
            self._forget(key, group)
            for member in group.members:
                member.finish()

    def _forget(self, key: Hashable, group: _Group) -> None:
        if self._groups.get(key) is group:
            del self._groups[key]

    async def _results(
        self, key: Hashable, group: _Group, member: _Member
    ) -> AsyncGenerator[Any, None]:
        try:
            while True:
                while not member.queue:
                    if member.overflowed:
                        yield _too_slow(member)
                        return
                    if member.done:
                        return
                    member.ready.clear()
                    await member.ready.wait()
                member.last = member.queue.popleft()
                yield member.last
        finally:
            group.members.discard(member)
            if not group.members and group.task is not None and not group.task.done():
                self._forget(key, group)
                group.task.cancel()
                with suppress(asyncio.CancelledError, Exception):
                    await group.task


def _too_slow(member: _Member) -> ExecutionResult:
    after = None
    data = getattr(member.last, "data", None)
    if isinstance(data, dict):
        edge = next(iter(data.values()), None)
        if isinstance(edge, dict) and isinstance(edge.get("cursor"), str):
            after = edge["cursor"]
    refusal = too_slow(member.limit, after)
    return ExecutionResult(data=None, errors=[with_code(graphql_error(refusal))])
