"""Backup and restore of a whole registry: database rows and uploaded files, in one archive.

`kembar backup FILE` and `kembar restore FILE` call `backup()` and `restore()`, exported here:

- archive.py: the archive's members and manifest, checksums, safe member names, `verify()`;
- registry.py: which models a backup holds and in what order, `registry_rows()`,
  `clear_registry()`;
- checks.py: the database is migrated and the archive needs nothing this kembar lacks;
- dump.py: `backup()`;
- load.py: `restore()`.

The archive
-----------
A gzip-compressed tar file with these members, in this order:

- ``data.jsonl``: one JSON object per line, ``{"model": "app.model", "pk": ..., "fields": {...}}``,
  written by Django's own serializer (the format of ``dumpdata``), so the file is independent
  of the database: a backup taken on SQLite restores on PostgreSQL and the other way round.
  Datetimes keep their microseconds (``dumpdata`` drops them), so history entries compare
  equal after a round trip. Lines are grouped by model; the gazetteer's lines come first.
- ``media/<path>``: every regular file under MEDIA_ROOT (symbolic links are skipped).
- ``manifest.json``, because it holds the SHA-256 and size of every other member:
  format name and version, creation time (UTC), kembar and Django versions, the database
  vendor, the applied migrations, and the row count of every model.
- ``manifest.sig``, last: the HMAC-SHA256 of the manifest's bytes under the backup key
  (KEMBAR_BACKUP_KEY, else SECRET_KEY), which never goes into the archive. The checksums prove
  the members match the manifest; the signature proves an installation holding the key wrote
  the manifest, so an archive edited consistently (an added administrator) is refused. Restore
  refuses an unsigned or wrongly signed archive unless told ``trust_unsigned``
  (``--trust-unsigned``).

Restore reads the archive twice. The first pass only checks: every member is one the
manifest lists, with its size and SHA-256; member names are plain relative paths (no
``..``, no absolute paths, no links or devices); the format version is one this code knows;
the archive needs no migration the target database lacks. Nothing is written before that
pass succeeds. The second pass loads the rows inside one transaction (and re-checks the data
hash and the row counts before committing) and writes the media files into a staging
directory inside MEDIA_ROOT; only after the transaction commits are they moved into place,
one atomic rename each. Any error rolls the database back and removes the staging directory.

What is in it, and what is not
------------------------------
Every installed model's rows, including django-simple-history's Historical* tables, users
with their password hashes, groups, organisations, memberships, API token digests and the
admin log. Left out: content types and permissions (``migrate`` creates them; references to
them are written as natural keys, as ``dumpdata --natural-foreign`` does) and sessions
(everyone logs in again after a restore; a replacing restore also ends all sessions, so a
cookie of the old registry cannot outlive it).

Places
------
The gazetteer (about 175,000 places and 740,000 names) is reference data that
``kembar load-gazetteer`` rebuilds from the GeoNames and ISO 3166-2 packages; pushing it
through Django's serializer would make every backup slow and large. A place's primary key,
however, is local to a database: the same GeoNames town gets different ids on two machines,
and LocalGovernment.place (and its history) refer to places by id. So the backup holds only:

- every unverified place (created by imports; they exist nowhere else), and
- every place that any backed-up row refers to (a government, a history entry),

each with all its names. Restore maps each of these to the target database by its natural
key: a GeoNames place by ``geonameid``, a subdivision by ``subdivision_code``. A place the
target already has is reused as it is (the target's gazetteer wins); one it lacks is created
with its names, and unverified places are always created. Every foreign key to Place in the
restored rows is then rewritten to the new ids. A history entry that pointed at a place that
no longer existed when the backup was taken gets an empty place, rather than a foreign id
that would name some unrelated place.

Hence restoring works with or without a loaded gazetteer; run ``kembar load-gazetteer``
before (or after: it is idempotent and keeps the restored places) so search finds every
place again. A backup of a registry with the full gazetteer and the 25,000 imported
Wikipedia pairs takes seconds, not the minutes that dumping the gazetteer would.

Restoring into a registry that already holds data
-------------------------------------------------
Refused unless ``force=True`` (``--force``): then every backed-up table is emptied, with the
unverified places, and refilled, all in the same transaction. Rows that migrations seed
(the fields of cooperation) do not make a registry "non-empty". Files in MEDIA_ROOT that the
archive does not contain are left where they are (uploads are never deleted by a restore);
files with the same name are replaced. On PostgreSQL the id sequences are reset afterwards,
as ``sqlsequencereset`` would.

The backup reads the database inside one transaction (REPEATABLE READ on PostgreSQL), so the
rows are a consistent snapshot even while officers keep working; media files are read as
they are at that moment.
"""

from .archive import (
    DATA_MEMBER,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST_MEMBER,
    MEDIA_PREFIX,
    SIGNATURE_MEMBER,
    STAGING_PREFIX,
    BackupError,
    format_size,
    manifest_signature,
    safe_media_name,
    verify,
)
from .dump import BackupReport, backup
from .load import RestoreReport, restore
from .registry import clear_registry, registry_models, registry_rows

__all__ = [
    "DATA_MEMBER",
    "FORMAT",
    "FORMAT_VERSION",
    "MANIFEST_MEMBER",
    "MEDIA_PREFIX",
    "SIGNATURE_MEMBER",
    "STAGING_PREFIX",
    "BackupError",
    "BackupReport",
    "RestoreReport",
    "backup",
    "clear_registry",
    "format_size",
    "manifest_signature",
    "registry_models",
    "registry_rows",
    "restore",
    "safe_media_name",
    "verify",
]
