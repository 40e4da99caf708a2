"""Defaults the command line shows in its help, kept apart from the settings machinery.

`newsgraph --help` should not have to load pydantic to print them; `Settings` takes its
defaults for the same fields from here.
"""

from __future__ import annotations

__all__ = ["ENV_PREFIX", "HOST", "PORT"]

ENV_PREFIX = "NEWSGRAPH_"
HOST = "127.0.0.1"
PORT = 8000
