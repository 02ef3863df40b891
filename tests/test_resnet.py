"""examples/resnet_finetune.py's ResNet-18 against PyTorch's, with the same weights.

torchvision's wheel on the package index is built for CUDA and its compiled ops
do not load beside the CPU torch, so the reference is torchvision's
`resnet18` architecture written here with torch.nn (same module names, so its
`state_dict` is torchvision's). Small inputs (batch 2, 48x48, width 1/8) keep
the file fast; forward, loss, new running statistics and gradients (every
parameter, and the head alone) must agree within 1e-5 in float64, and in
float32 within 1e-3 relative (the norm of the difference of each tensor over the
norm of the exact one). The exact reference is torch in float64 on the same,
float32-rounded weights and inputs. 48x48 rather than 32x32: at 32x32 layer4
runs at 1x1, its batch norms normalise 2 numbers per channel, and the
gradients of the early layers become so ill-conditioned that torch's own
float32 ones are 3e-3 from the exact ones (agc's 2e-3); at 48x48 both are 1e-5.
"""

from __future__ import annotations

import copy
import importlib.util
import pathlib
import re

import agc
import numpy as np
import pytest
import torch
from agc.runtime.tree import tree_leaves_with_path

EXAMPLE = pathlib.Path(__file__).resolve().parent.parent / "examples" / "resnet_finetune.py"
_spec = importlib.util.spec_from_file_location("resnet_finetune", EXAMPLE)
resnet = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(resnet)

WIDTH = 0.125  # channels 8-16-32-64: the architecture is unchanged, the test is fast
SIZE = 48  # layer4 at 2x2; at 32x32 it is 1x1 (see the module docstring)


def _close(actual, expected, dtype, name=""):
    """Within 1e-5 in float64; in float32, 1e-3 relative to the exact tensor's norm."""
    actual, expected = np.asarray(actual), np.asarray(expected, dtype=np.float64)
    assert actual.dtype == dtype, name
    if dtype == np.float64:
        np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-5, err_msg=name)
    else:
        error = np.linalg.norm(actual - expected) / max(np.linalg.norm(expected), 1e-30)
        assert error <= 1e-3, f"{name}: relative error {error:.2e}"


# ---------------------------------------------------- torchvision's ResNet-18
class BasicBlock(torch.nn.Module):
    """torchvision.models.resnet.BasicBlock."""

    def __init__(self, inp, out, stride):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(inp, out, 3, stride, 1, bias=False)
        self.bn1 = torch.nn.BatchNorm2d(out)
        self.conv2 = torch.nn.Conv2d(out, out, 3, 1, 1, bias=False)
        self.bn2 = torch.nn.BatchNorm2d(out)
        self.downsample = None
        if stride != 1 or inp != out:
            self.downsample = torch.nn.Sequential(torch.nn.Conv2d(inp, out, 1, stride, bias=False),
                                                  torch.nn.BatchNorm2d(out))

    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        shortcut = x if self.downsample is None else self.downsample(x)
        return torch.relu(out + shortcut)


class ResNet18(torch.nn.Module):
    """torchvision.models.resnet18(weights=None), channels scaled by `width`."""

    def __init__(self, width=1.0, classes=10):
        super().__init__()
        widths = [max(1, round(w * width)) for w in (64, 128, 256, 512)]
        self.conv1 = torch.nn.Conv2d(3, widths[0], 7, 2, 3, bias=False)
        self.bn1 = torch.nn.BatchNorm2d(widths[0])
        self.maxpool = torch.nn.MaxPool2d(3, 2, 1)
        inp = widths[0]
        for i, out in enumerate(widths):
            stride = 1 if i == 0 else 2
            setattr(self, f"layer{i + 1}",
                    torch.nn.Sequential(BasicBlock(inp, out, stride), BasicBlock(out, out, 1)))
            inp = out
        self.avgpool = torch.nn.AdaptiveAvgPool2d((1, 1))
        self.fc = torch.nn.Linear(inp, classes)
        for m in self.modules():  # torchvision's initialisation
            if isinstance(m, torch.nn.Conv2d):
                torch.nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x):
        x = self.maxpool(torch.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


# ------------------------------------------------------------------- fixtures
def _setup(dtype, seed=0):
    """A torch model with random BN statistics and affine parameters, its trees, a batch."""
    torch.manual_seed(seed)
    model = ResNet18(WIDTH).to(torch.float64)
    with torch.no_grad():  # non-trivial statistics and affine parameters, as after training
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.5, 0.5)
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 2.0)
    model = model.to(torch.float64 if dtype == np.float64 else torch.float32)
    params, state = agc.nn.load_torch_state_dict(model.state_dict())
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2, 3, SIZE, SIZE)).astype(dtype)
    labels = np.array([3, 7])
    return model, params, state, x, labels


def _reference(model, x, labels, head_only=False):
    """torch in float64 on the model's weights, training mode: (logits, loss, grads, buffers)."""
    model = copy.deepcopy(model).to(torch.float64).train()
    for name, p in model.named_parameters():  # PyTorch's freezing: all but fc
        p.requires_grad_(not head_only or name.startswith("fc."))
    logits = model(torch.from_numpy(x.astype(np.float64)))
    loss = torch.nn.functional.cross_entropy(logits, torch.from_numpy(labels))
    loss.backward()
    grads = {name: p.grad.numpy() for name, p in model.named_parameters() if p.grad is not None}
    return logits.detach().numpy(), loss.item(), grads, model.state_dict()


def _flat(tree):
    """{"layer1.0.conv1.weight": leaf, ...}: a tree's leaves under torch's names."""
    # "['layer1'][0]['conv1']['weight']" -> "layer1.0.conv1.weight"
    return {".".join(re.findall(r"\w+", path)): leaf for path, leaf in tree_leaves_with_path(tree)}


# ---------------------------------------------------------------------- tests
def test_load_torch_state_dict_mirrors_torch_names():
    model, params, state, _, _ = _setup(np.float64)
    expected = {k: v for k, v in model.state_dict().items() if "num_batches" not in k}
    loaded = {**_flat(params), **_flat(state)}
    assert sorted(loaded) == sorted(expected)
    for name, value in expected.items():
        np.testing.assert_array_equal(loaded[name], value.numpy())
    assert state["layer2"][0]["downsample"][0] == {}  # the convolution has no buffers
    assert params["layer1"][1]["bn2"]["weight"].dtype == np.float64


def test_init_has_torchvision_shapes():
    model = ResNet18(WIDTH)
    params, state = resnet.init_resnet18(np.random.default_rng(0), width=WIDTH)
    torch_params, torch_state = agc.nn.load_torch_state_dict(model.state_dict())
    shapes = {k: v.shape for k, v in _flat(params).items()}
    assert shapes == {k: v.shape for k, v in _flat(torch_params).items()}
    assert {k: v.shape for k, v in _flat(state).items()} == \
        {k: v.shape for k, v in _flat(torch_state).items()}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_forward_and_running_statistics_match_torch(dtype):
    model, params, state, x, labels = _setup(dtype)
    with torch.no_grad():
        expected_eval = copy.deepcopy(model).to(torch.float64).eval()(
            torch.from_numpy(x.astype(np.float64))).numpy()
    train_logits, _, _, buffers = _reference(model, x, labels)
    _close(resnet.predict(params, state, x), expected_eval, dtype, "eval logits")
    value, stats, logits = resnet.resnet18(params, state, x, labels, True)
    _close(logits, train_logits, dtype, "training logits")
    resnet.update_state(state, stats)
    for name, value in _flat(state).items():
        _close(value, buffers[name].numpy(), dtype, name)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_loss_and_every_gradient_match_torch(dtype):
    model, params, state, x, labels = _setup(dtype)
    _, expected, torch_grads, _ = _reference(model, x, labels)
    (value, stats, _), grads = resnet.loss.value_and_grad(params, state, x, labels, True)
    _close(value, expected, dtype, "loss")
    assert len(stats) == 2 * 20  # mean and variance of each of the 20 batch norms
    flat = _flat(grads)
    assert sorted(flat) == sorted(torch_grads)
    for name, g in flat.items():
        _close(g, torch_grads[name], dtype, name)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_head_gradient_matches_torch_with_frozen_backbone(dtype):
    model, params, state, x, labels = _setup(dtype)
    _, expected, torch_grads, _ = _reference(model, x, labels, head_only=True)
    assert sorted(torch_grads) == ["fc.bias", "fc.weight"]
    (value, _, _), grads = resnet.head_loss.value_and_grad(params, state, x, labels, True)
    _close(value, expected, dtype, "loss")
    _close(grads["weight"], torch_grads["fc.weight"], dtype, "fc.weight")
    _close(grads["bias"], torch_grads["fc.bias"], dtype, "fc.bias")


def test_head_gradient_does_no_backbone_adjoint_work():
    """Activity analysis leaves every convolution, batch norm and block out of the backward
    sweep: the head's gradient calls only the loss's and fc's adjoints."""
    _, params, state, x, labels = _setup(np.float64)
    resnet.head_loss.grad(params, state, x, labels, True)
    resnet.loss.grad(params, state, x, labels, True)

    def main_body(source):  # the differentiated function, not the helpers emitted after it
        return source.split("\ndef resnet18_grad(")[0]

    adjoint_calls = re.compile(r"\b(\w+_(?:vjp|bwd)|rt\.\w+_grad\w*)\(")
    full = set(adjoint_calls.findall(main_body(resnet.loss.gradient_source)))
    head = set(adjoint_calls.findall(main_body(resnet.head_loss.gradient_source)))
    assert {"basic_block_bwd", "downsampling_block_bwd", "rt.conv_grad_w"} <= full, full
    # the images x get no cotangent: the stem's input gradient was computed, then dropped
    assert "rt.conv_grad_x" not in full, full
    assert head <= {"cross_entropy_bwd", "linear_bwd", "rt.getitem_grad"}, head
