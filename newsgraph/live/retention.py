"""Keeps the change log to its retention: every server process prunes it once a minute,
whether or not anything subscribes there (writes log changes all the same).

Processes take turns without talking to each other: `log.prune` skips a round that
another process is running.
"""

from __future__ import annotations

import asyncio
import logging

from newsgraph.background import Background
from newsgraph.db.driver import connect
from newsgraph.live import log

__all__ = ["Pruner"]

logger = logging.getLogger("newsgraph.live")

PRUNE_EVERY_S = 60.0


class Pruner:
    """Prunes the change log of the database at `url` in the background."""

    def __init__(self, url: str, retention: float) -> None:
        self.url = url
        self.retention = retention
        self._background = Background("newsgraph change log pruning")

    def start(self) -> None:
        """Prune every `PRUNE_EVERY_S`, the first time one interval from now."""
        self._background.start(self._run)

    async def stop(self) -> None:
        """Stop pruning."""
        await self._background.stop()

    async def prune(self) -> int:
        """One round: how many changes went."""
        connection = await connect(self.url, application_name="newsgraph pruning")
        try:
            return await log.prune(connection, self.retention)
        finally:
            await connection.close()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(PRUNE_EVERY_S)
            try:
                pruned = await self.prune()
            except Exception as exc:
                logger.warning("change log not pruned (%s)", type(exc).__name__)
            else:
                if pruned:
                    logger.info("change log pruned", extra={"changes": pruned})
