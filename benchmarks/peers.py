"""Adapters giving every AD tool the same shape: build(case) -> (grad_fn, convert)."""
import importlib
import importlib.metadata
import inspect

import numpy as np
from rebind import rebind


class Unsupported(Exception):
    """The tool cannot handle this workload by design (not a bug in the harness)."""


def wrt_indices(case):
    """Positions of the case's wrt names in its model's signature."""
    params = list(inspect.signature(case.fn).parameters)
    return tuple(params.index(name) for name in case.wrt)


def as_tuple(grads, count):
    """Normalise a tool's gradient result to a tuple of length count."""
    return tuple(grads) if count > 1 else (grads[0] if isinstance(grads, tuple) else grads,)


def version_of(dist_name):
    """Installed version of a distribution, or '?'."""
    try:
        return importlib.metadata.version(dist_name)
    except importlib.metadata.PackageNotFoundError:
        return "?"


class Tool:
    """Base adapter: numpy in, numpy out, nothing to convert."""

    key = "tool"
    label = "tool"
    module = None   # module imported by probe()
    dist = None     # distribution name for the version, default: module

    def probe(self):
        """None when usable, else the reason the tool is absent."""
        try:
            importlib.import_module(self.module)
        except Exception as exc:  # noqa: BLE001 - any import failure means absent
            return f"import {self.module} failed: {type(exc).__name__}: {exc}"
        return None

    def version(self):
        """Version string for the report header."""
        return version_of(self.dist or self.module)

    def convert(self, case, args):
        """Inputs in the tool's native types."""
        return args

    def runner(self, case):
        """(grad_fn, args) -> the result compared and timed: the case's own runner."""
        return case.run

    def finish(self, result):
        """Wait for asynchronous work (jax) before the clock stops."""
        return result

    def to_numpy(self, value):
        """A gradient array as a float64 numpy array."""
        return np.asarray(value, dtype=np.float64)


class Hand(Tool):
    """The hand-written adjoint (the reference)."""

    key, label, module = "hand", "hand-written", "numpy"

    def build(self, case):
        """The adjoint itself."""
        return case.adjoint


class Expert(Hand):
    """An expert's adjoint (constants folded, reductions as np.dot), where a case has one."""

    key, label = "expert", "expert adjoint"

    def build(self, case):
        """The expert adjoint."""
        return case.expert


class Agc(Tool):
    """agc.differentiate(f, wrt=names).grad(*args)."""

    key, label, module, dist = "agc", "agc", "agc", "agc-autodiff"

    def probe(self):
        reason = super().probe()
        if reason is None and not hasattr(importlib.import_module("agc"), "differentiate"):
            reason = "agc imports but has no agc.differentiate yet"
        return reason

    def build(self, case):
        """agc's compiled gradient, normalised to a tuple."""
        import agc
        f_d = agc.differentiate(case.fn, wrt=case.wrt)
        count = len(case.wrt)
        return lambda *args: as_tuple(f_d.grad(*args), count)


class Autograd(Tool):
    """autograd.grad over the same source run with autograd.numpy."""

    key, label, module = "autograd", "autograd", "autograd"

    def build(self, case):
        """autograd.grad of a wrapper taking the wrt arguments as one tuple."""
        import autograd
        import autograd.numpy as anp
        model, idx = rebind(case.fn, anp), wrt_indices(case)

        def packed(params, args):
            full = list(args)
            for j, i in enumerate(idx):
                full[i] = params[j]
            return model(*full)

        g = autograd.grad(packed)
        return lambda *args: tuple(g(tuple(args[i] for i in idx), args))


class Tangent(Tool):
    """tangent.grad (source transformation) of the numpy model."""

    key, label, module, dist = "tangent", "tangent-ad", "tangent", "tangent-ad"

    def build(self, case):
        """tangent's generated gradient function."""
        import tangent
        idx = wrt_indices(case)
        g = tangent.grad(case.fn, wrt=idx, verbose=0)
        return lambda *args: as_tuple(g(*args), len(idx))


class Torch(Tool):
    """torch.autograd.grad over the hand-translated eager torch model."""

    key, label, module = "torch", "torch eager", "torch"

    def build(self, case):
        """Detach, require grad, run the torch model, torch.autograd.grad."""
        import torch
        from workloads import gb_torch, torch_models
        models = gb_torch if case.torch_fn.startswith("gb_") else torch_models
        model, idx = getattr(models, case.torch_fn), wrt_indices(case)

        def grad_fn(*args):
            full = list(args)
            for i in idx:
                full[i] = full[i].detach().requires_grad_()
            return torch.autograd.grad(model(*full), [full[i] for i in idx])

        return grad_fn

    def convert(self, case, args):
        import torch
        idx = wrt_indices(case)
        out = []
        for i, a in enumerate(args):
            if isinstance(a, np.ndarray):
                a = torch.from_numpy(a)
            elif isinstance(a, float) and i in idx:
                a = torch.tensor(a, dtype=torch.float64)
            out.append(a)
        return tuple(out)

    def to_numpy(self, value):
        if hasattr(value, "detach"):
            value = value.detach().numpy()
        return np.asarray(value, dtype=np.float64)


class JaxEager(Tool):
    """jax.grad over the same source run with jax.numpy, no jit (x64 enabled)."""

    key, label, module = "jax", "jax eager", "jax"

    def probe(self):
        reason = super().probe()
        if reason is None:
            import jax
            jax.config.update("jax_enable_x64", True)
        return reason

    def model(self, case):
        """The case's jax model (workloads/gb_jax.py), else its numpy source on jax.numpy."""
        import jax.numpy as jnp
        if case.jax_fn:
            return getattr(importlib.import_module("workloads.gb_jax"), case.jax_fn)
        return rebind(case.fn, jnp)

    def grad(self, case):
        """jax.grad of the jax model."""
        import jax
        return jax.grad(self.model(case), argnums=wrt_indices(case))

    def build(self, case):
        """The un-jitted gradient."""
        return self.grad(case)

    def convert(self, case, args):
        import jax.numpy as jnp
        return tuple(jnp.asarray(a) if isinstance(a, np.ndarray) else a for a in args)

    def finish(self, result):
        import jax
        return jax.block_until_ready(result)


class JaxJit(JaxEager):
    """jax.jit(jax.grad(...)); integer arguments are static."""

    key, label = "jit", "jax.jit"

    def model(self, case):
        """The idiomatic jit form (lax.scan, fori_loop) where the case has one."""
        if case.jit_fn:
            return getattr(importlib.import_module("workloads.gb_jax"), case.jit_fn)
        return super().model(case)

    def runner(self, case):
        """The case's runner, or a jitted whole run (a training loop as lax.fori_loop)."""
        if not case.jit_run:
            return case.run
        make, compiled = getattr(importlib.import_module("workloads.gb_jax"), case.jit_run), {}

        def run(grad_fn, args):
            if grad_fn not in compiled:
                compiled[grad_fn] = make(grad_fn)
            return compiled[grad_fn](args)

        return run

    def build(self, case):
        """jit of the jax.grad function."""
        import jax
        static = tuple(i for i, a in enumerate(case.args) if isinstance(a, int))
        return jax.jit(self.grad(case), static_argnums=static)


GRAD_TOOLS = (Agc(), Hand(), Expert(), Torch(), JaxEager(), JaxJit(), Autograd(), Tangent())
COLUMNS = ("agc", "hand", "expert", "forward", "torch", "jax", "jit", "autograd", "tangent")
LABELS = {t.key: t.label for t in GRAD_TOOLS} | {"forward": "forward only"}


def tool(key):
    """The adapter with this key."""
    return next(t for t in GRAD_TOOLS if t.key == key)
