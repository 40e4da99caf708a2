"""Run a GraphQL query in-process, on a session of your own."""

import asyncio
import json
import os

import newsgraph
from newsgraph.db.engine import make_engine, make_sessionmaker

QUERY = """{
  articles(first: 1) {
    nodes { title source { name } disclaimer { heading text } }
  }
}"""


async def main() -> None:
    engine = make_engine(os.environ["NEWSGRAPH_DATABASE_URL"])
    async with make_sessionmaker(engine)() as session:
        result = await newsgraph.schema.execute(
            QUERY, context_value=newsgraph.build_context(session)
        )
    await engine.dispose()
    print(json.dumps({"data": result.data, "extensions": result.extensions}, indent=2))


asyncio.run(main())
