"""Editing the graph by hand: create, update, merge and delete, one transaction each.

These functions take a session inside a transaction (`db.transactions.write_transaction`
opens it) and row ids; they validate with the document format's own models, so a value
the importer refuses is refused here too, and raise `EditError` naming the input at
fault. The GraphQL mutations are a thin layer over them; Python code can call them too.
"""
