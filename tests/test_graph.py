"""`agc graph model.py -o g.svg` and `f.graph(*args)`: the computational graph, drawn.

The forward sweep and the backward sweep beside it, loops and branches as clusters,
values kept on the tape marked; rendered to real SVG and PNG files by Graphviz.
"""

from __future__ import annotations

import subprocess
import sys

import agc
import numpy as np
import pytest
from agc.backend.graph import Graph

MODEL = '''\
import numpy as np
import agc


@agc.differentiate(wrt="x")
def rolled(x, w):
    for i in range(3):
        x = np.sin(x * w)
    if np.sum(x) > 0:
        x = x * 2
    return np.sum(x ** 2)
'''


@pytest.fixture
def model(tmp_path, load_model):
    path = tmp_path / "rolled.py"
    path.write_text(MODEL, encoding="utf-8")
    return path, load_model(MODEL, "rolled_model.py")


def agc_cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "agc.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=120, check=False)


def test_the_graph_has_both_sweeps_loops_branches_and_the_tape(model):
    _, module = model
    dot = module.rolled.graph(np.ones(3), 0.5)
    assert isinstance(dot, Graph) and dot.startswith('digraph "rolled" {')
    for text in ('"forward sweep: rolled"', '"backward sweep: the adjoint"',
                 '"for i in range(0, 3, 1)"', '"for i in reversed(range(0, 3, 1))"', '"if t',
                 '"x = sin(t', '"x (from the tape)"', '"d/dx"', 'xlabel="on the tape"',
                 'label="tape"'):
        assert text in dot, text
    assert "style=dashed" in dot  # the adjoint reads forward values


@pytest.mark.parametrize("suffix, magic", [("svg", b"<?xml"), ("png", b"\x89PNG\r\n\x1a\n"),
                                           ("dot", b"digraph")])
def test_agc_graph_writes_real_files(model, tmp_path, suffix, magic):
    path, _ = model
    out = tmp_path / f"graph.{suffix}"
    result = agc_cli("graph", path, "-o", out)
    assert result.returncode == 0, result.stderr
    assert "wrote the graph of rolled" in result.stderr
    data = out.read_bytes()
    assert data.startswith(magic) and len(data) > 1000
    if suffix == "svg":
        assert b"forward sweep: rolled" in data


def test_a_notebook_shows_the_graph_as_svg(model):
    _, module = model
    svg = module.rolled.graph(np.ones(3), 0.5)._repr_svg_()
    assert "<svg" in svg and "backward sweep" in svg


def test_an_unknown_picture_format_is_a_usage_error(model, tmp_path):
    path, _ = model
    result = agc_cli("graph", path, "-o", tmp_path / "graph.jpg")
    assert result.returncode == 2 and "use .svg, .png or .dot" in result.stderr


def test_without_graphvizs_dot_the_error_says_how_to_install_it(model, monkeypatch):
    import graphviz  # noqa: PLC0415 - the package the rendering uses

    def missing(*args, **kwargs):
        raise graphviz.ExecutableNotFound(["dot"])

    monkeypatch.setattr(graphviz.Source, "pipe", missing)
    _, module = model
    with pytest.raises(agc.UsageError, match="apt-get install graphviz"):
        module.rolled.graph(np.ones(3), 0.5).save("graph.svg")
