"""ResNet-18 training step on CPU, float32: agc vs torch eager vs jax.jit, one thread each.

    python benchmarks/resnet.py                    # batch 32, 32x32, the table in markdown
    python benchmarks/resnet.py --steps 3 --width 0.25   # a quick look

One step = forward + gradient + SGD(momentum=0.9) update (+ batch norm's running
statistics), on the same weights and batch for every tool. Each tool runs in
its own subprocess (`--child TOOL`), so each gets its own peak-memory figure and
no tool's threads or caches slow another. One thread everywhere: the
environment below is set before numpy, torch or jax load (OpenBLAS, OpenMP,
MKL, and XLA's CPU client with `--xla_cpu_multi_thread_eigen=false
intra_op_parallelism_threads=1`), and torch.set_num_threads(1).

Rows: agc full step; agc fc-only step (`wrt=("params/fc",)`); agc's forward
alone (the same model function run as plain numpy, training mode, with the
loss); torch eager full and fc-only (`requires_grad_(False)` on the backbone);
jax.jit full step. Times are medians of `--steps` steps after `--warmup`
steps; each tool runs `--passes` times, tools in turn, and the faster pass
counts (the machine is shared). Memory: the rise of the process's peak
resident set (VmHWM, reset after warm-up) during one step, in a separate run
with large blocks handed back to the system when freed
(MALLOC_MMAP_THRESHOLD_), so the framework's own code and the weights are
not counted; the median of `--memory-runs` such runs per tool, tools in turn (one
run's peak varies by a few tenths of a MiB). Torch's gradients from the step
before are released first (its
`zero_grad()`, which the step runs anyway), so every tool's peak counts the
gradients of the step (agc and jax hold none between steps).
"""

from __future__ import annotations

import os

for _name, _value in (("OMP_NUM_THREADS", "1"), ("OPENBLAS_NUM_THREADS", "1"),
                      ("MKL_NUM_THREADS", "1"),
                      ("XLA_FLAGS", ("--xla_cpu_multi_thread_eigen=false "
                                    "intra_op_parallelism_threads=1"))):
    os.environ.setdefault(_name, _value)

import argparse  # (after the thread settings above: they must come first)
import importlib.util
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
TOOLS = ("agc", "agc_fc", "agc_forward", "torch", "torch_fc", "jax")
LR = 0.01


def load_example():
    """examples/resnet_finetune.py as a module (the model, its init and losses)."""
    spec = importlib.util.spec_from_file_location("resnet_finetune",
                                                  HERE.parent / "examples" / "resnet_finetune.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def problem(width, batch):
    """(example module, params, state, x, labels): the same for every tool (seeded)."""
    example = load_example()
    rng = np.random.default_rng(0)
    params, state = example.init_resnet18(rng, width=width)
    x = rng.normal(size=(batch, 3, 32, 32)).astype(np.float32)
    labels = rng.integers(0, 10, batch)
    return example, params, state, x, labels


# ------------------------------------------------------------------- agc steps
def agc_step(kind, example, params, state, x, labels):
    """A function running one step of `kind` and returning the loss."""
    import agc  # noqa: PLC0415 (loaded in the child only)

    opt = agc.optim.SGD(lr=LR, momentum=0.9)

    def full():
        (value, stats, _), grads = example.loss.value_and_grad(params, state, x, labels, True)
        opt.step(params, grads)
        example.update_state(state, stats)
        return value

    def head():
        (value, stats, _), grads = example.head_loss.value_and_grad(params, state, x, labels,
                                                                    True)
        opt.step(params["fc"], grads)
        example.update_state(state, stats)
        return value

    def forward():
        return example.resnet18(params, state, x, labels, True)[0]

    return {"agc": full, "agc_fc": head, "agc_forward": forward}[kind]


# ----------------------------------------------------------------- torch eager
def torch_step(kind, example, params, state, x, labels):
    """One torch eager step over the same weights (torch.nn.functional)."""
    import torch  # noqa: PLC0415 (optional peer)
    from torch.nn import functional as F  # noqa: PLC0415

    torch.set_num_threads(1)
    as_torch = lambda a: torch.from_numpy(np.array(a))
    t = example_tree_map(as_torch, params)
    s = example_tree_map(as_torch, state)
    trained = [leaf for leaf in leaves(t["fc"] if kind == "torch_fc" else t)]
    for leaf in trained:
        leaf.requires_grad_(True)
    opt = torch.optim.SGD(trained, lr=LR, momentum=0.9)
    tx, ty = torch.from_numpy(x), torch.from_numpy(labels)

    def bn(h, p, r):
        return F.batch_norm(h, r["running_mean"], r["running_var"], p["weight"], p["bias"],
                            training=True)

    def block(h, p, r, stride):
        out = F.relu(bn(F.conv2d(h, p["conv1"]["weight"], None, stride, 1), p["bn1"], r["bn1"]))
        out = bn(F.conv2d(out, p["conv2"]["weight"], None, 1, 1), p["bn2"], r["bn2"])
        if stride != 1:
            h = bn(F.conv2d(h, p["downsample"][0]["weight"], None, stride), p["downsample"][1],
                   r["downsample"][1])
        return F.relu(out + h)

    def step():
        h = F.relu(bn(F.conv2d(tx, t["conv1"]["weight"], None, 2, 3), t["bn1"], s["bn1"]))
        h = F.max_pool2d(h, 3, 2, 1)
        for name in example.STAGES:
            h = block(h, t[name][0], s[name][0], 1 if name == "layer1" else 2)
            h = block(h, t[name][1], s[name][1], 1)
        logits = F.linear(torch.flatten(F.adaptive_avg_pool2d(h, 1), 1), t["fc"]["weight"],
                          t["fc"]["bias"])
        loss = F.cross_entropy(logits, ty)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    # What torch keeps between steps beyond the weights: the .grad tensors, which the next
    # step's zero_grad() frees. Released before a memory measurement, so that torch's peak
    # counts the gradients it makes, as agc's and jax's do (they hold none between steps).
    step.release = opt.zero_grad
    return step


# --------------------------------------------------------------------- jax.jit
def jax_step(kind, example, params, state, x, labels):
    """One jitted jax step: lax.conv_general_dilated, reduce_window, value_and_grad."""
    import jax  # noqa: PLC0415 (optional peer)
    import jax.numpy as jnp  # noqa: PLC0415
    from jax import lax  # noqa: PLC0415

    def conv(h, w, stride, pad):
        return lax.conv_general_dilated(h, w, (stride, stride), [(pad, pad), (pad, pad)],
                                        dimension_numbers=("NCHW", "OIHW", "NCHW"))

    def bn(h, p, r, stats):
        mean, var = jnp.mean(h, (0, 2, 3)), jnp.var(h, (0, 2, 3))
        n = h.size / h.shape[1]
        stats += [0.9 * r["running_mean"] + 0.1 * mean,
                  0.9 * r["running_var"] + 0.1 * var * n / (n - 1)]
        scale = (p["weight"] * lax.rsqrt(var + 1e-5))[None, :, None, None]
        return (h - mean[None, :, None, None]) * scale + p["bias"][None, :, None, None]

    def block(h, p, r, stride, stats):
        out = jax.nn.relu(bn(conv(h, p["conv1"]["weight"], stride, 1), p["bn1"], r["bn1"], stats))
        out = bn(conv(out, p["conv2"]["weight"], 1, 1), p["bn2"], r["bn2"], stats)
        if stride != 1:
            h = bn(conv(h, p["downsample"][0]["weight"], stride, 0), p["downsample"][1],
                   r["downsample"][1], stats)
        return jax.nn.relu(out + h)

    def loss(p, r, images, y):
        stats = []
        h = jax.nn.relu(bn(conv(images, p["conv1"]["weight"], 2, 3), p["bn1"], r["bn1"], stats))
        h = lax.reduce_window(h, -jnp.inf, lax.max, (1, 1, 3, 3), (1, 1, 2, 2),
                              ((0, 0), (0, 0), (1, 1), (1, 1)))
        for name in example.STAGES:
            h = block(h, p[name][0], r[name][0], 1 if name == "layer1" else 2, stats)
            h = block(h, p[name][1], r[name][1], 1, stats)
        logits = jnp.mean(h, (2, 3)) @ p["fc"]["weight"].T + p["fc"]["bias"]
        logp = jax.nn.log_softmax(logits)
        return -jnp.mean(jnp.take_along_axis(logp, y[:, None], 1)), stats

    @jax.jit
    def update(p, m, r, images, y):
        (value, stats), g = jax.value_and_grad(loss, has_aux=True)(p, r, images, y)
        m = jax.tree_util.tree_map(lambda b, d: 0.9 * b + d, m, g)
        p = jax.tree_util.tree_map(lambda w, b: w - LR * b, p, m)
        return p, m, stats, value

    box = {"p": jax.tree_util.tree_map(jnp.asarray, params),
           "r": jax.tree_util.tree_map(jnp.asarray, state)}
    box["m"] = jax.tree_util.tree_map(jnp.zeros_like, box["p"])
    images, y = jnp.asarray(x), jnp.asarray(labels)

    def step():
        box["p"], box["m"], _stats, value = update(box["p"], box["m"], box["r"], images, y)
        value.block_until_ready()
        return float(value)

    return step


def example_tree_map(fn, tree):
    """fn on each array leaf of a tree of dicts and lists."""
    if isinstance(tree, dict):
        return {k: example_tree_map(fn, v) for k, v in tree.items()}
    if isinstance(tree, list):
        return [example_tree_map(fn, v) for v in tree]
    return fn(tree)


def leaves(tree):
    """The leaves of a tree of dicts and lists, in order."""
    if isinstance(tree, dict):
        return [leaf for v in tree.values() for leaf in leaves(v)]
    if isinstance(tree, list):
        return [leaf for v in tree for leaf in leaves(v)]
    return [tree]


# -------------------------------------------------------------------- measuring
def peak_kib():
    """The process's peak resident set (VmHWM) in KiB."""
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmHWM:")[1].split()[0])


def rss_kib():
    """The process's resident set now (VmRSS) in KiB."""
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0])


def child(tool, args):
    """Measure one tool (times, or with --memory the peak of one step); print one JSON line."""
    example, params, state, x, labels = problem(args.width, args.batch)
    maker = {"agc": agc_step, "torch": torch_step, "jax": jax_step}[tool.split("_")[0]]
    step = maker(tool, example, params, state, x, labels)
    start = time.perf_counter()
    first_loss = float(step())
    first = time.perf_counter() - start
    for _ in range(args.warmup - 1):
        step()
    if args.memory:
        getattr(step, "release", lambda: None)()
        before = rss_kib()
        Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current RSS
        step()
        print(json.dumps({"tool": tool, "peak_mib": (peak_kib() - before) / 1024}))
        return
    times = []
    for _ in range(args.steps):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    print(json.dumps({"tool": tool, "median_s": float(np.median(times)), "first_s": first,
                      "first_loss": first_loss}))


def run_child(tool, args, memory=False):
    """Run `tool` in a fresh subprocess; its JSON result, or None when it failed."""
    command = [sys.executable, __file__, "--child", tool, "--width", str(args.width),
               "--batch", str(args.batch), "--steps", str(args.steps),
               "--warmup", str(args.warmup), *(["--memory"] if memory else [])]
    env = dict(os.environ)
    if memory:
        # A fixed mmap threshold (which also stops glibc from raising it) hands every large
        # block back to the system when it is freed, so the resident set follows what is
        # live and the peak of a step shows, for numpy, torch and XLA alike. It slows
        # allocation, so times are measured in other runs, without it.
        env["MALLOC_MMAP_THRESHOLD_"] = "65536"
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:
        print(f"{tool} failed:\n{done.stderr[-2000:]}", file=sys.stderr)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(results, args):
    """The markdown table: time per step, ratios, first call, memory."""
    torch_s = results["torch"]["median_s"] if results.get("torch") else float("nan")
    forward_s = results["agc_forward"]["median_s"] if results.get("agc_forward") else float("nan")
    lines = [(f"ResNet-18 (width {args.width}), batch {args.batch}, 3x32x32, float32, one thread;"
             f" median of {args.steps} steps after {args.warmup}; peak memory: the median of"
             f" {args.memory_runs} runs."), "",
             ("| step | median | vs torch eager (full) | vs agc forward | first step |"
             " peak memory of a step | loss at step 1 |"),
             "|---|---|---|---|---|---|---|"]
    for tool in TOOLS:
        r = results.get(tool)
        if r is None:
            lines.append(f"| {tool} | absent | | | | | |")
            continue
        lines.append(f"| {tool} | {r['median_s'] * 1e3:.0f} ms | {r['median_s'] / torch_s:.2f}x"
                     f" | {r['median_s'] / forward_s:.2f}x | {r['first_s']:.1f} s"
                     f" | {r.get('peak_mib', float('nan')):.1f} MiB | {r['first_loss']:.5f} |")
    return "\n".join(lines)


def main():
    """Parent: each tool in its own subprocess, then the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child")
    parser.add_argument("--width", type=float, default=1.0)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--tools", default=",".join(TOOLS))
    parser.add_argument("--passes", type=int, default=2, help="runs of each tool; the faster")
    parser.add_argument("--memory", action="store_true", help="(child) the peak of one step")
    parser.add_argument("--memory-runs", type=int, default=5,
                        help="peak-memory runs of each tool; the median")
    args = parser.parse_args()
    if args.child:
        child(args.child, args)
        return
    results = {}
    for _ in range(args.passes):  # on a shared machine: the faster of a few passes
        for tool in args.tools.split(","):
            result = run_child(tool, args)
            print(f"{tool}: {result}", file=sys.stderr, flush=True)
            if result and (results.get(tool) is None
                           or result["median_s"] < results[tool]["median_s"]):
                results[tool] = result
            results.setdefault(tool, result)
    peaks: dict[str, list] = {tool: [] for tool in args.tools.split(",")}
    for _ in range(args.memory_runs):  # tools in turn: a peak varies by a few tenths of a MiB
        for tool, values in peaks.items():
            memory = run_child(tool, args, memory=True)
            if memory:
                values.append(memory["peak_mib"])
    for tool, values in peaks.items():
        print(f"{tool} peaks (MiB): {sorted(round(v, 2) for v in values)}", file=sys.stderr)
        if results.get(tool) and values:
            results[tool]["peak_mib"] = float(np.median(values))
    print(table(results, args))


if __name__ == "__main__":
    main()
