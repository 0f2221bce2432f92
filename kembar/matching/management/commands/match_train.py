"""`kembar match-train`: learn the matchmaking model from the registry and save it."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kembar.matching import services


class Command(BaseCommand):
    help = "Build the partner matchmaking model from the registry's partnerships and save it."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args, **options):
        started = time.perf_counter()

        def progress(message):
            self.stderr.write(message)

        try:
            model = services.build_model(progress=progress, seed=options["seed"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        path = services.save_model(model)
        self.stdout.write(
            _("Model saved to %(path)s: %(links)d partnerships, %(places)d places, %(s).1f s.")
            % {
                "path": path,
                "links": model.training_links,
                "places": len(model.net.nodes),
                "s": time.perf_counter() - started,
            }
        )
