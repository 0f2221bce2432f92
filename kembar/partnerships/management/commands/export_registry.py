from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kembar.partnerships import opendata


class Command(BaseCommand):
    help = (
        "Write the registry's public partnerships as open data: CSV, GeoJSON or a Frictionless data "
        "package (a zip with datapackage.json, partnerships.csv and governments.csv). With --publish, "
        "all three into MEDIA_ROOT/opendata/, where the open data page serves them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=opendata.FORMATS, default="csv")
        parser.add_argument("--output", help="file to write (replaced whole); required unless --publish")
        parser.add_argument("--publish", action="store_true", help="write all formats for the open data page")

    def handle(self, *args, **options):
        if options["publish"]:
            published = opendata.publish()
            self.stdout.write(f"{published.partnerships} public partnerships published to {opendata.published_dir()}")
            return
        if not options["output"]:
            raise CommandError("Give --output PATH (or --publish).")
        path = Path(options["output"])
        if path.is_dir():
            raise CommandError(f"{path} is a folder; give a file name.")
        try:
            count = opendata.write(options["format"], path)
        except OSError as error:
            raise CommandError(f"Cannot write {path}: {error.strerror or error}") from error
        self.stdout.write(f"{count} public partnerships written to {path} ({options['format']})")
