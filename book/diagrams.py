"""Pictures of minijax's machinery, drawn with matplotlib from live objects.

Every diagram in the book is made here from what the code produces at build
time (a jaxpr, the interpreter stack), never drawn by
hand, so a picture cannot disagree with the program it shows.
"""
import matplotlib.pyplot as plt
from matplotlib.patches import FancyBboxPatch

from minijax.jaxpr import ClosedJaxpr, Literal

_BOX = dict(boxstyle="round,pad=0.3", linewidth=1.2)
_ROW = 1.8   # vertical distance between boxes of one column, in column widths
_COLORS = {"input": "#dbe9f6", "equation": "#fdf0d5", "output": "#dff0d8",
           "literal": "#eeeeee"}


# ---------------------------------------------------------------------------
# A jaxpr as a data-flow graph


def _layers(jaxpr):
    """Depth of every variable and equation: inputs at 0, an equation one
    deeper than its deepest input, so arrows always point to the right."""
    depth = {v: 0 for v in list(jaxpr.constvars) + list(jaxpr.invars)}
    eqn_depth = []
    for eqn in jaxpr.eqns:
        d = 1 + max([depth.get(v, 0) for v in eqn.invars if not isinstance(v, Literal)],
                    default=0)
        eqn_depth.append(d)
        for v in eqn.outvars:
            depth[v] = d
    return depth, eqn_depth


def _node(ax, xy, text, kind):
    ax.text(*xy, text, ha="center", va="center", fontsize=9, family="monospace",
            bbox=dict(_BOX, facecolor=_COLORS[kind], edgecolor="#555555"), zorder=3)


def _arrow(ax, start, end, color="#555555"):
    ax.annotate("", xy=end, xytext=start, zorder=2,
                arrowprops=dict(arrowstyle="-|>", color=color, lw=1.1,
                                shrinkA=18, shrinkB=18, connectionstyle="arc3,rad=0.05"))


def draw_jaxpr(jaxpr, ax=None, title=None, input_names=None):
    """Draw ``jaxpr`` (a Jaxpr or ClosedJaxpr) left to right: inputs, one box per
    equation labelled with its primitive and output type, then the outputs.
    Literals appear as grey boxes next to the equation that reads them."""
    if isinstance(jaxpr, ClosedJaxpr):
        jaxpr = jaxpr.jaxpr
    depth, eqn_depth = _layers(jaxpr)
    n_cols = max(eqn_depth, default=0) + 2
    columns = [[] for _ in range(n_cols)]
    inputs = list(jaxpr.constvars) + list(jaxpr.invars)
    default = ([f"const{i}" for i in range(len(jaxpr.constvars))]
               + [f"in{i}" for i in range(len(jaxpr.invars))])
    names = list(input_names or []) + default[len(input_names or []):]
    for v, name in zip(inputs, names):
        columns[0].append(("input", v, f"{name}: {v.aval.str_short()}"))
    for eqn, d in zip(jaxpr.eqns, eqn_depth):
        out_types = ", ".join(v.aval.str_short() for v in eqn.outvars)
        columns[d].append(("equation", eqn, f"{eqn.primitive.name}\n{out_types}"))
    half_height = _ROW * (max(len(c) for c in columns) - 1) / 2 + 0.8
    position = {}
    ax = ax or plt.subplots(figsize=(1.8 * n_cols + 1, 1.2 * half_height + 0.5))[1]
    for x, column in enumerate(columns):
        for i, (kind, obj, text) in enumerate(column):
            y = _ROW * ((len(column) - 1) / 2 - i)
            position[id(obj)] = (x, y)
            _node(ax, (x, y), text, kind)
    producer = {}
    for v in inputs:
        producer[v] = position[id(v)]
    for eqn in jaxpr.eqns:
        here = position[id(eqn)]
        for k, v in enumerate(eqn.invars):
            if isinstance(v, Literal):
                lit = (here[0] - 0.45, here[1] - 0.45 - 0.3 * k)
                _node(ax, lit, f"{v.val}", "literal")
                _arrow(ax, lit, here, color="#999999")
            else:
                _arrow(ax, producer[v], here)
        for v in eqn.outvars:
            producer[v] = here
    for i, v in enumerate(jaxpr.outvars):
        out = (n_cols - 1 + 0.1, _ROW * ((len(jaxpr.outvars) - 1) / 2 - i))
        _node(ax, out, "out" if len(jaxpr.outvars) == 1 else f"out{i}", "output")
        if not isinstance(v, Literal):
            _arrow(ax, producer[v], out)
    ax.set_xlim(-0.8, n_cols - 0.5)
    ax.set_ylim(-half_height, half_height)
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


# ---------------------------------------------------------------------------
# The interpreter stack


def draw_interpreter_stack(trace_names, tracer_names, ax=None):
    """Interpreters from the current one (top) to the eager one (bottom), each
    beside the kind of value it wraps, joined by ``parent`` arrows."""
    n = len(trace_names)
    ax = ax or plt.subplots(figsize=(6.5, 1.0 + 0.9 * n))[1]
    box = dict(_BOX, boxstyle="round,pad=0.1")   # a pad this small keeps the boxes apart
    for i, name in enumerate(trace_names):
        y = n - 1 - i
        ax.add_patch(FancyBboxPatch((0.2, y - 0.17), 1.8, 0.34, facecolor=_COLORS["equation"],
                                    edgecolor="#555555", **box))
        ax.text(1.1, y, name, ha="center", va="center", family="monospace", fontsize=10)
        value = tracer_names[i] if i < len(tracer_names) else "numpy array"
        ax.text(2.4, y, f"values: {value}", ha="left", va="center", fontsize=10)
        if i + 1 < n:
            ax.annotate("", xy=(1.1, y - 0.73), xytext=(1.1, y - 0.27),
                        arrowprops=dict(arrowstyle="-|>", color="#555555"))
            ax.text(1.22, y - 0.5, "parent", fontsize=8, va="center", color="#555555")
    ax.text(1.1, n - 1 + 0.32, "current", ha="center", va="bottom", fontsize=8, color="#555555")
    ax.set_xlim(-0.1, 6.0)
    ax.set_ylim(-0.45, n - 0.4)
    ax.axis("off")
    return ax
