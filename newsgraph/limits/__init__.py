"""Abuse limits: what one document may ask for, and how much one client may ask per minute.

Everything here runs before any SQL: on the parsed document (`shape`), on the document
with its variables (`cost`), and on the caller's budget (`rate`).
"""
