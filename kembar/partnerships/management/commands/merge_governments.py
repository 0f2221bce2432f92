import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from kembar.gazetteer.models import Place
from kembar.partnerships import merge
from kembar.partnerships.services import GovernmentLookupError, resolve_government


class Command(BaseCommand):
    help = (
        "Merge a duplicate government into another (KEEP DROP, each NAME,CC), or an unverified place into "
        "a gazetteer place (--place ID --into ID), in one transaction; --candidates lists what looks "
        "duplicated. --preview shows what would move and changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("keep", nargs="?", help="the government that stays, NAME,CC")
        parser.add_argument("drop", nargs="?", help="the duplicate merged into it, NAME,CC")
        parser.add_argument("--place", type=int, help="id of an unverified place to merge")
        parser.add_argument("--into", type=int, help="id of the gazetteer place it is")
        parser.add_argument("--candidates", action="store_true", help="list candidate duplicates")
        parser.add_argument("--preview", action="store_true", help="show what would move; change nothing")
        parser.add_argument("--json", action="store_true", help="one JSON object on the last line")

    def handle(self, *args, **o):
        if o["candidates"]:
            self._candidates(o["json"])
            return
        try:
            if o["place"] or o["into"]:
                if not (o["place"] and o["into"]):
                    raise CommandError("Give both --place and --into.")
                report = merge.merge_place(self._place(o["place"]), self._place(o["into"]), preview=o["preview"])
            elif o["keep"] and o["drop"]:
                keep, drop = self._government(o["keep"]), self._government(o["drop"])
                report = merge.merge_governments(keep, drop, preview=o["preview"])
            else:
                raise CommandError("Give KEEP and DROP, or --place and --into, or --candidates.")
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        verb = "would merge" if o["preview"] else "merged"
        if o["json"]:
            self.stdout.write(json.dumps({"kept": report.kept, "dropped": report.dropped, "moved": report.moved}))
            return
        self.stdout.write(f"{verb} {report.dropped} into {report.kept}")
        for what, count in report.moved.items():
            self.stdout.write(f"  {count} {what}")

    def _government(self, text):
        try:
            return resolve_government(text)
        except GovernmentLookupError as error:
            raise CommandError(str(error)) from error

    def _place(self, pk):
        try:
            return Place.objects.get(pk=pk)
        except Place.DoesNotExist:
            raise CommandError(f"No place with id {pk}.") from None

    def _candidates(self, as_json: bool):
        found = merge.candidates()
        rows = [
            {
                "kind": c.kind,
                "keep": {"id": c.keep.pk, "name": str(c.keep)},
                "drop": {"id": c.drop.pk, "name": str(c.drop)},
                "distance_km": c.distance_km,
            }
            for c in found
        ]
        if as_json:
            self.stdout.write(json.dumps({"candidates": rows}))
            return
        for r in rows:
            km = "?" if r["distance_km"] is None else r["distance_km"]
            self.stdout.write(
                f"{r['kind']}: {r['drop']['name']} (#{r['drop']['id']}) → {r['keep']['name']} (#{r['keep']['id']}), {km} km"
            )
        self.stdout.write(f"{len(rows)} candidates")
