"""`kembar match-eval --train TRAIN.csv --test TEST.csv [--mode warm|cold] [--json]`."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from kembar.matching.evaluation import EvaluationError, evaluate, read_links


class Command(BaseCommand):
    help = "Evaluate partner recommendation on a train/test split of twinning links (issue 6 protocol)."

    def add_arguments(self, parser):
        parser.add_argument("--train", required=True, help="CSV of links the model learns from.")
        parser.add_argument("--test", required=True, help="CSV of links to find again.")
        parser.add_argument("--mode", choices=["warm", "cold"], default="warm")
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")
        parser.add_argument("--baselines", action="store_true", help="Also score the simple rules.")
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args, **options):
        try:
            train_links = read_links(options["train"])
            test_links = read_links(options["test"])
            progress = None
            if not options["json"]:

                def progress(stage, done, total):
                    sys.stderr.write(f"\rlearning ({stage}): {done}/{total} queries")
                    if done == total:
                        sys.stderr.write("\n")

            result = evaluate(
                train_links,
                test_links,
                options["mode"],
                seed=options["seed"],
                baselines=options["baselines"],
                progress=progress,
            )
        except EvaluationError as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {k: result[k] for k in ("hit@10", "hit@50", "mrr", "queries", "ms_median", "ms_p95")}
                    | ({"baselines": result["baselines"]} if "baselines" in result else {})
                )
            )
            return
        self.stdout.write(self._line("model", result))
        for name, figures in result.get("baselines", {}).items():
            self.stdout.write(self._line(name, figures))
        self.stdout.write(
            f"({result['queries']} queries, {options['mode']}; learned in {result['train_seconds']} s; "
            f"shortlist recall {result['shortlist_recall']:.3f})"
        )

    @staticmethod
    def _line(name, r):
        return (
            f"{name:30s} hit@10 {r['hit@10']:.3f}  hit@50 {r['hit@50']:.3f}  MRR {r['mrr']:.3f}  "
            f"queries {r['queries']}  ms median {r['ms_median']:.1f}  p95 {r['ms_p95']:.1f}"
        )
