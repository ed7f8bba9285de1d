"""manage.py load_benchmark_data: benchmark data only (see benchmarks/generate.py)."""

import json

from django.core.management.base import BaseCommand

from benchmarks.generate import generate


class Command(BaseCommand):
    help = "Benchmark data: N decision notices in every state (bypasses the publishing guards)."

    def add_arguments(self, parser):
        parser.add_argument("--notices", type=int, default=10_000)
        parser.add_argument("--seed", type=int, default=20261125)
        parser.add_argument(
            "--add-child",
            type=int,
            default=300,
            help="notices written through add_child (timed for comparison)",
        )
        parser.add_argument(
            "--scheduled",
            type=int,
            default=30,
            help="notices published through publish() with a future start date",
        )
        parser.add_argument("--summary", help="write the summary (JSON) to this file")

    def handle(self, *args, notices, seed, add_child, scheduled, summary, **options):
        result = generate(notices, seed, add_child, scheduled)
        text = json.dumps(result, ensure_ascii=False, indent=1)
        if summary:
            with open(summary, "w", encoding="utf-8") as out:
                out.write(text)
        self.stdout.write(text)
