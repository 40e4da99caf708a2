"""Live updates: the change log's listener and the subscriptions it feeds.

`feed` holds the one LISTEN connection of a process and fans changes out; `streams`
turns them into a subscription's messages (resuming after a cursor); `log` and `rows`
read the change log (migration 0008) and the rows behind it; `positions` names a place
in the log as a cursor. The transports live in `newsgraph.http.live`, the schema's
`Subscription` type in `newsgraph.schema.subscription`.
"""
