"""Where argument ranks are known, the emitted adjoint is plain numpy, checked against FD."""

import numpy as np
import pytest
from gradcheck import import_file, numeric_grad

MODELS = '''
import numpy as np
import agc


@agc.differentiate(wrt=("A", "v"))
def products(A, v, B):
    u = A @ v
    w = v @ B
    return np.dot(u, u) + np.dot(w, v[:2]) + np.sum(A.T @ A) + np.sum(A @ B)
'''


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    path = tmp_path_factory.mktemp("emitted") / "emitted_models.py"
    path.write_text(MODELS)
    return import_file(path)


def test_matrix_products_of_known_ranks(models):
    rng = np.random.default_rng(0)
    args = (rng.standard_normal((3, 4)), rng.standard_normal(4), rng.standard_normal((4, 2)))
    gA, gv = models.products.grad(*args)
    np.testing.assert_allclose(gA, numeric_grad(models.products.fn, args, 0), rtol=1e-6)
    np.testing.assert_allclose(gv, numeric_grad(models.products.fn, args, 1), rtol=1e-6)
    source = next(iter(models.products._compiled.values())).source
    assert "matmul_grad" not in source
    for line in ("u_bar = t4_bar * (2 * u)", "A_bar = A_bar + u_bar[:, None] * v",
                 "v_bar = v_bar + u_bar @ A", "v_bar = v_bar + B @ w_bar"):
        assert line in source, line
