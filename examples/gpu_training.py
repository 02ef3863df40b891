"""Training on the GPU by moving the arrays: one MLP, one emitted gradient code, numpy or cupy.

agc's emitted code picks its array module from its arguments (numpy arrays: numpy,
cupy arrays: cupy), so the training loop below is written once. It trains on numpy,
then, when cupy and a CUDA GPU are present, trains again from the same start on cupy
and compares: the two runs agree up to float tolerance. Without a GPU it says so and
trains on numpy only. Everything is float32, as on a GPU: gradients stay float32.
"""

import agc
import numpy as np
from agc.runtime import has_gpu, to_device

DTYPE = np.float32


@agc.differentiate(wrt="params")
def loss(params, x, y):
    hidden = np.tanh(x @ params["W1"] + params["b1"])
    pred = hidden @ params["W2"] + params["b2"]
    return np.mean((pred - y) ** 2)


def make_problem(n=256, hidden=32, seed=0):
    """Initial parameters and data for y = sin(3 x) on [-1, 1], in float32 numpy arrays."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (n, 1)).astype(DTYPE)
    y = np.sin(3 * x)
    params = {"W1": rng.normal(size=(1, hidden)), "b1": np.zeros(hidden),
              "W2": rng.normal(size=(hidden, 1)) / np.sqrt(hidden), "b2": np.zeros(1)}
    return {k: v.astype(DTYPE) for k, v in params.items()}, x, y


def train(params, x, y, steps=300):
    """Full-batch SGD with momentum; the same code for numpy and cupy arrays."""
    optimizer = agc.optim.SGD(lr=0.1, momentum=0.9)
    state = optimizer.init(params)
    for _ in range(steps):
        grads = loss.grad(params, x, y)
        params, state = optimizer.update(params, grads, state)
    return params, grads


if __name__ == "__main__":
    params, x, y = make_problem()
    print(f"start: loss {float(loss(params, x, y)):.6f}")
    cpu, grads = train(params, x, y)
    print(f"numpy (cpu):  final loss {float(loss(cpu, x, y)):.6f}, "
          f"gradients {grads['W1'].dtype}")
    if has_gpu():
        on_gpu = to_device((params, x, y), "cuda")  # the only change: where the arrays live
        gpu, gpu_grads = train(*on_gpu)
        print(f"cupy (cuda):  final loss {float(loss(gpu, *on_gpu[1:])):.6f}, "
              f"gradients {gpu_grads['W1'].dtype} on {type(gpu_grads['W1']).__module__}")
        gpu = to_device(gpu, "cpu")
        worst = max(float(np.max(np.abs(gpu[k] - cpu[k]))) for k in cpu)
        same = all(np.allclose(gpu[k], cpu[k], rtol=1e-3, atol=1e-4) for k in cpu)
        print(f"largest parameter difference {worst:.2e}: same up to float tolerance: {same}")
    else:
        print("no GPU (needs cupy and a CUDA device): trained on numpy only")
