"""The bottom layer: what every app shares and no app owns.

Nothing here imports a kembar app (`make lint` checks it with import-linter): uploads, form
errors, optimistic locking, the reminder framework, abstract models, template components, the
login rate limit's glue. A domain app imports from here; this package never imports back.
"""
