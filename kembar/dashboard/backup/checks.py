"""Checks before a backup or a restore: the database is migrated, and the archive needs no
migration or table this kembar lacks.
"""

from __future__ import annotations

from collections import defaultdict

from django.apps import apps
from django.db import DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.utils.translation import gettext as _

from .archive import BackupError
from .registry import _model


def _check_migrated(using) -> None:
    connection = connections[using]
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as error:
        raise BackupError(_("The database cannot be read: %(error)s") % {"error": error})
    if plan:
        raise BackupError(
            _("The database is not migrated (%(count)d migrations pending); run “kembar migrate” first.")
            % {"count": len(plan)}
        )


def _applied_migrations(using) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = defaultdict(list)
    for app, name in sorted(MigrationRecorder(connections[using]).applied_migrations()):
        applied[app].append(name)
    return dict(applied)


def _check_compatible(manifest: dict, using) -> None:
    _check_migrated(using)
    applied = {(app, name) for app, names in _applied_migrations(using).items() for name in names}
    archived = {(app, name) for app, names in manifest.get("migrations", {}).items() for name in names}
    installed = {config.label for config in apps.get_app_configs()}
    newer = sorted(f"{app}.{name}" for app, name in archived - applied if app in installed)
    if newer:
        raise BackupError(
            _(
                "The backup comes from a newer kembar (migrations %(names)s are unknown here); "
                "upgrade kembar and run “kembar migrate” first."
            )
            % {"names": ", ".join(newer[:5])}
        )
    unknown = sorted(label for label in manifest["rows"] if _model(label) is None)
    if unknown:
        raise BackupError(
            _("The backup holds tables this kembar does not have: %(names)s.") % {"names": ", ".join(unknown)}
        )
