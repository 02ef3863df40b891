"""The Case record: one benchmark row (model, inputs, hand-written adjoint)."""
from collections.abc import Callable
from dataclasses import dataclass


def call_once(grad_fn, args):
    """Default runner: one gradient call on the case's inputs."""
    return grad_fn(*args)


@dataclass
class Case:
    """One row of the timing table."""

    name: str                      # row label, e.g. "gmm_vec d=2 K=5 n=1000"
    workload: str                  # workload name used by --only
    fn: Callable                   # the plain-numpy model given to agc/autograd/jax/tangent
    wrt: tuple                     # names of the arguments to differentiate
    args: tuple                    # inputs (numpy arrays / Python scalars)
    adjoint: Callable              # hand-written gradient: same signature, returns a tuple
    torch_fn: str                  # name of the torch translation in workloads/torch_models.py
    run: Callable = call_once      # (grad_fn, args) -> result compared and timed
    forward: Callable | None = None   # zero-arg forward-only work; default fn(*args)
    rtol: float = 1e-7             # np.allclose rtol against the hand-written adjoint
    atol: float = 1e-10            # atol, relative to max |reference| of each array
    check_args: tuple = ()         # extra argument tuples checked but not timed
    hand_note: str = ""            # footnote for the hand-written column
    group: str = "main"            # which timing table the row goes to ("gradbench")
    tools: tuple | None = None     # tool keys measured on this row (None: all)
    jax_fn: str = ""               # workloads/gb_jax.py model for both jax columns
    jit_fn: str = ""               # ... for jax.jit only (lax.scan / fori_loop form)
    jit_run: str = ""              # gb_jax.py maker of a jitted whole run (replaces `run`)
    expert: Callable | None = None  # an expert's adjoint (folded constants, np.dot), timed

    def forward_call(self):
        """Zero-arg callable running the forward pass only."""
        if self.forward is not None:
            return self.forward
        return lambda: self.fn(*self.args)
