from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kembar.dashboard.backup import BackupError, backup, format_size


class Command(BaseCommand):
    help = (
        "Write the registry (all tables, the places it uses, history, users) and the uploaded files "
        "to one .tar.gz archive with SHA-256 checksums. The rest of the gazetteer comes from "
        "`kembar load-gazetteer`."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="archive to write, e.g. kembar-2025-01-31.tar.gz (replaced if it exists)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bars on stderr")

    def handle(self, *args, file, no_progress, **options):
        try:
            report = backup(file, progress=not no_progress, say=self.stdout.write)
        except BackupError as error:
            raise CommandError(str(error))
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror or error}")
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Backup written to %(path)s: %(rows)d rows, %(files)d media files, %(size)s; "
                    "SHA-256 %(sha256)s; %(seconds).1f s."
                )
                % {
                    "path": report.path,
                    "rows": report.total_rows,
                    "files": report.media_files,
                    "size": format_size(report.size),
                    "sha256": report.sha256,
                    "seconds": report.seconds,
                }
            )
        )
