"""Command line: `aligncat graph`, queries over the citation / evolution graph (lineage, path, rank, evolution, stats)."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

import click

from ..model import KINDS
from .options import catalog_option

CATALOG_OPTION = catalog_option(dest="catalog_dir", default=None)  # None: the group's -C, else ./catalog
JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON, for tools.")


def _type_option(default_help: str):
    return click.option(
        "--type",
        "types",
        multiple=True,
        metavar="TYPE",
        help=f"Only relations of this type (repeatable); default: {default_help}.",
    )


def _load(ctx: click.Context, catalog_dir: Path | None):
    """The catalog and its graph. An invalid catalog still gives a graph (relations to missing records are left
    out), with a note on stderr, so the graph can be explored while records are being written."""
    from ..cli import load_or_exit
    from ..graph import build_graph

    folder = catalog_dir or (ctx.obj or {}).get("catalog_dir") or Path("catalog")
    if not folder.is_dir():
        raise click.UsageError(
            f"no catalog folder '{folder}': give the folder that holds catalog.yaml with -C/--catalog"
        )
    cat = load_or_exit(folder, allow_invalid=True)
    if cat.errors:
        click.echo(
            f"note: the catalog has {len(cat.errors)} errors (see `aligncat validate {folder}`); "
            "relations to missing records are left out",
            err=True,
        )
    return cat, build_graph(cat)


def _check_types(types: tuple[str, ...]) -> tuple[str, ...] | None:
    from ..rules import did_you_mean
    from ..model import RELATION_TYPES

    for t in types:
        if t not in RELATION_TYPES:
            hint = did_you_mean(t, RELATION_TYPES) or "choose one of: " + ", ".join(RELATION_TYPES)
            raise click.BadParameter(f"no relation type '{t}'; {hint}", param_hint="--type")
    return types or None


def _known(g, *ids: str) -> None:
    from ..graph import UnknownRecord

    for i in ids:
        if i not in g:
            raise click.BadParameter(str(UnknownRecord(i, g.nodes)), param_hint="record id")


def _name(g, rid: str) -> str:
    node = g.nodes[rid]
    return f"{rid} ({node['year']})"


def _print_stats(cat, g, as_json: bool) -> None:
    from ..graph import evolution, graph_stats

    s = graph_stats(g)
    evo = evolution(cat, g)
    if as_json:
        data = asdict(s)
        data["level_transitions"] = [
            {"from": a, "to": b, "relations": n} for (a, b), n in sorted(evo.transitions.items())
        ]
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(f"{cat.info.title}: citation graph")
    rows = [
        ("records (nodes)", s.records),
        ("relations (edges)", s.relations),
        ("records with no relation", s.isolated),
        ("connected parts", s.components),
        ("largest connected part", s.largest_component),
        ("longest chain of ordered relations", f"{s.longest_chain} records"),
        ("ordered relations acyclic", "yes" if s.ordered_acyclic else "NO (see `aligncat validate`)"),
        ("density", f"{s.density:.4f}"),
    ]
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        click.echo(f"  {k:<{width}}  {v}")
    click.echo("\nrelations by type")
    for t, n in s.by_type.items():
        click.echo(f"  {t:<16} {n:>5}")
    click.echo("\nrecords by kind")
    for k, n in s.by_kind.items():
        click.echo(f"  {k:<16} {n:>5}")
    click.echo("\nmost cited (relations pointing at the record)")
    for rid, n in s.top_cited:
        click.echo(f"  {n:>4}  {_name(g, rid)}")
    if evo.transitions:
        click.echo("\nordered relations across goal levels (earlier work's level -> later work's level)")
        for (a, b), n in sorted(
            evo.transitions.items(), key=lambda kv: (evo.levels.index(kv[0][0]), evo.levels.index(kv[0][1]))
        ):
            click.echo(f"  {a} -> {b}: {n}")


def register(group: click.Group) -> None:
    @group.group("graph", invoke_without_command=True)
    @CATALOG_OPTION
    @click.option("--stats", is_flag=True, help="Print summary figures of the graph (same as `graph stats`).")
    @JSON_OPTION
    @click.pass_context
    def graph(ctx: click.Context, catalog_dir: Path | None, stats: bool, as_json: bool) -> None:
        """Explore the citation / evolution graph: lineage, paths, influence, evolution across goal levels.

        \b
        Examples:
          aligncat graph --stats
          aligncat graph lineage ouyang2022-instructgpt
          aligncat graph path wang2022-self-instruct sun2023-salmon
          aligncat graph rank --top 10
          aligncat graph evolution
        """
        ctx.obj = {"catalog_dir": catalog_dir}
        if stats:
            cat, g = _load(ctx, catalog_dir)
            _print_stats(cat, g, as_json)
        elif ctx.invoked_subcommand is None:
            click.echo(ctx.get_help())

    @graph.command("stats")
    @CATALOG_OPTION
    @JSON_OPTION
    @click.pass_context
    def stats_cmd(ctx: click.Context, catalog_dir: Path | None, as_json: bool) -> None:
        """Summary figures: records, relations by type, connected parts, most cited, goal-level transitions."""
        cat, g = _load(ctx, catalog_dir)
        _print_stats(cat, g, as_json)

    @graph.command("lineage")
    @click.argument("record_id")
    @CATALOG_OPTION
    @_type_option("builds_on, extends, derived_from")
    @click.option("--depth", type=click.IntRange(min=1), help="Stop this many relations away.")
    @JSON_OPTION
    @click.pass_context
    def lineage_cmd(ctx, record_id: str, catalog_dir, types, depth, as_json) -> None:
        """Ancestors (what RECORD_ID builds on) and descendants (what builds on it), transitively."""
        from ..graph import lineage

        cat, g = _load(ctx, catalog_dir)
        _known(g, record_id)
        lin = lineage(g, record_id, _check_types(types), depth)
        if as_json:
            click.echo(json.dumps(asdict(lin), indent=2))
            return
        click.echo(f"{_name(g, record_id)}: {g.nodes[record_id]['title']}")
        click.echo(f"following: {', '.join(lin.types)}")
        for title, steps in (
            ("ancestors (earlier works it builds on)", lin.ancestors),
            ("descendants (later works that build on it)", lin.descendants),
        ):
            click.echo(f"\n{title}: {len(steps)}")
            for s in steps:
                click.echo(f"  {'  ' * (s.depth - 1)}{_name(g, s.id)}  [{s.type}, via {s.via}]")

    @graph.command("path")
    @click.argument("start")
    @click.argument("end")
    @CATALOG_OPTION
    @_type_option("every type")
    @click.option("--directed", is_flag=True, help="Only follow relations from the record that states them.")
    @JSON_OPTION
    @click.pass_context
    def path_cmd(ctx, start: str, end: str, catalog_dir, types, directed: bool, as_json: bool) -> None:
        """The shortest chain of relations between START and END (either direction unless --directed)."""
        from ..graph import shortest_path

        cat, g = _load(ctx, catalog_dir)
        _known(g, start, end)
        hops = shortest_path(g, start, end, _check_types(types), directed)
        if as_json:
            click.echo(json.dumps(None if hops is None else [asdict(h) for h in hops], indent=2))
            sys.exit(0 if hops is not None else 1)
        if hops is None:
            click.echo(
                f"no path from {start} to {end}"
                + (" (following relations forward only; try without --directed)" if directed else ""),
                err=True,
            )
            sys.exit(1)
        click.echo(f"{len(hops)} relation{'s' * (len(hops) != 1)} from {start} to {end}:")
        from ..model import RELATION_TYPES

        for hop in hops:
            rt = RELATION_TYPES.get(hop.type)
            label = rt.label if rt else hop.type
            click.echo(f"  {_name(g, hop.source)} {label} {_name(g, hop.target)}")

    @graph.command("rank")
    @CATALOG_OPTION
    @_type_option("every type")
    @click.option(
        "--top", type=click.IntRange(min=1), default=10, show_default=True, help="How many to list."
    )
    @click.option("--by", type=click.Choice(["pagerank", "in-degree"]), default="pagerank", show_default=True)
    @click.option(
        "--kind",
        "kinds",
        multiple=True,
        type=click.Choice(KINDS),
        help="Only list records of this kind (the ranking still uses the whole graph).",
    )
    @JSON_OPTION
    @click.pass_context
    def rank_cmd(ctx, catalog_dir, types, top: int, by: str, kinds, as_json: bool) -> None:
        """The most influential records: how many relations point at each (in-degree) and PageRank."""
        from ..graph import rank

        cat, g = _load(ctx, catalog_dir)
        rows = [
            r for r in rank(g, _check_types(types), None, by) if not kinds or g.nodes[r.id]["kind"] in kinds
        ]
        rows = rows[:top]
        if as_json:
            click.echo(json.dumps([asdict(r) for r in rows], indent=2))
            return
        click.echo(f"{'#':>3}  {'in':>4}  {'pagerank':>8}  record")
        for i, r in enumerate(rows, 1):
            click.echo(
                f"{i:>3}  {r.in_degree:>4}  {r.pagerank:>8.4f}  {_name(g, r.id)}  {g.nodes[r.id]['label']}"
            )

    @graph.command("evolution")
    @CATALOG_OPTION
    @click.option(
        "--top", type=click.IntRange(min=1), default=10, show_default=True, help="How many lines to list."
    )
    @JSON_OPTION
    @click.pass_context
    def evolution_cmd(ctx, catalog_dir, top: int, as_json: bool) -> None:
        """Lines of research that climb the goal levels along ordered relations (each record at its highest level)."""
        from ..graph import evolution

        cat, g = _load(ctx, catalog_dir)
        evo = evolution(cat, g, top)
        if as_json:
            click.echo(
                json.dumps(
                    {
                        "levels": list(evo.levels),
                        "transitions": [
                            {"from": a, "to": b, "relations": n}
                            for (a, b), n in sorted(evo.transitions.items())
                        ],
                        "bridges": [{"later": a, "type": t, "earlier": b} for a, t, b in evo.bridges],
                        "lines": [{"records": list(x.records), "levels": list(x.levels)} for x in evo.lines],
                    },
                    indent=2,
                )
            )
            return
        titles = {gl.id: gl.title for gl in cat.taxonomy.goal_levels}
        if not evo.levels:
            click.echo("the taxonomy declares no goal levels: nothing to show")
            return
        click.echo("goal levels: " + " -> ".join(titles[x] for x in evo.levels))
        click.echo(f"\nlines of research that climb levels: {len(evo.lines)}")
        for n, line in enumerate(evo.lines, 1):
            click.echo(
                f"  {n}. "
                + " -> ".join(
                    f"{_name(g, r)} [{titles[lv]}]" for r, lv in zip(line.records, line.levels, strict=True)
                )
            )
        click.echo(f"\nrelations that climb a level: {len(evo.bridges)}")
        for later, t, earlier in evo.bridges:
            click.echo(f"  {_name(g, later)} {t} {_name(g, earlier)}")
