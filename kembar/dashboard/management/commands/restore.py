from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kembar.dashboard.backup import BackupError, restore, verify
from kembar.gazetteer.models import PlaceTrait


class Command(BaseCommand):
    help = (
        "Restore a registry written by `kembar backup`: checks every checksum first, then loads "
        "all rows in one transaction and puts the uploaded files back. Refuses a registry that "
        "holds data unless --force (which replaces it)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="archive written by `kembar backup`")
        parser.add_argument("--force", action="store_true", help="replace the registry even if it holds data")
        parser.add_argument(
            "--check", action="store_true", help="only check the archive's checksums and format; write nothing"
        )
        parser.add_argument(
            "--trust-unsigned",
            action="store_true",
            help="accept an archive without this installation's signature (one written before backups "
            "were signed, or with another KEMBAR_BACKUP_KEY); only for archives you know",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bars on stderr")

    def handle(self, *args, file, force, check, trust_unsigned, no_progress, **options):
        try:
            if check:
                manifest = verify(file, progress=not no_progress, trust_unsigned=trust_unsigned)
                self.stdout.write(
                    self.style.SUCCESS(
                        _("%(path)s is intact: backup of %(created)s, %(rows)d rows, %(files)d media files.")
                        % {
                            "path": file,
                            "created": manifest.get("created"),
                            "rows": sum(manifest["rows"].values()),
                            "files": manifest.get("media", {}).get("files", 0),
                        }
                    )
                )
                return
            report = restore(
                file, force=force, trust_unsigned=trust_unsigned, progress=not no_progress, say=self.stdout.write
            )
        except BackupError as error:
            raise CommandError(str(error))
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror or error}")
        for label, count in sorted(report.rows.items()):
            if not label.startswith("gazetteer."):  # places: the line below
                self.stdout.write(f"  {label}: {count}")
        if report.replaced:
            self.stdout.write(_("The registry that was there before has been replaced."))
        self.stdout.write(
            _("Places: %(matched)d found in this gazetteer, %(created)d created.")
            % {"matched": report.places_matched, "created": report.places_created}
        )
        if not report.gazetteer_loaded:
            self.stdout.write(
                self.style.WARNING(
                    _("The gazetteer is not loaded: run “kembar load-gazetteer” so that search finds every place.")
                )
            )
        elif not PlaceTrait.objects.exists():
            self.stdout.write(
                self.style.WARNING(
                    _("The backup holds no traits from data: run “kembar load-traits” to give the places theirs.")
                )
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("Restored %(rows)d rows and %(files)d media files from %(path)s; %(seconds).1f s.")
                % {"rows": report.total_rows, "files": report.media_files, "path": file, "seconds": report.seconds}
            )
        )
