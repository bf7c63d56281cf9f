"""Command line: ``python -m service`` / ``storyline`` (serve, ingest, stats, eval, models, bench)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from service.benchmarks.config import PHASES
from service.config import Settings
from service.datadir_lock import DataDirectoryInUse, DataDirectoryLock
from service.embedding import EmbedderConfigError, check_embedder_settings
from service.file_ingest import ingest_all, numbered
from service.migrations import SchemaTooNew, check_database


def _settings(args: argparse.Namespace, **overrides: Any) -> Settings:
    values: dict[str, Any] = dict(overrides)
    if getattr(args, "data_dir", None):
        values["data_dir"] = Path(args.data_dir)
    return Settings(**values)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from service.app import create_app

    overrides: dict[str, Any] = {}
    if args.host:
        overrides["host"] = args.host
    if args.port:
        overrides["port"] = args.port
    if args.seeds is not None:
        overrides["load_seeds"] = args.seeds
    settings = _settings(args, **overrides)
    try:
        check_embedder_settings(settings)  # clear errors now rather than a failed start-up
        DataDirectoryLock.check(settings.data_dir)
        check_database(settings.database_path)
    except (DataDirectoryInUse, EmbedderConfigError, SchemaTooNew) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level=args.log_level)
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    paths = [Path(p) for p in args.paths]
    if missing := [str(p) for p in paths if not p.exists()]:
        print(f"error: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    return ingest_all(_settings(args), numbered(paths), args.batch_size, args.quiet)


def cmd_reindex(args: argparse.Namespace) -> int:
    from service.reindex import ReindexError, stored_articles

    settings = _settings(args)
    try:
        articles = stored_articles(Path(args.source), settings)
    except ReindexError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    numbered_articles = ((f"stored article {n}", a) for n, a in enumerate(articles, 1))
    return ingest_all(settings, numbered_articles, args.batch_size, args.quiet, rendered=True)


def cmd_settings(args: argparse.Namespace) -> int:
    from service.config import environment_variables

    for variable, default, description in environment_variables():
        print(f"{variable}={default}\n    {description}")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from service.store import Store

    settings = _settings(args)
    if not settings.database_path.exists():
        print(
            f"error: no database at {settings.database_path}; ingest first or pass --data-dir",
            file=sys.stderr,
        )
        return 2
    # a report changes nothing, not even an old schema
    store = Store(settings.database_path).open(upgrade=False)
    try:
        conn = store.reader()
        stats: dict[str, Any] = {
            "articles": store.count_articles(),
            "stories": store.count_clusters(),
            "duplicates": dict(
                conn.execute(
                    "SELECT dup_type, COUNT(*) FROM articles WHERE dup_type IS NOT NULL GROUP BY dup_type"
                ).fetchall()
            ),
            "languages": dict(
                conn.execute(
                    "SELECT language, COUNT(*) FROM articles GROUP BY language ORDER BY 2 DESC"
                ).fetchall()
            ),
            "sources": dict(
                conn.execute(
                    "SELECT source, COUNT(*) FROM articles GROUP BY source ORDER BY 2 DESC LIMIT 20"
                ).fetchall()
            ),
            "phases": dict(
                conn.execute("SELECT phase, COUNT(*) FROM articles GROUP BY phase ORDER BY 2 DESC").fetchall()
            ),
            "merges": conn.execute("SELECT COUNT(*) FROM cluster_merges").fetchone()[0],
        }
    finally:
        store.close()
    print(json.dumps(stats, ensure_ascii=False, indent=2))
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    import tempfile

    data_dir = args.data_dir or tempfile.mkdtemp(prefix="storyline-eval-")
    settings = _settings(args, data_dir=Path(data_dir))
    if args.what == "duplicates":
        from service.evaluation.duplicates import evaluate_duplicates, format_duplicate_report

        report = evaluate_duplicates(Path(args.pairs), Path(args.corpus), settings, scope=args.scope)
        print(format_duplicate_report(report))
    elif args.what == "quotes":
        from service.evaluation.quotes import evaluate_quotes, format_quote_report

        report = evaluate_quotes(Path(args.corpus), settings)
        print(format_quote_report(report))
    else:
        from service.evaluation.stories import evaluate_stories, format_story_report

        keep = Path(args.data_dir) if args.data_dir else None
        report = evaluate_stories(Path(args.labels), Path(args.corpus), settings, data_dir=keep)
        print(format_story_report(report))
    if args.json:
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    return 0


def cmd_models(args: argparse.Namespace) -> int:
    from service.model_import import import_model

    return import_model(args.source, Path(args.models_dir), args.name, args.force)


def cmd_bench(args: argparse.Namespace) -> int:
    from service.bench import run_bench

    return run_bench(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="storyline", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--data-dir")
    serve.add_argument(
        "--seeds",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="ingest the seed articles at startup",
    )
    serve.add_argument("--log-level", default="info")
    serve.set_defaults(func=cmd_serve)

    ingest = sub.add_parser("ingest", help="ingest files into the data directory (no server needed)")
    ingest.add_argument("paths", nargs="+", help=".json, .jsonl, SaudiNewsNet .zip, or a folder")
    ingest.add_argument("--data-dir")
    ingest.add_argument("--batch-size", type=int, default=200)
    ingest.add_argument("--quiet", action="store_true", help="no progress bar")
    ingest.set_defaults(func=cmd_ingest)

    reindex = sub.add_parser(
        "reindex", help="copy a data directory's articles into a new one (e.g. for another embedder)"
    )
    reindex.add_argument("source", help="the old data directory (only read)")
    reindex.add_argument("--data-dir", required=True, help="the new data directory")
    reindex.add_argument("--batch-size", type=int, default=200)
    reindex.add_argument("--quiet", action="store_true", help="no progress bar")
    reindex.set_defaults(func=cmd_reindex)

    sub.add_parser("settings", help="every setting: its variable, default and meaning").set_defaults(
        func=cmd_settings
    )

    stats = sub.add_parser("stats", help="counts of the data directory")
    stats.add_argument("--data-dir")
    stats.set_defaults(func=cmd_stats)

    evaluate = sub.add_parser("eval", help="score the pipeline against labels (quotes: made-up drafts)")
    evaluate.add_argument("what", choices=["duplicates", "stories", "quotes"])
    evaluate.add_argument("--pairs", help="labelled pairs CSV (eval duplicates)")
    evaluate.add_argument("--labels", help="labelled stories CSV (eval stories)")
    evaluate.add_argument("--corpus", required=True, help="corpus path (e.g. SaudiNewsNet folder)")
    evaluate.add_argument(
        "--data-dir",
        help="where to build the evaluation store (default: a temp dir); eval quotes also reads one "
        "that `eval stories --data-dir` built",
    )
    evaluate.add_argument("--json", help="also write the report as JSON here")
    evaluate.add_argument(
        "--scope",
        choices=["pairs", "corpus"],
        default="pairs",
        help="eval duplicates: stream only the articles the pairs touch, or the whole corpus",
    )
    evaluate.set_defaults(func=cmd_eval)

    models = sub.add_parser("models", help="manage local embedding models")
    models_sub = models.add_subparsers(dest="action", required=True)
    model_import = models_sub.add_parser("import", help="place a model under models/")
    model_import.add_argument("source", help="a model directory, an installed model package, or a model name")
    model_import.add_argument("--models-dir", default="models")
    model_import.add_argument("--name", help="folder name under models/ (default: from the source)")
    model_import.add_argument("--force", action="store_true", help="replace another model of that name")
    model_import.set_defaults(func=cmd_models)

    bench = sub.add_parser("bench", help="measure throughput, latency and memory; write BENCHMARKS.md")
    bench.add_argument("--smoke", action="store_true", help="a few hundred articles, checks every figure")
    bench.add_argument("--corpus", default="../shared/data/saudinewsnet")
    bench.add_argument("--output", default="BENCHMARKS.md")
    bench.add_argument("--repeats", type=int, default=3)
    bench.add_argument("--max-scale", type=int, default=100_000, help="e.g. 1000000 adds a (long) run at it")
    bench.add_argument("--window", type=int, help="articles per throughput repeat (default 1000)")
    bench.add_argument("--readers", type=int, help="reader threads in the latency test (default 4)")
    bench.add_argument("--latency-seconds", type=float, help="length of one latency repeat (default 20)")
    bench.add_argument("--st-texts", type=int, help="texts for the sentence-transformers figure; 0 skips")
    bench.add_argument("--st-model", help="sentence-transformers model dir (default: installed MiniLM)")
    bench.add_argument("--workdir", help="where the data directories go (default: a new temp dir)")
    bench.add_argument("--no-profile", action="store_true", help="skip the cProfile hot-spot window")
    bench.add_argument(
        "--scales", help="comma-separated stored-article counts to measure at (e.g. 100000; default 10k,100k)"
    )
    bench.add_argument("--skip", help="comma-separated phases to leave out: " + ", ".join(PHASES))
    bench.set_defaults(func=cmd_bench)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    import logging

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # faiss logs each CPU build it tries and fails to load ("Could not load library with AVX512
    # support ... ModuleNotFoundError") at INFO on every start: normal, but it reads like an error.
    logging.getLogger("faiss.loader").setLevel(logging.WARNING)
    args = build_parser().parse_args(argv)
    needs = {"duplicates": args.pairs, "stories": args.labels} if args.command == "eval" else {}
    if args.command == "eval" and args.what in needs and not needs[args.what]:
        print(
            f"error: eval {args.what} needs --{'pairs' if args.what == 'duplicates' else 'labels'}",
            file=sys.stderr,
        )
        return 2
    try:
        return int(args.func(args))
    except SchemaTooNew as exc:  # any command that opens the data directory
        print(f"error: {exc}", file=sys.stderr)
        return 2
