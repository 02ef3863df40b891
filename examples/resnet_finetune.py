"""Fine-tuning ResNet-18 with agc: first the head alone, then the whole network.

The network is torchvision's `resnet18` written as a plain numpy function over
one `params` tree whose names mirror torchvision's `state_dict` (so
`agc.nn.load_torch_state_dict` fills it from a torch checkpoint): the stem's
7x7 stride-2 convolution, batch norm and 3x3 stride-2 max-pool, four stages of
two BasicBlocks (widths 64, 128, 256, 512; a 1x1 stride-2 "downsample" on the
shortcut where a stage halves the image), adaptive average pooling and `fc`.
Batch norm's running statistics live in a second tree, `state`: the model
returns the new ones as a list, the losses pass it on as auxiliary output
(`has_aux`), and `update_state` writes them back, outside the gradient.

The data are scikit-learn's 8x8 handwritten digits (shipped with the package,
no download), scaled up to 32x32 and repeated over 3 channels. Phase 1 trains
only `fc` (`wrt=("params/fc",)`, PyTorch's `requires_grad_(False)` on the
backbone; agc emits no adjoint work for it), phase 2 the whole network, both
with `agc.optim.SGD(momentum=0.9)`, from a random initialisation as
torchvision's.

    python examples/resnet_finetune.py                 # the full run, ~3 CPU minutes
    python examples/resnet_finetune.py --head-epochs 1 --epochs 1 --images 64 --width 0.125

With the defaults (3 epochs of the head, then 5 of the whole network, batch
32, lr 0.01, 1437 training and 360 test images, width 1) the test accuracy
is 86.7% after the head-only phase and 97.5% at the end (184 s on one CPU
thread; docs/convnets.md has the table per epoch).
"""

import argparse
import time

import agc
import numpy as np
from agc import nn
from agc.runtime.tree import tree_leaves

STAGES = ("layer1", "layer2", "layer3", "layer4")


# ------------------------------------------------------------------ the model
def batch_norm_layer(x, p, s, training):
    """(y, new running mean, new running var) of the batch norm with parameters p, state s."""
    return nn.batch_norm(x, s["running_mean"], s["running_var"], p["weight"], p["bias"],
                         training)


def basic_block(x, p, s, training):
    """torchvision's BasicBlock at stride 1: (output, the new statistics of its batch norms)."""
    out, mean1, var1 = batch_norm_layer(nn.conv2d(x, p["conv1"]["weight"], None, 1, 1),
                                        p["bn1"], s["bn1"], training)
    out, mean2, var2 = batch_norm_layer(nn.conv2d(nn.relu(out), p["conv2"]["weight"], None, 1, 1),
                                        p["bn2"], s["bn2"], training)
    return nn.relu(out + x), [mean1, var1, mean2, var2]


def downsampling_block(x, p, s, training):
    """The first BasicBlock of layer2-4: stride 2, and a 1x1 stride-2 projection shortcut."""
    out, mean1, var1 = batch_norm_layer(nn.conv2d(x, p["conv1"]["weight"], None, 2, 1),
                                        p["bn1"], s["bn1"], training)
    out, mean2, var2 = batch_norm_layer(nn.conv2d(nn.relu(out), p["conv2"]["weight"], None, 1, 1),
                                        p["bn2"], s["bn2"], training)
    shortcut, mean3, var3 = batch_norm_layer(
        nn.conv2d(x, p["downsample"][0]["weight"], None, 2, 0),
        p["downsample"][1], s["downsample"][1], training)
    return nn.relu(out + shortcut), [mean1, var1, mean2, var2, mean3, var3]


def resnet18(params, state, x, labels, training):
    """(mean cross entropy against labels, new BN statistics, class scores) of x (N, 3, H, W).

    The loss is computed here, in the function agc differentiates, so that one
    call gives the loss, the statistics and the gradient. (A helper costs no
    second forward pass: its adjoint `basic_block_bwd` reads what
    `basic_block_fwd` kept.)
    """
    x, mean, var = batch_norm_layer(nn.conv2d(x, params["conv1"]["weight"], None, 2, 3),
                                    params["bn1"], state["bn1"], training)
    stats = [mean, var]
    x = nn.max_pool2d(nn.relu(x), 3, 2, 1)
    # The stages are written out, not looped over names: with constant keys agc sees
    # that no block reads params["fc"], so the head's gradient does no backbone work.
    x, block1 = basic_block(x, params["layer1"][0], state["layer1"][0], training)
    x, block2 = basic_block(x, params["layer1"][1], state["layer1"][1], training)
    x, block3 = downsampling_block(x, params["layer2"][0], state["layer2"][0], training)
    x, block4 = basic_block(x, params["layer2"][1], state["layer2"][1], training)
    x, block5 = downsampling_block(x, params["layer3"][0], state["layer3"][0], training)
    x, block6 = basic_block(x, params["layer3"][1], state["layer3"][1], training)
    x, block7 = downsampling_block(x, params["layer4"][0], state["layer4"][0], training)
    x, block8 = basic_block(x, params["layer4"][1], state["layer4"][1], training)
    stats = stats + block1 + block2 + block3 + block4 + block5 + block6 + block7 + block8
    x = nn.flatten(nn.adaptive_avg_pool2d(x, 1), 1)
    logits = nn.linear(x, params["fc"]["weight"], params["fc"]["bias"])
    return nn.cross_entropy(logits, labels), stats, logits


# One model, two gradients; the statistics and scores are auxiliary outputs.
loss = agc.differentiate(resnet18, wrt="params", has_aux=True)  # phase 2: everything
head_loss = agc.differentiate(resnet18, wrt=("params/fc",), has_aux=True)  # phase 1: fc


def predict(params, state, x):
    """Class scores in evaluation mode (running statistics), as model.eval(); plain numpy."""
    return resnet18(params, state, x, np.zeros(len(x), dtype=int), False)[2]


# ------------------------------------------------------------- weights, state
def batch_norm_states(state):
    """The running-statistics dicts of `state`, in the order the model records them."""
    found = [state["bn1"]]
    for name in STAGES:
        for block in state[name]:
            found += [block["bn1"], block["bn2"]]
            if "downsample" in block:
                found.append(block["downsample"][1])
    return found


def update_state(state, stats):
    """Write the statistics a training-mode forward returned into `state` (in place)."""
    for s, mean, var in zip(batch_norm_states(state), stats[0::2], stats[1::2]):
        s["running_mean"], s["running_var"] = mean, var


def init_resnet18(rng, classes=10, width=1.0, dtype=np.float32):
    """(params, state) initialised as torchvision's resnet18; `width` scales 64-128-256-512."""
    widths = [max(1, round(w * width)) for w in (64, 128, 256, 512)]

    def conv(out, inp, k):
        # kaiming_normal_(mode="fan_out", nonlinearity="relu"): std = sqrt(2 / (out k k))
        return {"weight": (rng.normal(size=(out, inp, k, k)) * np.sqrt(2 / (out * k * k)))
                .astype(dtype)}

    def bn(c):
        return ({"weight": np.ones(c, dtype), "bias": np.zeros(c, dtype)},
                {"running_mean": np.zeros(c, dtype), "running_var": np.ones(c, dtype)})

    params, state = {"conv1": conv(widths[0], 3, 7)}, {}
    params["bn1"], state["bn1"] = bn(widths[0])
    inp = widths[0]
    for name, out in zip(STAGES, widths):
        params[name], state[name] = [], []
        for i in range(2):
            p, s = {"conv1": conv(out, inp if i == 0 else out, 3), "conv2": conv(out, out, 3)}, {}
            p["bn1"], s["bn1"] = bn(out)
            p["bn2"], s["bn2"] = bn(out)
            if i == 0 and name != "layer1":
                down_p, down_s = bn(out)
                p["downsample"], s["downsample"] = [conv(out, inp, 1), down_p], [{}, down_s]
            params[name].append(p)
            state[name].append(s)
        inp = out
    # nn.Linear's default: uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and bias
    bound = 1 / np.sqrt(inp)
    params["fc"] = {"weight": rng.uniform(-bound, bound, (classes, inp)).astype(dtype),
                    "bias": rng.uniform(-bound, bound, classes).astype(dtype)}
    return params, state


# ----------------------------------------------------------------------- data
def digits(images, rng, dtype=np.float32):
    """scikit-learn's digits as (x_train, y_train, x_test, y_test): 3x32x32, normalised."""
    from sklearn.datasets import load_digits  # noqa: PLC0415 (optional: the examples extra)

    data = load_digits()
    order = rng.permutation(len(data.target))[:images]
    x = np.kron(data.images[order], np.ones((4, 4)))  # 8x8 -> 32x32, nearest neighbour
    x = np.repeat(x[:, None], 3, axis=1)
    y = data.target[order]
    cut = int(0.8 * len(y))
    mean, std = x[:cut].mean(), x[:cut].std()  # training-set statistics only
    x = ((x - mean) / std).astype(dtype)
    return x[:cut], y[:cut], x[cut:], y[cut:]


# ------------------------------------------------------------------- training
def accuracy(params, state, x, y, batch=256):
    """Fraction of x classified as y, in evaluation mode."""
    hits = sum(int(np.sum(np.argmax(predict(params, state, x[i:i + batch]), axis=1)
                          == y[i:i + batch])) for i in range(0, len(y), batch))
    return hits / max(1, len(y))


def train(params, state, data, epochs, objective, batch, lr, rng, label, history):
    """Epochs of SGD(momentum=0.9) on `objective`; appends (label, loss, accuracy) per epoch."""
    from tqdm import tqdm  # noqa: PLC0415 (optional: the examples extra)

    x, y, x_test, y_test = data
    opt = agc.optim.SGD(lr=lr, momentum=0.9)
    head_only = objective is head_loss
    for epoch in range(epochs):
        losses = []
        order = rng.permutation(len(y))
        for i in tqdm(range(0, len(y), batch), desc=f"{label} epoch {epoch + 1}", leave=False):
            take = order[i:i + batch]
            (value, stats, _), grads = objective.value_and_grad(params, state, x[take], y[take],
                                                                True)
            if head_only:
                opt.step(params["fc"], grads)
            else:
                opt.step(params, grads)
            update_state(state, stats)
            losses.append(float(value))
        test = accuracy(params, state, x_test, y_test)
        history.append((label, float(np.mean(losses)), test))
        print(f"{label} epoch {epoch + 1}: loss {np.mean(losses):.4f}  test accuracy {test:.3f}",
              flush=True)


def plot(history, path):
    """Loss and test accuracy per epoch, when matplotlib is installed."""
    try:
        import matplotlib  # noqa: PLC0415 (optional)
    except ImportError:
        return
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415 (optional)

    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.5))
    epochs = np.arange(1, len(history) + 1)
    left.plot(epochs, [h[1] for h in history], "o-")
    left.set(xlabel="epoch", ylabel="training loss", yscale="log")
    right.plot(epochs, [h[2] for h in history], "o-")
    right.set(xlabel="epoch", ylabel="test accuracy", ylim=(0, 1))
    heads = sum(h[0] == "head" for h in history)
    for axis in (left, right):
        axis.axvline(heads + 0.5, color="gray", linestyle=":")
    fig.suptitle("ResNet-18 on 8x8 digits: fc only, then the whole network")
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    print(f"saved {path}")


def main(argv=None):
    """Parse the size flags, fine-tune, report the test accuracy."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--head-epochs", type=int, default=3, help="phase 1: fc only")
    parser.add_argument("--epochs", type=int, default=5, help="phase 2: the whole network")
    parser.add_argument("--images", type=int, default=1797, help="digits used (of 1797)")
    parser.add_argument("--width", type=float, default=1.0, help="width multiplier (1: 64-512)")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    data = digits(args.images, rng)
    params, state = init_resnet18(rng, width=args.width)
    print(f"ResNet-18 (width {args.width}): {sum(p.size for p in tree_leaves(params))}"
          f" parameters; {len(data[1])} training, {len(data[3])} test images")
    history, start = [], time.perf_counter()
    train(params, state, data, args.head_epochs, head_loss, args.batch, args.lr, rng, "head",
          history)
    train(params, state, data, args.epochs, loss, args.batch, args.lr, rng, "full", history)
    print(f"final test accuracy {accuracy(params, state, data[2], data[3]):.3f}"
          f" ({time.perf_counter() - start:.0f} s)")
    plot(history, "resnet_finetune.png")


if __name__ == "__main__":
    main()
