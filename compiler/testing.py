"""Helpers for users' own test suites: `assert_gradient_proved`.

    from agc.testing import assert_gradient_proved

    def test_my_loss_gradient():
        assert_gradient_proved(my_loss, w0, x0, wrt=("w",))
"""

from __future__ import annotations

from .proof.verify import VerificationResult, verify

__all__ = ["assert_gradient_proved"]


def assert_gradient_proved(f, *example_args, wrt=None, allow_inconclusive: bool = False,
                           **options) -> VerificationResult:
    """Prove agc's gradient of `f` at `example_args` with sympy, or fail the test.

    Raises AssertionError with the full report (the path taken, each derivative
    sympy found, agc's adjoint, the counterexample) unless the result is PROVED;
    with `allow_inconclusive=True`, an INCONCLUSIVE result that agrees at random
    points passes too. `options` go to `agc.verify` (`points`, `simplify_seconds`).
    Returns the result.
    """
    result = verify(f, *example_args, wrt=wrt, **options)
    accepted = result.proved or (allow_inconclusive and result.status.name == "INCONCLUSIVE"
                                 and result.error is None)
    if not accepted:
        raise AssertionError(f"agc's gradient is not proved:\n{result}")
    return result
