"""Every script in examples/ runs to completion and prints its key result.

Each example runs in its own Python process, as a user would run it, from a
temporary folder (linear_regression.py may save a plot there); they are
started together, one per CPU at a time.
"""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"

# For each example, patterns its output must contain (regular expressions).
# Examples not listed here are still run and must exit with status 0.
EXPECTED = {
    "linear_model.py": [r"dL/dw = 4\.4000  dL/db = 2\.2000"],
    "dot_square.py": [r"d\(2 x\.x\)/dx\s+\[ 0\.  4\.  8\. 12\.\]"],
    "graph.py": [r"dy/dx = 4\.0", r"dy/dw = 9\.0"],
    "batched_linear.py": [r"loss = 1\.0000", r"dL/db = \[0\.66666667 0\.66666667 0\.66666667\]"],
    "mean_square.py": [r"out = 27\.0", r"\[\[4\.5 4\.5\]"],
    "vector_seed.py": [r"dQ/da  = \[36\. 81\.\]", r"dQ/db  = \[-12\.  -8\.\]"],
    "intermediates.py": [r"dy/da = 4\.0", r"weighted gradient = \[32\. 34\.\]"],
    "stop_gradient.py": [r"dz/dx = \[1\. 4\. 9\.\]"],
    "while_if.py": [r"equal: True"],
    "linear_regression.py": [r"hand-written SGD: w = 3\.0\d\d  b = 0\.[78]\d\d",
                             *(rf"agc\.optim {name}: +w = 3\.0\d\d  b = 0\.[78]\d\d"
                               for name in ("SGD", "SGD momentum", "Adagrad", "RMSprop",
                                            "Adam"))],
    "classifier.py": [r"logistic regression: .*accuracy 0\.9\d\d",
                      r"epoch  1 ", r"MLP training accuracy: (0\.9[5-9]\d|1\.000)"],
    "fine_tune.py": [r"W2_bar = ", r"adjoint of the frozen layer in the emitted code: False",
                     r"after 0\.00\d\d"],
    "frozen_backbone.py": [r"after:  loss 0\.3\d+, accuracy 0\.9\d\d", r"backbone unchanged: True",
                           r"complete_paths\(params_bar, params, \(\('fc',\),\)\)",
                           r"backbone adjoint work in the emitted code: False"],
    "gradient_accumulation.py": [r"full-batch gradient: \d\.\d\de-1[5-9]"],
    "no_grad.py": [r"gradient = \[0\.25 0\.25 0\.25\]"],
    "jacobian.py": [r"matches the closed form: True"],
    "pytree_params.py": [r"d loss / d W1\[0, 0\]: agc 1\.051578, finite differences 1\.051578"],
    "has_aux.py": [r"accuracy \(aux\) = 0\.95"],
    "resnet_finetune.py": [r"ResNet-18 \(width 0\.125\): \d+ parameters; 51 training, 13 test",
                           r"head epoch 1: loss \d\.\d{4}  test accuracy 0\.\d{3}",
                           r"full epoch 1: loss \d\.\d{4}", r"final test accuracy 0\.\d{3}",
                           r"saved resnet_finetune\.png"],
    "gradient_penalty.py": [r"matches finite differences: True", r"after 100 steps: loss = 1\.4"],
    "particle_in_field.py": [r"steps taken: 138", r"matches finite differences: True"],
    "saddle_point.py": [r"saddle point \(both gradients zero\): True",
                        r"matches finite differences: True"],
    "newton_kmeans.py": [r"same as agc.hessian's diagonal: True", r"reduced: True"],
    "dask_training.py": [r"100,000 rows in 10 chunks of 10,000",
                         r"150 Adam steps of one chunk each",
                         r"over all rows on 2 workers \(\d+\.\d s\): loss 0\.30\d\d",
                         r"recovers the true weights: True"],
    "gpu_training.py": [r"numpy \(cpu\):  final loss 0\.00\d+, gradients float32",
                        (r"no GPU \(needs cupy and a CUDA device\): trained on numpy only"
                         r"|cupy \(cuda\):  final loss 0\.00\d+, gradients float32 on cupy"
                         r"[\s\S]*same up to float tolerance: True")],
}


# Command-line flags that shrink an example to a few seconds (its full run takes minutes).
ARGS = {"resnet_finetune.py": ["--head-epochs", "1", "--epochs", "1", "--images", "64",
                               "--width", "0.125", "--batch", "16"],
        "dask_training.py": ["--tiny"]}


def _run(path: pathlib.Path, cwd: pathlib.Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(path), *ARGS.get(path.name, [])], cwd=cwd,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def started(tmp_path_factory):
    """Every example submitted at once, one process per CPU at a time (each takes ~1 s)."""
    folders = {path.name: tmp_path_factory.mktemp(path.stem)
               for path in sorted(EXAMPLES.glob("*.py"))}
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        runs = {name: pool.submit(_run, EXAMPLES / name, folder)
                for name, folder in folders.items()}
        yield {name: (run, folders[name]) for name, run in runs.items()}


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.py")))
def test_example_runs(name, started):
    """The script exits with status 0 and prints the numbers it promises."""
    result = started[name][0].result()
    assert result.returncode == 0, f"{name} failed:\n{result.stdout}\n{result.stderr}"
    for pattern in EXPECTED.get(name, []):
        assert re.search(pattern, result.stdout), f"{name}: no {pattern!r} in\n{result.stdout}"


# The plots the training examples save (matplotlib is a test dependency), as real files.
PLOTS = {"linear_regression.py": ["linear_regression.png", "linear_regression_losses.png"],
         "classifier.py": ["classifier.png"], "resnet_finetune.py": ["resnet_finetune.png"]}


@pytest.mark.parametrize("name", sorted(PLOTS))
def test_training_examples_save_their_plots(name, started):
    run, folder = started[name]
    assert run.result().returncode == 0
    for plot in PLOTS[name]:
        data = (folder / plot).read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000, plot


def test_long_loops_show_a_progress_bar(started):
    """tqdm (a test dependency) draws the optimizer runs' bars on stderr."""
    result = started["linear_regression.py"][0].result()
    assert re.search(r"SGD momentum: +\d+%\|", result.stderr), result.stderr[-500:]


def test_every_expectation_names_an_example():
    """A renamed example cannot silently lose its checks."""
    missing = sorted(set(EXPECTED) - {p.name for p in EXAMPLES.glob("*.py")})
    assert not missing
