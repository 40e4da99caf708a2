"""From an operation to one SQL statement that builds its `data` and its disclaimers.

The walk follows field collection (`selection`) and the declarations
(`newsgraph.resolvers.entities`). Two things are built side by side:

- the response: one JSON expression, nested as the query is. Each object is a
  `json_build_object` over a row; a to-one field is a correlated subquery on the target's
  key, a list a correlated `json_agg`, a connection a correlated page (its own `LIMIT`
  per parent, one row more than asked to know whether more follow) aggregated into
  `edges`/`nodes`/`pageInfo`, with `totalCount` counted apart and only when asked;
- frames: for every place the response takes rows from, a CTE of those rows' keys (a
  page of each parent's connection, per parent row of the frame above). The rows a
  response reached are the union of the frames; `db.provenance.sources_behind_sql`
  turns them into the sources behind them, the `extensions.disclaimers`.

Values from the request are parameters (`arguments.Slots`); what the SQL's shape depends
on (null or not, an enum, the type in an ID) is part of the cache key (`shape_of`), so a
statement is compiled once per shape and prepared once per connection. Anything not
declared (introspection, `search`) raises `NotCompilableError`: the operation then runs
on the resolver path, whole.
"""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property, reduce
from typing import Any

from graphql import (
    FragmentDefinitionNode,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    get_named_type,
)
from graphql.execution.values import VariableValues
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    DateTime,
    FromClause,
    Select,
    String,
    Text,
    case,
    cast,
    column,
    false,
    func,
    literal_column,
    null,
    select,
    text,
    true,
    tuple_,
    union_all,
)
from sqlalchemy.dialects.postgresql import JSON, aggregate_order_by
from sqlalchemy.orm import aliased, join
from sqlalchemy.sql.selectable import CTE
from sqlalchemy.types import TypeEngine

from newsgraph.compile.arguments import Argument, Slots
from newsgraph.compile.selection import Collected, Selection
from newsgraph.compile.values import (
    NotCompilableError,
    constant,
    cursor_text,
    global_id,
    json_object,
    scalar_value,
)
from newsgraph.db.models import Article, ArticleEvent, Source
from newsgraph.db.provenance import REACHED_LISTS, sources_behind_sql
from newsgraph.ids import decode_id
from newsgraph.ingest.names import normalize_name
from newsgraph.resolvers.declarations import (
    Column,
    Derived,
    Entity,
    GlobalId,
    Paged,
    ToMany,
    ToOne,
)
from newsgraph.resolvers.entities import ENTITIES, ROOT_LISTS
from newsgraph.resolvers.filters import Filter, current_actor
from newsgraph.resolvers.pagination import DEFAULT_PAGE_SIZE, Cursor, Ordering, Window
from newsgraph.resolvers.relations import Relation

__all__ = ["Plan", "plan"]

NODE_TYPES = ("Actor", "Article", "Claim", "Event", "Source")
MAX_NODES_ARGUMENT = 100
_EMPTY_LIST = literal_column("'[]'::json", JSON)
_NO_IDS: ColumnElement[Any] = literal_column("'{}'::bigint[]")
# Which list of reached ids a frame of each entity feeds (`sources_behind_sql`), with
# which of its columns: a claim reaches its article (every frame keeps `article_id`, the
# key its to-one `article` follows), a participation its event.
_REACHED = {
    "Source": ("source_ids", "id"),
    "Article": ("article_ids", "id"),
    "Claim": ("article_ids", "article_id"),
    "Event": ("event_ids", "id"),
    "Actor": ("actor_ids", "id"),
    "Participation": ("event_ids", "event_id"),
}


@dataclass(frozen=True)
class Plan:
    """A compiled operation: the statement, and how a request fills its parameters."""

    statement: Select[Any]
    slots: Slots


@dataclass(frozen=True)
class Rows:
    """Where a list's rows come from: the entity's table, under a parent through a
    relation (None at the root), narrowed by filter conditions over the table's alias."""

    entity: Entity
    relation: Relation | None
    conditions: Callable[[Any], list[ColumnElement[bool]]]


@dataclass
class Frame:
    """The keys (and foreign keys) of the rows the response takes at one place, as a CTE.

    The CTE is built when first asked for: a to-one frame is often needed only for the
    ids it reached, which its parent's foreign key gives without reading the table.
    """

    entity: Entity
    build: Callable[[], CTE]

    @cached_property
    def cte(self) -> CTE:
        return self.build()


class _Window:
    """A connection's paging arguments as parameters: page size, cursors, direction."""

    def __init__(
        self, compiler: Compiler, field: Collected, ordering: Ordering, made_for: str
    ) -> None:
        arguments = {name: compiler.argument(field, name) for name in ("first", "last")}
        arguments |= {name: compiler.argument(field, name) for name in ("after", "before")}
        self.ordering = ordering
        self.backwards = arguments["last"].now is not None
        self.after = arguments["after"].now is not None
        self.before = arguments["before"].now is not None
        first, last = arguments["first"], arguments["last"]

        def size(variables: Mapping[str, Any]) -> int:
            chosen_first, chosen_last = first.read(variables), last.read(variables)
            Window.check_sizes(first=chosen_first, last=chosen_last)
            if chosen_last is not None:
                return int(chosen_last)
            return DEFAULT_PAGE_SIZE if chosen_first is None else int(chosen_first)

        self.size = compiler.slots.bind(size, BigInteger())
        self.bounds: list[tuple[bool, ColumnElement[Any] | None, ColumnElement[Any]]] = []
        for name, reverse in (("after", False), ("before", True)):
            argument = arguments[name]
            if argument.now is None:
                continue

            def decoded(variables: Mapping[str, Any], argument: Argument = argument) -> Cursor:
                return Cursor.decode(
                    argument.read(variables),
                    argument.name,
                    made_for=made_for,
                    kind=ordering.kind,
                )

            def cursor_key(variables: Mapping[str, Any], decoded: Any = decoded) -> Any:
                return decoded(variables).key

            def cursor_id(variables: Mapping[str, Any], decoded: Any = decoded) -> int:
                row_id: int = decoded(variables).id
                return row_id

            key = None
            if ordering.key is not ordering.id:
                key = compiler.slots.bind(cursor_key, _key_type(ordering.kind))
            row_id = compiler.slots.bind(cursor_id, BigInteger())
            self.bounds.append((reverse, key, row_id))

    def columns(self, alias: Any) -> tuple[ColumnElement[Any] | None, ColumnElement[Any]]:
        """The sort key (None when it is the id) and the id, on `alias`."""
        key = (
            None if self.ordering.key is self.ordering.id else getattr(alias, self.ordering.key.key)
        )
        return key, getattr(alias, self.ordering.id.key)

    def conditions(self, alias: Any) -> list[ColumnElement[bool]]:
        """The keyset conditions of `after` and `before` on `alias`."""
        key, row_id = self.columns(alias)
        conditions = []
        for reverse, bound_key, bound_id in self.bounds:
            down = self.ordering.descending != reverse
            row: Any = row_id if key is None else tuple_(key, row_id)
            bound: Any = bound_id if key is None else tuple_(bound_key, bound_id)
            conditions.append(row < bound if down else row > bound)
        return conditions

    def order(self, alias: Any) -> list[ColumnElement[Any]]:
        """ORDER BY in reading order (reversed for `last`)."""
        down = self.ordering.descending != self.backwards
        key, row_id = self.columns(alias)
        columns = [row_id] if key is None else [key, row_id]
        return [column.desc() if down else column.asc() for column in columns]


def _key_type(kind: str) -> TypeEngine[Any]:
    if kind == "datetime":
        return DateTime(timezone=True)
    if kind == "date":
        return Date()
    return BigInteger()


def _value_type(value: Any) -> TypeEngine[Any]:
    """The SQL type of a filter value, from its Python type."""
    if isinstance(value, bool):
        raise NotCompilableError("a boolean filter value")
    if isinstance(value, int):
        return BigInteger()
    if isinstance(value, datetime):
        return DateTime(timezone=True)
    if isinstance(value, date):
        return Date()
    return String()


class Compiler:
    """Compiles one operation, for the shape of one request's variables."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        operation: OperationDefinitionNode,
        variables: VariableValues,
    ) -> None:
        self.schema = schema
        self.operation = operation
        self.selection = Selection(schema, fragments, variables)
        self.variables = variables.coerced
        self.slots = Slots()
        self.reached: dict[str, list[Select[Any]]] = defaultdict(list)
        self.frames = 0

    # -- arguments ------------------------------------------------------------------

    def argument(self, field: Collected, name: str) -> Argument:
        """Argument `name` of `field` (its default when the document leaves it out)."""
        assert field.definition is not None
        definition = field.definition.args.get(name)
        if definition is None:
            raise NotCompilableError(f"{field.name} has no argument {name}")
        return Argument.of(definition, name, field.nodes, self.variables)

    def bind(self, argument: Argument, parse: Callable[[Any], Any], type_: TypeEngine[Any]) -> Any:
        """A parameter holding `parse(argument's value)` for each request."""
        return self.slots.bind(lambda variables: parse(argument.read(variables)), type_)

    # -- the statement ------------------------------------------------------------------

    def statement(self) -> Select[Any]:
        query_type = self.schema.query_type
        assert query_type is not None
        fields = self.selection.collect(query_type, [self.operation.selection_set])
        data = json_object([(field.key, self.root(field)) for field in fields])
        columns: list[Any] = [cast(data, Text).label("data"), cast(self.disclaimers(), Text)]
        return select(*columns)

    def root(self, field: Collected) -> ColumnElement[Any]:
        if field.name == "__typename":
            return constant("Query")
        if field.definition is None:
            raise NotCompilableError(f"Query.{field.name}")
        if field.name in ROOT_LISTS:
            declared = ROOT_LISTS[field.name]
            order = self.argument(field, "orderBy").now if declared.default_order else None
            order_name = getattr(order, "name", None)
            conditions = self.filter_conditions(field, declared.filter)
            rows = Rows(self.entity_of(field), None, conditions)
            return self.connection(
                field, rows, declared.ordering(order_name), declared.made_for(order_name), None
            )
        if field.name == "node":
            return self.by_id(field, self.argument(field, "id"), NODE_TYPES)
        if field.name == "nodes":
            return self.by_ids(field)
        if field.name in ("article", "event", "claim", "actor"):
            return self.lookup(field)
        raise NotCompilableError(f"Query.{field.name}")

    def entity_of(self, field: Collected) -> Entity:
        """The entity whose rows a list or connection field holds."""
        assert field.definition is not None
        named = get_named_type(field.definition.type)
        if isinstance(named, GraphQLObjectType) and named.name.endswith("Connection"):
            named = get_named_type(named.fields["nodes"].type)
        entity = ENTITIES.get(named.name)
        if entity is None:
            raise NotCompilableError(f"{named.name} is not declared")
        return entity

    def object_type(self, name: str) -> GraphQLObjectType:
        named = self.schema.get_type(name)
        assert isinstance(named, GraphQLObjectType)
        return named

    # -- rows by key ----------------------------------------------------------------------

    def single(
        self, entity: Entity, field: Collected, where: Callable[[Any], ColumnElement[bool]]
    ) -> ColumnElement[Any]:
        """The object of the row `where` picks (null when none), as a root field."""
        row, frame_row = aliased(entity.model), aliased(entity.model)
        frame = self.frame(
            select(*self.frame_columns(entity, frame_row)).where(where(frame_row)), entity
        )
        value = self.object(entity, self.object_type(entity.type_name), row, field, frame)
        return select(value).where(where(row)).scalar_subquery()

    def by_id(
        self, field: Collected, argument: Argument, expected: tuple[str, ...]
    ) -> ColumnElement[Any]:
        """`node(id:)` and the like: the row a global ID names, of one of `expected` types."""
        if argument.now is None:
            raise NotCompilableError("no id")
        type_name, _ = self.decoded(argument.now, expected)
        return self.single_by_id(field, type_name, lambda v: argument.read(v), expected)

    def single_by_id(
        self,
        field: Collected,
        type_name: str,
        read: Callable[[Mapping[str, Any]], Any],
        expected: tuple[str, ...],
    ) -> ColumnElement[Any]:
        def row_id(variables: Mapping[str, Any]) -> int:
            found, decoded = decode_id(str(read(variables)), *expected)
            if found != type_name:
                raise NotCompilableError("the ID changed type")  # the shape says it cannot
            return decoded

        wanted = self.slots.bind(row_id, BigInteger())
        entity = ENTITIES[type_name]
        if type_name == "Actor":  # an actor merged away answers as the survivor
            return self.single(entity, field, lambda actor: actor.id == current_actor(wanted))
        return self.single(entity, field, lambda row: row.id == wanted)

    def decoded(self, value: Any, expected: tuple[str, ...]) -> tuple[str, int]:
        try:
            return decode_id(str(value), *expected)
        except Exception as exc:  # the resolver path words the error
            raise NotCompilableError("an ID the resolvers refuse") from exc

    def by_ids(self, field: Collected) -> ColumnElement[Any]:
        argument = self.argument(field, "ids")
        ids = argument.now or []
        if len(ids) > MAX_NODES_ARGUMENT:
            raise NotCompilableError("too many ids")
        elements = []
        for index, value in enumerate(ids):
            type_name, _ = self.decoded(value, NODE_TYPES)

            def one(variables: Mapping[str, Any], index: int = index) -> Any:
                return argument.read(variables)[index]

            elements.append(self.single_by_id(field, type_name, one, NODE_TYPES))
        return func.json_build_array(*elements, type_=JSON)

    def lookup(self, field: Collected) -> ColumnElement[Any]:
        """`article(id | url)`, `actor(id | name)`, `event(id)`, `claim(id)`."""
        type_name = field.name.capitalize()
        by_id = self.argument(field, "id")
        other_name = {"article": "url", "actor": "name"}.get(field.name)
        other = self.argument(field, other_name) if other_name else None
        if other is not None and (by_id.now is None) == (other.now is None):
            raise NotCompilableError("exactly one of the arguments")  # the resolvers refuse
        if by_id.now is not None:
            return self.by_id(field, by_id, (type_name,))
        assert other is not None
        entity = ENTITIES[type_name]
        if field.name == "article":
            url = self.bind(other, str, String())
            return self.single(entity, field, lambda article: article.url == url)
        wanted = self.bind(other, lambda name: normalize_name(name or ""), String())
        row, frame_row = aliased(entity.model), aliased(entity.model)

        def best(query: Select[Any], actor: Any) -> Select[Any]:
            return (
                query.where(wanted == func.any(actor.match_names))
                .order_by(actor.name_normalized != wanted, actor.id)
                .limit(1)
            )

        frame = self.frame(best(select(*self.frame_columns(entity, frame_row)), frame_row), entity)
        value = self.object(entity, self.object_type(type_name), row, field, frame)
        return best(select(value), row).scalar_subquery()

    # -- lists and connections ----------------------------------------------------------

    def filter_conditions(
        self, field: Collected, declared: Filter | None
    ) -> Callable[[Any], list[ColumnElement[bool]]]:
        """The filter argument's conditions, as a function of the filtered alias."""
        if declared is None:
            return lambda alias: []
        argument = self.argument(field, "filter")
        given = argument.now or {}
        parts = []
        for criterion in declared.criteria:
            if not criterion.applies(given.get(criterion.field)):
                continue
            path = f"filter.{criterion.field}"

            def parse(value: Any, criterion: Any = criterion, path: str = path) -> Any:
                return criterion.parse(value[criterion.field], path)

            try:
                now = parse(given)
            except Exception as exc:
                raise NotCompilableError("a filter value the resolvers refuse") from exc
            parts.append((criterion, self.bind(argument, parse, _value_type(now))))
        return lambda alias: [criterion.condition(alias, value) for criterion, value in parts]

    def rows(
        self, rows: Rows, alias: Any, parent_id: ColumnElement[Any] | None
    ) -> tuple[FromClause | Any, list[ColumnElement[bool]]]:
        """The FROM and WHERE of `rows` on `alias`, under the parent with `parent_id`."""
        conditions = rows.conditions(alias)
        relation = rows.relation
        if relation is None:
            return alias, conditions
        source: Any = alias
        on = alias
        if relation.through is not None:
            link = aliased(relation.through)
            source = join(alias, link, getattr(link, relation.through_target.key) == alias.id)
            on = link
        parent = getattr(on, relation.parent.key)
        conditions = [parent == parent_id, *conditions]
        if relation.where is not None:
            conditions.append(relation.where(on))
        return source, conditions

    def connection(
        self,
        field: Collected,
        rows: Rows,
        ordering: Ordering,
        made_for: str,
        parent: tuple[Any, Frame] | None,
    ) -> ColumnElement[Any]:
        """A connection object: edges, nodes, pageInfo and totalCount as selected."""
        assert field.definition is not None
        connection_type = get_named_type(field.definition.type)
        assert isinstance(connection_type, GraphQLObjectType)
        parts = self.selection.collect(connection_type, field.selection_sets)
        parent_row, parent_frame = parent if parent else (None, None)
        parent_id = parent_row.id if parent_row is not None else None
        window = _Window(self, field, ordering, made_for)
        pairs: list[tuple[str, ColumnElement[Any]]] = []
        if not any(part.name in ("edges", "nodes", "pageInfo") for part in parts):
            for part in parts:
                pairs.append(
                    (part.key, self.connection_count(part, connection_type, rows, parent_row))
                )
            return json_object(pairs)
        row = aliased(rows.entity.model)
        source, conditions = self.rows(rows, row, parent_id)
        order = window.order(row)
        position = func.row_number().over(order_by=order).label("position")
        page_query = (
            select(row, position)
            .select_from(source)
            .where(*conditions, *window.conditions(row))
            .order_by(*order)
            .limit(window.size + literal_column("1"))
        )
        page = _under(page_query, parent_row).subquery()
        item = aliased(rows.entity.model, page)
        frame = self.page_frame(rows, window, parent_frame)
        in_page = page.c.position <= window.size
        # positions count in reading order, which is backwards for `last`
        output = page.c.position.desc() if window.backwards else page.c.position.asc()
        reverse_output = page.c.position.asc() if window.backwards else page.c.position.desc()
        key, row_id = window.columns(item)
        cursor = cursor_text(made_for, key, row_id, ordering.kind)
        node_type = self.object_type(rows.entity.type_name)
        for part in parts:
            if part.name == "__typename":
                value: ColumnElement[Any] = constant(connection_type.name)
            elif part.name == "totalCount":
                value = self.count(rows, parent_row)
            elif part.name == "nodes":
                node = self.object(rows.entity, node_type, item, part, frame)
                value = self.aggregate(node, output, in_page)
            elif part.name == "edges":
                edge_type = get_named_type(connection_type.fields["edges"].type)
                assert isinstance(edge_type, GraphQLObjectType)
                edge_pairs = []
                for edge_part in self.selection.collect(edge_type, part.selection_sets):
                    if edge_part.name == "cursor":
                        edge_pairs.append((edge_part.key, cursor))
                    elif edge_part.name == "node":
                        node = self.object(rows.entity, node_type, item, edge_part, frame)
                        edge_pairs.append((edge_part.key, node))
                    else:
                        edge_pairs.append((edge_part.key, constant(edge_type.name)))
                value = self.aggregate(json_object(edge_pairs), output, in_page)
            elif part.name == "pageInfo":
                value = self.page_info(part, window, cursor, (output, reverse_output), in_page)
            else:
                raise NotCompilableError(f"{connection_type.name}.{part.name}")
            pairs.append((part.key, value))
        # HAVING makes the page's rows one group, so the object is built once, an empty
        # page included, even when nothing selected aggregates them (`pageInfo {
        # hasPreviousPage }` alone is a constant when reading forwards)
        return select(json_object(pairs)).select_from(page).having(true()).scalar_subquery()

    def connection_count(
        self,
        part: Collected,
        connection_type: GraphQLObjectType,
        rows: Rows,
        parent_row: Any | None,
    ) -> ColumnElement[Any]:
        if part.name == "__typename":
            return constant(connection_type.name)
        if part.name == "totalCount":
            return self.count(rows, parent_row)
        raise NotCompilableError(f"{connection_type.name}.{part.name}")

    def count(self, rows: Rows, parent_row: Any | None) -> ColumnElement[Any]:
        """How many rows the whole connection holds (every page, no cursor)."""
        row = aliased(rows.entity.model)
        source, conditions = self.rows(rows, row, None if parent_row is None else parent_row.id)
        counted = select(func.count()).select_from(source).where(*conditions)
        return _under(counted, parent_row).scalar_subquery()

    def aggregate(
        self, value: ColumnElement[Any], output: Any, in_page: ColumnElement[bool]
    ) -> ColumnElement[Any]:
        listed = func.json_agg(aggregate_order_by(value, output), type_=JSON).filter(in_page)
        return func.coalesce(listed, _EMPTY_LIST, type_=JSON)

    def page_info(
        self,
        part: Collected,
        window: _Window,
        cursor: ColumnElement[Any],
        orders: tuple[Any, Any],
        in_page: ColumnElement[bool],
    ) -> ColumnElement[Any]:
        more = func.count() > window.size
        has_next = more if not window.backwards else (true() if window.before else false())
        has_previous = more if window.backwards else (true() if window.after else false())
        info_type = self.object_type("PageInfo")
        pairs = []
        for info in self.selection.collect(info_type, part.selection_sets):
            if info.name == "hasNextPage":
                value: ColumnElement[Any] = has_next
            elif info.name == "hasPreviousPage":
                value = has_previous
            elif info.name in ("startCursor", "endCursor"):
                direction = orders[1] if info.name == "endCursor" else orders[0]
                cursors = func.array_agg(aggregate_order_by(cursor, direction)).filter(in_page)
                value = cursors[1]
            else:
                value = constant("PageInfo")
            pairs.append((info.key, value))
        return json_object(pairs)

    def to_many(
        self, field: Collected, relation: Relation, parent_row: Any, parent_frame: Frame
    ) -> ColumnElement[Any]:
        """Every row of an unpaged relation (participants, causes), in its order."""
        entity = self.entity_of(field)
        rows = Rows(entity, relation, lambda alias: [])
        row = aliased(entity.model)
        source, conditions = self.rows(rows, row, parent_row.id)
        frame = self.list_frame(rows, relation.ordering, parent_frame)
        value = self.object(entity, self.object_type(entity.type_name), row, field, frame)
        key = None if relation.ordering.key is relation.ordering.id else relation.ordering.key
        order = [getattr(row, c.key) for c in (key, relation.ordering.id) if c is not None]
        listed = (
            select(func.json_agg(aggregate_order_by(value, *order), type_=JSON))
            .select_from(source)
            .where(*conditions)
            .correlate(parent_row)
            .scalar_subquery()
        )
        return func.coalesce(listed, _EMPTY_LIST, type_=JSON)

    # -- frames ---------------------------------------------------------------------------

    def frame_columns(self, entity: Entity, alias: Any) -> list[ColumnElement[Any]]:
        """What a frame keeps of each row: its key, and every foreign key a to-one field
        may follow."""
        names = list(entity.key)
        names += [
            d.key for d in entity.fields.values() if isinstance(d, ToOne) and d.key not in names
        ]
        return [getattr(alias, name).label(name) for name in names]

    def frame(self, query: Select[Any], entity: Entity) -> Frame:
        """A frame of the rows `query` selects, each of them reached."""
        cte = self.cte(query)
        ids, column = _REACHED[entity.type_name]
        self.reached[ids].append(select(cte.c[column]))
        return Frame(entity, lambda: cte)

    def cte(self, query: Select[Any]) -> CTE:
        self.frames += 1
        return query.cte(f"frame_{self.frames}")

    def page_frame(self, rows: Rows, window: _Window, parent: Frame | None) -> Frame:
        """The rows of a page (without the look-ahead row), for every parent row."""
        row = aliased(rows.entity.model)
        parent_id = parent.cte.c.id if parent is not None else None
        source, conditions = self.rows(rows, row, parent_id)
        query = (
            select(*self.frame_columns(rows.entity, row))
            .select_from(source)
            .where(*conditions, *window.conditions(row))
            .order_by(*window.order(row))
            .limit(window.size)
        )
        return self.frame(self.under(query, parent), rows.entity)

    def list_frame(self, rows: Rows, ordering: Ordering, parent: Frame) -> Frame:
        row = aliased(rows.entity.model)
        source, conditions = self.rows(rows, row, parent.cte.c.id)
        query = select(*self.frame_columns(rows.entity, row)).select_from(source).where(*conditions)
        return self.frame(self.under(query, parent), rows.entity)

    def under(self, query: Select[Any], parent: Frame | None) -> Select[Any]:
        """`query` for every row of `parent` (a lateral join), or as it is at the root."""
        if parent is None:
            return query
        lateral = query.lateral()
        return select(*lateral.c).select_from(parent.cte).join(lateral, true())

    def to_one_frame(self, parent: Frame, key: str, target: Entity) -> Frame:
        """The rows a to-one field reaches: reached by their ids in the parent's foreign
        key; read from the target's table only if something below needs their columns."""
        ids, column = _REACHED[target.type_name]
        assert column == "id", f"a to-one field reaches {target.type_name} by its own id"
        self.reached[ids].append(select(parent.cte.c[key]).where(parent.cte.c[key].is_not(None)))

        def build() -> CTE:
            row = aliased(target.model)
            referenced = select(parent.cte.c[key])
            query = select(*self.frame_columns(target, row)).where(
                getattr(row, "id").in_(referenced)  # noqa: B009 (models are typed as Base)
            )
            return self.cte(query)

        return Frame(target, build)

    # -- objects -------------------------------------------------------------------------------

    def object(
        self,
        entity: Entity,
        object_type: GraphQLObjectType,
        row: Any,
        field: Collected,
        frame: Frame,
    ) -> ColumnElement[Any]:
        """The object `field` selects of `row` (of `entity`, in `frame`)."""
        pairs = []
        for part in self.selection.collect(object_type, field.selection_sets):
            pairs.append((part.key, self.value(entity, object_type, row, part, frame)))
        return json_object(pairs)

    def value(
        self,
        entity: Entity,
        object_type: GraphQLObjectType,
        row: Any,
        field: Collected,
        frame: Frame,
    ) -> ColumnElement[Any]:
        if field.name == "__typename":
            return constant(object_type.name)
        declared = entity.fields.get(field.name)
        if declared is None:
            raise NotCompilableError(f"{object_type.name}.{field.name} is not declared")
        if isinstance(declared, Column):
            return scalar_value(getattr(row, declared.attribute), declared.scalar)
        if isinstance(declared, GlobalId):
            return global_id(entity.type_name, row.id)
        if isinstance(declared, ToOne):
            return self.to_one(declared, field, row, frame)
        if isinstance(declared, ToMany):
            return self.to_many(field, declared.relation, row, frame)
        if isinstance(declared, Paged):
            order = self.argument(field, "orderBy").now if declared.default_order else None
            order_name = getattr(order, "name", None)
            relation = declared.relation(order_name)
            rows = Rows(
                self.entity_of(field), relation, self.filter_conditions(field, declared.filter)
            )
            return self.connection(field, rows, relation.ordering, relation.name, (row, frame))
        return self.derived(declared, entity, row, field, frame)

    def to_one(
        self, declared: ToOne, field: Collected, row: Any, frame: Frame
    ) -> ColumnElement[Any]:
        target = ENTITIES[declared.target]
        target_row = aliased(target.model)
        target_frame = self.to_one_frame(frame, declared.key, target)
        value = self.object(
            target, self.object_type(target.type_name), target_row, field, target_frame
        )
        target_id = getattr(target_row, "id")  # noqa: B009 (models are typed as Base)
        found = select(value).where(target_id == getattr(row, declared.key)).correlate(row)
        return found.scalar_subquery()

    # -- values built by transforms -----------------------------------------------------

    def derived(
        self, declared: Derived, entity: Entity, row: Any, field: Collected, frame: Frame
    ) -> ColumnElement[Any]:
        kind = declared.kind
        if kind == "sections":
            return self.sections(row, field)
        if kind == "span":
            return self.span(row, field)
        if kind == "source_disclaimer":
            return self.disclaimer(row, row, field, self.shown_sources(frame, "id"))
        if kind == "article_disclaimer":
            return self.article_disclaimer(
                row, field, self.shown_sources(frame, "id", of_articles=True)
            )
        if kind == "claim_disclaimer":
            article = aliased(Article)
            source_frame = self.shown_sources(frame, "article_id", of_articles=True)
            value = self.article_disclaimer(article, field, source_frame)
            found = select(value).where(article.id == row.article_id).correlate(row)
            return found.scalar_subquery()
        if kind == "event_disclaimers":
            return self.event_disclaimers(row, field, frame)
        raise NotCompilableError(f"a derived value {kind!r}")

    def sections(self, row: Any, field: Collected) -> ColumnElement[Any]:
        elements = (
            func.jsonb_array_elements(row.sections)
            .table_valued("value", with_ordinality="ordinality")
            .render_derived()
        )
        element = elements.c.value
        section_type = self.object_type("Section")
        pairs = []
        for part in self.selection.collect(section_type, field.selection_sets):
            if part.name == "__typename":
                value: ColumnElement[Any] = constant("Section")
            elif part.name == "position":
                value = cast(element.op("->>")(constant("position")), BigInteger)
            elif part.name in ("heading", "text"):
                value = element.op("->>")(constant(part.name))
            else:
                raise NotCompilableError(f"Section.{part.name}")
            pairs.append((part.key, value))
        listed = (
            select(
                func.json_agg(
                    aggregate_order_by(json_object(pairs), elements.c.ordinality), type_=JSON
                )
            )
            .select_from(elements)
            .correlate(row)
        )
        return func.coalesce(listed.scalar_subquery(), _EMPTY_LIST, type_=JSON)

    def span(self, row: Any, field: Collected) -> ColumnElement[Any]:
        pairs = []
        for part in self.selection.collect(self.object_type("TextSpan"), field.selection_sets):
            if part.name == "__typename":
                pairs.append((part.key, constant("TextSpan")))
            elif part.name in ("start", "end"):
                pairs.append((part.key, getattr(row, f"span_{part.name}")))
            else:
                raise NotCompilableError(f"TextSpan.{part.name}")
        known = row.span_start.is_not(None) & row.span_end.is_not(None)
        return case((known, json_object(pairs)), else_=null())

    def shown_sources(self, frame: Frame, key: str, *, of_articles: bool = False) -> Frame:
        """The sources whose disclaimer the rows of `frame` show, as `Disclaimer.source`:
        the sources in its `key`, or, `of_articles`, the sources of the articles in its
        `key` (an article shows its own block, else its source's).

        A row that shows no disclaimer reaches nothing below one: the resolvers never
        resolve `source` under a null, so its connections must not add to the rows a
        response reached (an article block there would stand in for a source without
        one in `extensions.disclaimers`). The sources themselves are reached through
        those rows already; the frame is built only if something below needs it.
        """

        def build() -> CTE:
            shown = aliased(Source)
            ids: Select[Any] = select(frame.cte.c[key])
            condition: ColumnElement[bool] = shown.disclaimer_text.is_not(None)
            if of_articles:
                article, publisher = aliased(Article), aliased(Source)
                block = func.coalesce(article.disclaimer_text, publisher.disclaimer_text)
                ids = (
                    select(article.source_id)
                    .join(publisher, publisher.id == article.source_id)
                    .where(article.id.in_(ids), block.is_not(None))
                )
                condition = true()  # an article block stands in for a source without one
            columns = self.frame_columns(ENTITIES["Source"], shown)
            return self.cte(select(*columns).where(shown.id.in_(ids), condition))

        return Frame(ENTITIES["Source"], build)

    def disclaimer_object(
        self,
        heading: Any,
        body: Any,
        source_row: Any,
        field: Collected,
        source_frame: Frame,
    ) -> ColumnElement[Any]:
        pairs = []
        source_type = self.object_type("Source")
        for part in self.selection.collect(self.object_type("Disclaimer"), field.selection_sets):
            if part.name == "__typename":
                value: ColumnElement[Any] = constant("Disclaimer")
            elif part.name == "heading":
                value = heading
            elif part.name == "text":
                value = body
            elif part.name == "source":
                value = self.object(ENTITIES["Source"], source_type, source_row, part, source_frame)
            else:
                raise NotCompilableError(f"Disclaimer.{part.name}")
            pairs.append((part.key, value))
        return json_object(pairs)

    def disclaimer(
        self, source_row: Any, owner: Any, field: Collected, frame: Frame
    ) -> ColumnElement[Any]:
        """A source's own disclaimer (null without text)."""
        value = self.disclaimer_object(
            owner.disclaimer_heading, owner.disclaimer_text, source_row, field, frame
        )
        return case((owner.disclaimer_text.is_(None), null()), else_=value)

    def article_disclaimer(
        self, article: Any, field: Collected, source_frame: Frame
    ) -> ColumnElement[Any]:
        """An article's own disclaimer, else its source's (null when neither has one)."""
        source = aliased(Source)
        own = self.disclaimer_object(
            article.disclaimer_heading, article.disclaimer_text, source, field, source_frame
        )
        publishers = self.disclaimer_object(
            source.disclaimer_heading, source.disclaimer_text, source, field, source_frame
        )
        chosen = case(
            (article.disclaimer_text.is_not(None), own),
            (source.disclaimer_text.is_not(None), publishers),
            else_=null(),
        )
        found = select(chosen).where(source.id == article.source_id).correlate(article)
        return found.scalar_subquery()

    def event_disclaimers(self, event: Any, field: Collected, frame: Frame) -> ColumnElement[Any]:
        """The distinct disclaimers of the articles reporting an event, as the resolver
        path lists them (`db.provenance.event_disclaimers`)."""
        report, article, source = aliased(ArticleEvent), aliased(Article), aliased(Source)
        heading = func.coalesce(article.disclaimer_heading, source.disclaimer_heading)
        body = func.coalesce(article.disclaimer_text, source.disclaimer_text)
        distinct = (
            select(source.id.label("source_id"), heading.label("heading"), body.label("body"))
            .distinct()
            .select_from(report)
            .join(article, article.id == report.article_id)
            .join(source, source.id == article.source_id)
            .where(report.event_id == event.id, body.is_not(None))
            .correlate(event)
            .subquery()
        )
        shown = aliased(Source)
        frame_report, frame_article = aliased(ArticleEvent), aliased(Article)
        frame_source = aliased(Source)
        frame_query = select(*self.frame_columns(ENTITIES["Source"], frame_source)).where(
            frame_source.id.in_(
                select(frame_article.source_id)
                .join(frame_report, frame_report.article_id == frame_article.id)
                .where(
                    frame_report.event_id.in_(select(frame.cte.c.id)),
                    func.coalesce(
                        frame_article.disclaimer_text, frame_source.disclaimer_text
                    ).is_not(None),
                )
            )
        )
        source_frame = self.frame(frame_query, ENTITIES["Source"])
        value = self.disclaimer_object(
            distinct.c.heading, distinct.c.body, shown, field, source_frame
        )
        with_source = select(value).where(shown.id == distinct.c.source_id).scalar_subquery()
        order = (distinct.c.source_id, distinct.c.body, distinct.c.heading)
        listed = select(
            func.json_agg(aggregate_order_by(with_source, *order), type_=JSON)
        ).select_from(distinct)
        return func.coalesce(listed.scalar_subquery(), _EMPTY_LIST, type_=JSON)

    # -- disclaimers ------------------------------------------------------------------------

    def disclaimers(self) -> ColumnElement[Any]:
        """`extensions.disclaimers`: the sources behind every row reached (null when no
        row was reached, as the resolver path leaves the entry out then)."""
        if not self.reached:
            return null()
        lists: dict[str, ColumnElement[Any]] = {}
        for name in REACHED_LISTS:
            queries = self.reached.get(name)
            if not queries:
                lists[name] = _NO_IDS
                continue
            union = union_all(*queries).subquery()
            (only,) = union.c
            aggregated = select(func.array_agg(only)).select_from(union).scalar_subquery()
            lists[name] = func.coalesce(aggregated, _NO_IDS)
        reached = select(*(value.label(name) for name, value in lists.items())).cte("reached_ids")
        behind = (
            text(
                sources_behind_sql(
                    **{name: f"(SELECT {name} FROM reached_ids)::bigint[]" for name in lists}
                )
            )
            .columns(
                column("id", BigInteger),
                column("name", String),
                column("domain", String),
                column("heading", String),
                column("text", String),
            )
            .subquery("behind")
        )
        entry = json_object(
            [
                (
                    "source",
                    json_object(
                        [
                            ("id", global_id("Source", behind.c.id)),
                            ("name", behind.c.name),
                            ("domain", behind.c.domain),
                        ]
                    ),
                ),
                ("heading", behind.c.heading),
                ("text", behind.c.text),
            ]
        )
        listed = select(
            func.json_agg(aggregate_order_by(entry, behind.c.id), type_=JSON)
        ).select_from(behind)
        counts = [func.cardinality(reached.c[name]) for name in lists]
        anything = select(reduce(operator.add, counts) > literal_column("0")).scalar_subquery()
        return case((anything, func.coalesce(listed.scalar_subquery(), _EMPTY_LIST)), else_=null())


def _under(query: Select[Any], parent_row: Any | None) -> Select[Any]:
    """`query` correlated to the parent row it is about (at the root, as it is)."""
    return query if parent_row is None else query.correlate(parent_row)


def plan(
    schema: GraphQLSchema,
    fragments: dict[str, FragmentDefinitionNode],
    operation: OperationDefinitionNode,
    variables: VariableValues,
) -> Plan:
    """The statement answering `operation` for requests shaped like `variables`."""
    compiler = Compiler(schema, fragments, operation, variables)
    return Plan(compiler.statement(), compiler.slots)
