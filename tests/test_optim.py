"""Tests for agc.runtime.optim against hand-written references of the torch.optim formulas."""

import copy
import math

import numpy as np
import pytest
from agc.runtime import optim_leaves
from agc.runtime.device import has_gpu, to_device
from agc.runtime.optim import SGD, Adagrad, Adam, AdamW, RMSprop
from agc.runtime.tree import tree_leaves

# Gradient scales vary a lot so that AMSGrad's running max and lr_decay matter.
SCALES = [1.0, 1.0, 3.0, 0.1, 0.1, 0.1, 2.0, 0.01]


def make_problem(dtype=np.float64):
    """Initial params (a tree of 6 numbers) and a fixed sequence of gradient vectors."""
    rng = np.random.default_rng(0)
    params = {"w": rng.normal(size=(2, 2)).astype(dtype),
              "b": [rng.normal(size=1).astype(dtype), 0.7]}
    grads = [scale * rng.normal(size=6) for scale in SCALES]
    return params, grads


def flat(tree):
    """All leaves of a tree as one float64 vector, in leaf order."""
    leaves = [np.ravel(np.asarray(leaf, dtype=np.float64)) for leaf in tree_leaves(tree)]
    return np.concatenate(leaves)


def grad_tree(vector, dtype=np.float64):
    """A gradient tree for make_problem's params, deliberately with another dict key order."""
    return {"b": [np.asarray(vector[4:5], dtype=dtype), float(vector[5])],
            "w": np.asarray(vector[:4], dtype=dtype).reshape(2, 2)}


def run_functional(opt, params, grads, dtype=np.float64):
    """Apply opt.update over the gradient sequence; returns final params and state."""
    state = opt.init(params)
    for vector in grads:
        params, state = opt.update(params, grad_tree(vector, dtype), state)
    return params, state


# ---------------------------------------------------------------- references (torch formulas)


def ref_sgd(theta, grads, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False,
            maximize=False):
    """torch.optim.SGD; like torch's code, maximize negates the gradient before weight decay."""
    theta, buf = list(theta), [0.0] * len(theta)
    for t, g_t in enumerate(grads, start=1):
        for i in range(len(theta)):
            g = -g_t[i] if maximize else g_t[i]
            g += weight_decay * theta[i]
            if momentum != 0:
                buf[i] = g if t == 1 else momentum * buf[i] + (1 - dampening) * g
                g = g + momentum * buf[i] if nesterov else buf[i]
            theta[i] -= lr * g
    return theta


def ref_adagrad(theta, grads, lr=1e-2, lr_decay=0.0, weight_decay=0.0,
                initial_accumulator_value=0.0, eps=1e-10, maximize=False):
    """torch.optim.Adagrad."""
    theta, total = list(theta), [initial_accumulator_value] * len(theta)
    for t, g_t in enumerate(grads, start=1):
        clr = lr / (1 + (t - 1) * lr_decay)
        for i in range(len(theta)):
            g = (-g_t[i] if maximize else g_t[i]) + weight_decay * theta[i]
            total[i] += g * g
            theta[i] -= clr * g / (math.sqrt(total[i]) + eps)
    return theta


def ref_rmsprop(theta, grads, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                centered=False, maximize=False):
    """torch.optim.RMSprop."""
    n = len(theta)
    theta, v, b, g_avg = list(theta), [0.0] * n, [0.0] * n, [0.0] * n
    for g_t in grads:
        for i in range(n):
            g = (-g_t[i] if maximize else g_t[i]) + weight_decay * theta[i]
            v[i] = alpha * v[i] + (1 - alpha) * g * g
            v_tilde = v[i]
            if centered:
                g_avg[i] = alpha * g_avg[i] + (1 - alpha) * g
                v_tilde -= g_avg[i] ** 2
            if momentum > 0:
                b[i] = momentum * b[i] + g / (math.sqrt(v_tilde) + eps)
                theta[i] -= lr * b[i]
            else:
                theta[i] -= lr * g / (math.sqrt(v_tilde) + eps)
    return theta


def ref_adam(theta, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
             amsgrad=False, maximize=False, decoupled=False):
    """torch.optim.Adam, or AdamW when decoupled (AMSGrad maxes raw v, as the corrected docs)."""
    (b1, b2), n = betas, len(theta)
    theta, m, v, v_max = list(theta), [0.0] * n, [0.0] * n, [0.0] * n
    for t, g_t in enumerate(grads, start=1):
        for i in range(n):
            g = -g_t[i] if maximize else g_t[i]
            if decoupled:
                theta[i] -= lr * weight_decay * theta[i]
            else:
                g += weight_decay * theta[i]
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g * g
            m_hat = m[i] / (1 - b1**t)
            v_max[i] = max(v_max[i], v[i])
            v_hat = (v_max[i] if amsgrad else v[i]) / (1 - b2**t)
            theta[i] -= lr * m_hat / (math.sqrt(v_hat) + eps)
    return theta


def ref_adamw(theta, grads, weight_decay=1e-2, **options):
    """torch.optim.AdamW (its default weight_decay is 1e-2)."""
    return ref_adam(theta, grads, weight_decay=weight_decay, decoupled=True, **options)


CASES = [
    (SGD, ref_sgd, {"lr": 0.1}),
    (SGD, ref_sgd, {"lr": 0.1, "momentum": 0.9}),
    (SGD, ref_sgd, {"lr": 0.1, "momentum": 0.9, "dampening": 0.5}),
    (SGD, ref_sgd, {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    (SGD, ref_sgd, {"lr": 0.1, "weight_decay": 0.3}),
    (SGD, ref_sgd, {"lr": 0.1, "maximize": True}),
    (SGD, ref_sgd, {"lr": 0.1, "momentum": 0.8, "weight_decay": 0.3, "maximize": True}),
    (Adagrad, ref_adagrad, {}),
    (Adagrad, ref_adagrad, {"lr": 0.5, "lr_decay": 0.3}),
    (Adagrad, ref_adagrad, {"weight_decay": 0.3}),
    (Adagrad, ref_adagrad, {"initial_accumulator_value": 0.5}),
    (Adagrad, ref_adagrad, {"eps": 0.5}),
    (Adagrad, ref_adagrad, {"maximize": True, "weight_decay": 0.1}),
    (RMSprop, ref_rmsprop, {}),
    (RMSprop, ref_rmsprop, {"alpha": 0.5}),
    (RMSprop, ref_rmsprop, {"eps": 0.5}),
    (RMSprop, ref_rmsprop, {"centered": True}),
    (RMSprop, ref_rmsprop, {"momentum": 0.9}),
    (RMSprop, ref_rmsprop, {"momentum": 0.9, "centered": True, "weight_decay": 0.3}),
    (RMSprop, ref_rmsprop, {"maximize": True}),
    (Adam, ref_adam, {}),
    (Adam, ref_adam, {"lr": 0.1, "betas": (0.5, 0.9)}),
    (Adam, ref_adam, {"eps": 0.5}),
    (Adam, ref_adam, {"weight_decay": 0.3}),
    (Adam, ref_adam, {"amsgrad": True, "lr": 0.1}),
    (Adam, ref_adam, {"maximize": True, "weight_decay": 0.3}),
    (AdamW, ref_adamw, {}),
    (AdamW, ref_adamw, {"lr": 0.1, "weight_decay": 0.5}),
    (AdamW, ref_adamw, {"amsgrad": True, "lr": 0.1}),
    (AdamW, ref_adamw, {"maximize": True, "lr": 0.1}),
]
IDS = [f"{cls.__name__}-{'-'.join(f'{k}={v}' for k, v in kw.items()) or 'defaults'}"
       for cls, _, kw in CASES]


@pytest.mark.parametrize(("cls", "reference", "options"), CASES, ids=IDS)
def test_matches_reference_float64(cls, reference, options):
    params, grads = make_problem()
    final, state = run_functional(cls(**options), params, grads)
    expected = reference(flat(params), grads, **options)
    np.testing.assert_allclose(flat(final), expected, rtol=1e-12, atol=1e-14)
    assert state["step"] == len(grads)
    assert type(final["b"][1]) is float and isinstance(final["w"], np.ndarray)
    # The option must actually change the trajectory (else this case tests nothing).
    base_options = {"lr": options["lr"]} if cls is SGD else {}
    if options != base_options:
        baseline = reference(flat(params), grads, **base_options)
        assert not np.allclose(expected, baseline, rtol=1e-6, atol=0)


@pytest.mark.parametrize(("cls", "reference", "options"), CASES, ids=IDS)
def test_float32_is_preserved_in_params_and_state(cls, reference, options):
    params, grads = make_problem(np.float32)
    # float64 gradients must not promote float32 parameters or buffers either.
    final, state = run_functional(cls(**options), params, grads, dtype=np.float64)
    assert final["w"].dtype == np.float32 and final["b"][0].dtype == np.float32
    for name, tree in state.items():
        if name != "step":
            assert tree["w"].dtype == np.float32 and tree["b"][0].dtype == np.float32
            assert type(tree["b"][1]) is float
    expected = reference(flat(params), grads, **options)
    np.testing.assert_allclose(flat(final), expected, rtol=2e-4, atol=2e-5)


def test_scalar_kinds_are_kept():
    params = {"zero_d": np.array(1.0, dtype=np.float32), "np_scalar": np.float32(2.0), "py": 3.0}
    grads = {"zero_d": np.array(0.5, dtype=np.float32), "np_scalar": 0.5, "py": np.float64(0.5)}
    opt = Adam(lr=0.1)
    new, state = opt.update(params, grads, opt.init(params))
    assert isinstance(new["zero_d"], np.ndarray) and new["zero_d"].shape == ()
    assert new["zero_d"].dtype == np.float32
    assert type(new["np_scalar"]) is np.float32 and type(new["py"]) is float
    assert type(state["exp_avg"]["py"]) is float
    np.testing.assert_allclose([new["zero_d"], new["np_scalar"], new["py"]], [0.9, 1.9, 2.9],
                               rtol=1e-6)


# ---------------------------------------------------------------- functional vs in place


@pytest.mark.parametrize("opt_factory", [lambda: SGD(0.1, momentum=0.9), lambda: Adam(amsgrad=True),
                                         lambda: RMSprop(centered=True, momentum=0.5)])
def test_update_leaves_inputs_untouched(opt_factory):
    opt = opt_factory()
    params, grads = make_problem()
    state = opt.init(params)
    params, state = opt.update(params, grad_tree(grads[0]), state)
    grad = grad_tree(grads[1])
    saved = copy.deepcopy((params, grad, state))
    new_params, new_state = opt.update(params, grad, state)
    for before, after in zip(tree_leaves(saved), tree_leaves((params, grad, state))):
        np.testing.assert_array_equal(before, after)
    assert new_params is not params and new_state is not state
    assert new_params["w"] is not params["w"]
    again_params, _ = opt.update(params, grad, state)  # same inputs, same answer
    np.testing.assert_array_equal(flat(again_params), flat(new_params))


def test_momentum_buffer_does_not_alias_the_gradient():
    opt = SGD(0.1, momentum=0.9)
    params = {"w": np.ones(3)}
    grads = {"w": np.full(3, 2.0)}
    _, state = opt.update(params, grads, opt.init(params))
    grads["w"][:] = 100.0  # a caller reusing its gradient buffer
    np.testing.assert_array_equal(state["momentum_buffer"]["w"], [2.0, 2.0, 2.0])


@pytest.mark.parametrize("cls", [SGD, Adagrad, RMSprop, Adam, AdamW])
def test_step_mutates_in_place_like_update(cls):
    opt_kwargs = {"lr": 0.05}
    params, grads = make_problem()
    params["b"][1] = np.array(params["b"][1])  # in-place needs arrays everywhere
    expected = copy.deepcopy(params)
    w_object, opt = params["w"], cls(**opt_kwargs)
    functional = cls(**opt_kwargs)
    state = functional.init(expected)
    for vector in grads[:4]:
        assert opt.step(params, grad_tree(vector)) is None
        expected, state = functional.update(expected, grad_tree(vector), state)
    assert params["w"] is w_object
    np.testing.assert_allclose(flat(params), flat(expected), rtol=1e-14)
    opt.reset()  # a fresh start: the next step equals a first step
    first = copy.deepcopy(params)
    fresh = cls(**opt_kwargs)
    first, _ = fresh.update(first, grad_tree(grads[0]), fresh.init(first))
    opt.step(params, grad_tree(grads[0]))
    np.testing.assert_allclose(flat(params), flat(first), rtol=1e-14)


@pytest.mark.parametrize("kwargs", [
    {"lr": 0.05, "momentum": 0.9}, {"lr": 0.05, "momentum": 0.9, "nesterov": True},
    {"lr": 0.05, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.01},
    {"lr": 0.05, "momentum": 0.9, "maximize": True, "weight_decay": 0.1}])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sgd_step_in_place_equals_update_exactly(kwargs, dtype):
    """SGD.step writes its own arithmetic into params and buffers: the same bits as update."""
    rng = np.random.default_rng(3)
    params = {"w": rng.normal(size=(3, 2)).astype(dtype), "b": rng.normal(size=2).astype(dtype)}
    expected, opt, functional = copy.deepcopy(params), SGD(**kwargs), SGD(**kwargs)
    state = functional.init(expected)
    for _ in range(3):
        grads = {k: rng.normal(size=v.shape).astype(dtype) for k, v in params.items()}
        opt.step(params, grads)
        expected, state = functional.update(expected, grads, state)
        for key, value in params.items():
            assert value.dtype == dtype
            np.testing.assert_array_equal(value, expected[key])


@pytest.mark.parametrize("opt_factory", [
    lambda: SGD(0.05, momentum=0.9), lambda: SGD(0.05, momentum=0.9, nesterov=True),
    lambda: SGD(0.05, weight_decay=0.1), lambda: Adam(amsgrad=True), lambda: AdamW(),
    lambda: Adagrad(lr_decay=0.1), lambda: RMSprop(momentum=0.5, centered=True)])
def test_step_of_a_large_leaf_by_blocks_equals_update_exactly(opt_factory):
    """step() updates a leaf above BLOCK_ELEMENTS a block of rows at a time (views of the
    leaf and its buffers): the same bits as the functional update of the whole leaf."""
    rng = np.random.default_rng(5)
    shapes = {"w": (70, 3, 40, 3, 3), "v": (optim_leaves.BLOCK_ELEMENTS + 7,), "s": (3,)}
    params = {k: rng.normal(size=shape).astype(np.float32) for k, shape in shapes.items()}
    params["w"] = params["w"].transpose(1, 0, 2, 3, 4)  # a strided leaf
    assert params["w"].size > optim_leaves.BLOCK_ELEMENTS
    expected, opt, functional = copy.deepcopy(params), opt_factory(), opt_factory()
    state = functional.init(expected)
    for _ in range(3):
        grads = {k: rng.normal(size=v.shape).astype(np.float32) for k, v in params.items()}
        opt.step(params, grads)
        expected, state = functional.update(expected, grads, state)
    for key, value in params.items():
        np.testing.assert_array_equal(value, expected[key])


def test_step_keeps_separate_state_per_structure():
    opt = SGD(0.1, momentum=0.9)
    a, b = {"w": np.zeros(2)}, [np.zeros(3)]
    for _ in range(2):
        opt.step(a, {"w": np.ones(2)})
    opt.step(b, [np.ones(3)])  # first step for b: buffer = g, not 0.9 * a's buffer + g
    np.testing.assert_allclose(a["w"], [-0.29, -0.29])
    np.testing.assert_allclose(b[0], [-0.1, -0.1, -0.1])


def test_step_refuses_python_floats_without_touching_anything():
    params = {"w": np.ones(2), "b": 1.0}
    with pytest.raises(TypeError, match=r"params\['b'\] is a float.*update.*numpy array"):
        Adam().step(params, {"w": np.ones(2), "b": 1.0})
    np.testing.assert_array_equal(params["w"], [1.0, 1.0])


def test_step_errors_leave_params_unchanged():
    params = {"w": np.ones(2), "v": np.ones(3)}
    with pytest.raises(ValueError, match=r"grads\['v'\] has shape \(2,\)"):
        SGD(0.1).step(params, {"w": np.ones(2), "v": np.ones(2)})
    np.testing.assert_array_equal(params["w"], [1.0, 1.0])
    frozen = np.ones(2)
    frozen.flags.writeable = False
    with pytest.raises(TypeError, match="read-only"):
        SGD(0.1).step([frozen], [np.ones(2)])


# ---------------------------------------------------------------- training loops


def quadratic_grad(params, curvature, target):
    """Gradient of 0.5 * sum(curvature * (p - target)**2) for params {"p": array}."""
    return {"p": curvature * (params["p"] - target)}


@pytest.mark.parametrize(("opt", "steps"), [
    (SGD(lr=0.1), 500), (SGD(lr=0.05, momentum=0.9, nesterov=True), 500),
    (Adagrad(lr=0.5), 2000), (RMSprop(lr=0.01, centered=True), 2000),
    (RMSprop(lr=0.01, momentum=0.5), 2000), (Adam(lr=0.05), 2000),
    (AdamW(lr=0.05, weight_decay=0), 2000),
])
def test_training_loop_converges_to_the_minimum(opt, steps):
    curvature, target = np.array([1.0, 4.0, 0.5]), np.array([3.0, -2.0, 0.5])
    params = {"p": np.zeros(3)}
    for _ in range(steps):
        opt.step(params, quadratic_grad(params, curvature, target))
    np.testing.assert_allclose(params["p"], target, atol=1e-3)


def test_maximize_climbs_to_the_maximum_functionally():
    curvature, target = np.array([1.0, 2.0]), np.array([-1.0, 2.0])
    opt = Adam(lr=0.05, maximize=True)
    params = {"p": np.zeros(2)}
    state = opt.init(params)
    for _ in range(2000):  # maximize -0.5 * c * (p - t)^2, whose gradient is the negation
        grads = {"p": -quadratic_grad(params, curvature, target)["p"]}
        params, state = opt.update(params, grads, state)
    np.testing.assert_allclose(params["p"], target, atol=1e-3)


def test_adamw_decay_pulls_toward_zero():
    # With zero gradients only the decoupled decay acts: p_t = p_0 * (1 - lr*wd)^t.
    opt = AdamW(lr=0.1, weight_decay=0.5)
    params = {"p": np.array([2.0, -4.0])}
    state = opt.init(params)
    for _ in range(10):
        params, state = opt.update(params, {"p": np.zeros(2)}, state)
    np.testing.assert_allclose(params["p"], np.array([2.0, -4.0]) * 0.95**10, rtol=1e-12)


# ---------------------------------------------------------------- validation and errors


def test_defaults_match_torch():
    adam, adamw = Adam(), AdamW()
    assert (adam.lr, adam.betas, adam.eps, adam.weight_decay, adam.amsgrad) == (
        1e-3, (0.9, 0.999), 1e-8, 0.0, False)
    assert (adamw.lr, adamw.betas, adamw.weight_decay) == (1e-3, (0.9, 0.999), 1e-2)
    rms = RMSprop()
    assert (rms.lr, rms.alpha, rms.eps, rms.momentum) == (1e-2, 0.99, 1e-8, 0.0)
    ada = Adagrad()
    assert (ada.lr, ada.lr_decay, ada.initial_accumulator_value, ada.eps) == (1e-2, 0.0, 0.0, 1e-10)
    sgd = SGD(0.1)
    assert (sgd.momentum, sgd.dampening, sgd.weight_decay, sgd.nesterov) == (0.0, 0.0, 0.0, False)
    with pytest.raises(TypeError):
        SGD()  # lr is required
    assert "Adam(lr=0.001" in repr(adam)


@pytest.mark.parametrize(("factory", "message"), [
    (lambda: SGD(-0.1), "Invalid learning rate"),
    (lambda: SGD(float("nan")), "Invalid learning rate"),
    (lambda: SGD(0.1, momentum=-1), "Invalid momentum value"),
    (lambda: SGD(0.1, weight_decay=-1), "Invalid weight_decay value"),
    (lambda: SGD(0.1, nesterov=True), "Nesterov momentum requires"),
    (lambda: SGD(0.1, momentum=0.9, dampening=0.1, nesterov=True), "Nesterov momentum requires"),
    (lambda: Adagrad(lr=-1), "Invalid learning rate"),
    (lambda: Adagrad(lr_decay=-1), "Invalid lr_decay value"),
    (lambda: Adagrad(weight_decay=-1), "Invalid weight_decay value"),
    (lambda: Adagrad(initial_accumulator_value=-1), "Invalid initial_accumulator_value"),
    (lambda: Adagrad(eps=-1), "Invalid epsilon value"),
    (lambda: RMSprop(lr=-1), "Invalid learning rate"),
    (lambda: RMSprop(alpha=-1), "Invalid alpha value"),
    (lambda: RMSprop(eps=-1), "Invalid epsilon value"),
    (lambda: RMSprop(momentum=-1), "Invalid momentum value"),
    (lambda: RMSprop(weight_decay=-1), "Invalid weight_decay value"),
    (lambda: Adam(lr=-1), "Invalid learning rate"),
    (lambda: Adam(eps=-1), "Invalid epsilon value"),
    (lambda: Adam(betas=(1.0, 0.999)), "Invalid beta parameter at index 0"),
    (lambda: Adam(betas=(0.9, -0.1)), "Invalid beta parameter at index 1"),
    (lambda: Adam(weight_decay=-1), "Invalid weight_decay value"),
    (lambda: AdamW(lr=-1), "Invalid learning rate"),
    (lambda: AdamW(weight_decay=-1), "Invalid weight_decay value"),
])
def test_hyperparameter_validation(factory, message):
    with pytest.raises(ValueError, match=message):
        factory()


def test_structure_and_leaf_errors_name_the_path():
    opt = Adam()
    params = {"W1": [np.ones(2), np.ones(3)], "b": 1.0}
    state = opt.init(params)
    with pytest.raises(TypeError, match=r"params\['W1'\] is a list of 2 items but grads\['W1'\]"):
        opt.update(params, {"W1": [np.ones(2)], "b": 1.0}, state)
    with pytest.raises(TypeError, match=r"grads is a dict with keys \['W1'\]"):
        opt.update(params, {"W1": [np.ones(2), np.ones(3)]}, state)
    with pytest.raises(ValueError, match=r"grads\['W1'\]\[1\] has shape \(2,\) but params"):
        opt.update(params, {"W1": [np.ones(2), np.ones(2)], "b": 1.0}, state)
    with pytest.raises(TypeError, match=r"grads\['b'\] is complex"):
        opt.update(params, {"W1": [np.ones(2), np.ones(3)], "b": 1j}, state)
    with pytest.raises(TypeError, match=r"params\['n'\] has dtype int64"):
        opt.init({"n": np.arange(3)})
    with pytest.raises(TypeError, match=r"params\['name'\] has type str"):
        opt.init({"name": "layer"})


def test_foreign_state_is_rejected():
    params = {"w": np.ones(2)}
    with pytest.raises(TypeError, match="dict returned by init"):
        Adam().update(params, params, {"w": 0})
    with pytest.raises(TypeError, match="exp_avg"):
        Adam().update(params, params, SGD(0.1).init(params))
    opt = SGD(0.1)
    state = opt.init(params)
    opt.momentum = 0.9  # now it needs a buffer the old state lacks
    with pytest.raises(TypeError, match="call init"):
        opt.update(params, params, state)


# ---------------------------------------------------------------- torch and GPU (optional)


@pytest.mark.parametrize(("cls", "reference", "options"), CASES, ids=IDS)
def test_matches_torch_when_available(cls, reference, options):
    torch = pytest.importorskip("torch")
    params, grads = make_problem()
    final, _ = run_functional(cls(**options), params, grads)
    tensor = torch.tensor(flat(params), requires_grad=True)
    torch_opt = getattr(torch.optim, cls.__name__)([tensor], **options)
    for vector in grads:
        tensor.grad = torch.tensor(vector)
        torch_opt.step()
    np.testing.assert_allclose(flat(final), tensor.detach().numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.gpu
@pytest.mark.parametrize(("cls", "reference", "options"), CASES, ids=IDS)
def test_cupy_matches_numpy(cls, reference, options):
    cupy = pytest.importorskip("cupy")
    if not has_gpu():
        pytest.skip("no usable CUDA GPU")
    params, grads = make_problem(np.float32)
    on_cpu, _ = run_functional(cls(**options), params, grads, np.float32)
    opt, gpu_params = cls(**options), to_device(params, "cuda")
    gpu_params["b"][1] = cupy.asarray(gpu_params["b"][1], dtype=cupy.float32)
    for vector in grads:
        opt.step(gpu_params, to_device(grad_tree(vector, np.float32), "cuda"))
    assert isinstance(gpu_params["w"], cupy.ndarray) and gpu_params["w"].dtype == cupy.float32
    np.testing.assert_allclose(flat(to_device(gpu_params, "cpu")), flat(on_cpu), rtol=2e-4,
                               atol=2e-5)
