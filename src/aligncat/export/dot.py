"""Export stage, DOT: the citation graph for Graphviz (`dot -Tsvg`), earliest works at the top."""

from __future__ import annotations

from ..load import Catalog
from ..model import RELATION_TYPES, Record
from . import register

KIND_SHAPES = {"paper": "box", "dataset": "cylinder", "benchmark": "hexagon", "resource": "note"}


def dot_id(text: str) -> str:
    """A DOT double-quoted string: backslashes and quotes escaped, line breaks kept as \\n."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", "\\n")
    return f'"{escaped}"'


@register(
    "dot",
    ".dot",
    "text/vnd.graphviz",
    "the citation graph in Graphviz DOT (colour = goal level, shape = kind, solid edges imply order)",
)
def export_dot(catalog: Catalog, records: tuple[Record, ...]) -> str:
    ids = {r.id for r in records}
    colours = {gl.id: gl.color for gl in catalog.taxonomy.goal_levels if gl.color}
    lines = [
        f"// {catalog.info.title}: {len(records)} records. Render with: dot -Tsvg graph.dot -o graph.svg",
        f"digraph {dot_id(catalog.info.title)} {{",
        "  rankdir=BT;",  # edges point from later to earlier work: earliest at the top
        '  node [style="filled,rounded" fillcolor="#ffffff" fontname="Helvetica" fontsize=10];',
        '  edge [fontname="Helvetica" fontsize=8 color="#555555"];',
    ]
    for r in records:
        levels = catalog.goal_levels_of(r)
        colour = next((colours[lv] for lv in levels if lv in colours), "#999999")
        attrs = {
            "label": f"{r.label}\n{r.year}",
            "shape": KIND_SHAPES.get(r.kind, "box"),
            "color": colour,
            "tooltip": r.title,
            "kind": r.kind,
            "year": str(r.year),
            "goal_levels": " ".join(levels),
            "categories": " ".join(r.categories),
        }
        lines.append(f"  {dot_id(r.id)} [" + " ".join(f"{k}={dot_id(v)}" for k, v in attrs.items()) + "];")
    for r in records:
        for rel in r.relations:
            if rel.target not in ids or rel.target == r.id:
                continue
            rtype = RELATION_TYPES.get(rel.type)
            style = "solid" if rtype and rtype.ordered else "dashed"
            lines.append(
                f"  {dot_id(r.id)} -> {dot_id(rel.target)} [label={dot_id(rel.type)} style={style}];"
            )
    lines.append("}")
    return "\n".join(lines) + "\n"
