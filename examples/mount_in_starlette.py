"""Mount newsgraph inside your own Starlette (or FastAPI) app, under /news.

Serve it with `uvicorn examples.mount_in_starlette:app`; run this file to send it one
request in-process.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from starlette.applications import Starlette
from starlette.routing import Mount

import newsgraph

news = newsgraph.create_app(newsgraph.Settings())


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    # Mounted apps do not get lifespan events: run newsgraph's inside yours, so its
    # database connections (and an embedded PostgreSQL it started) close on shutdown.
    async with news.router.lifespan_context(news):
        yield


app = Starlette(routes=[Mount("/news", app=news)], lifespan=lifespan)


async def main() -> None:
    async with lifespan(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://local") as client:
            response = await client.post(
                "/news/graphql", json={"query": "{ articles { totalCount } }"}
            )
    print(response.status_code, response.json()["data"])


if __name__ == "__main__":
    asyncio.run(main())
