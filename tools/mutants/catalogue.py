"""The catalogue of classic from-scratch mistakes, each a textual change to numpy_impl."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Mistake:
    """One classic mistake: replace ``old`` by ``new`` (exactly once) in ``file``."""

    name: str
    file: str
    old: str
    new: str


CATALOGUE: tuple[Mistake, ...] = (
    Mistake("missing 1/m in dW", "layers.py", "dW /= m", "dW /= 1"),
    Mistake("db summed over the wrong axis", "layers.py",
            "db = np.add.reduce(dZ, axis=1, keepdims=True)",
            "db = np.add.reduce(dZ, axis=0, keepdims=True)"),
    Mistake("relu derivative inverted", "activations.py",
            "np.multiply(dA, Z > 0, out=out)", "np.multiply(dA, Z <= 0, out=out)"),
    Mistake("relu derivative off at zero", "activations.py",
            "np.multiply(dA, Z > 0, out=out)", "np.multiply(dA, Z >= 0, out=out)"),
    Mistake("missing transpose in dA_prev", "layers.py",
            "np.matmul(W.T, dZ, out=dA_out)", "np.matmul(W, dZ, out=dA_out)"),
    Mistake("transpose missing in dW", "layers.py",
            "dW = (A_prev @ dZ.T).T if", "dW = (A_prev @ dZ.T) if"),
    Mistake("dropout mask not rescaled", "regularization.py",
            "return A * D / A.dtype.type(keep_prob)", "return A * D"),
    Mistake("L2 gradient missing its lambd/m", "regularization.py",
            "return (lambd / m) * W", "return W"),
    Mistake("L2 cost missing its 1/2", "regularization.py",
            "return lambd / (2.0 * m) * total", "return lambd / m * total"),
    Mistake("Adam bias correction missing", "optimizers.py",
            "v_hat, s_hat = v[dk] / (1 - b1**t), s[dk] / (1 - b2**t)",
            "v_hat, s_hat = v[dk], s[dk]"),
    Mistake("Adam epsilon inside the square root", "optimizers.py",
            "alpha_t * v[dk] / (np.sqrt(s[dk]) + eps)", "alpha_t * v[dk] / np.sqrt(s[dk] + eps)"),
    Mistake("momentum sign", "optimizers.py",
            'new = {k: W - W.dtype.type(lr) * v[f"d{k}"]',
            'new = {k: W + W.dtype.type(lr) * v[f"d{k}"]'),
    Mistake("momentum without (1 - beta)", "optimizers.py",
            'v = {k: b * state["v"][k] + (1 - b) * grads[k]',
            'v = {k: b * state["v"][k] + grads[k]'),
    Mistake("softmax not shifted", "activations.py",
            "shifted = Z - np.max(Z, axis=axis, keepdims=True)", "shifted = Z"),
    Mistake("cost sign", "costs.py",
            "return float(-np.mean(np.log(p_true)))", "return float(np.mean(np.log(p_true)))"),
    Mistake("logits cost without log1p", "costs.py",
            "np.log1p(softplus, out=softplus)", "pass"),
    Mistake("sigmoid derivative missing (1 - s)", "activations.py",
            "dZ *= 1.0 - s", "pass"),
    Mistake("tanh derivative 1 - t", "activations.py",
            "return dA * (1.0 - t * t)", "return dA * (1.0 - t)"),
    Mistake("output delta sign", "costs.py", "    return AL - Y", "    return Y - AL"),
    Mistake("leaky relu slope lost in backward", "activations.py",
            "np.where(Z > 0, dA, alpha * dA)", "np.where(Z > 0, dA, 0 * dA)"),
    # convolutional layers (the probe runs parity.LAYERED_ZOO)
    Mistake("conv kernel flipped (true convolution)", "conv.py",
            "Z = _correlate(_zero_pad(A_prev, pads), W, s, n_H, n_W)",
            "Z = _correlate(_zero_pad(A_prev, pads), W[::-1, ::-1], s, n_H, n_W)"),
    Mistake("same padding off by one (extra row at the top)", "conv.py",
            "return total // 2, total - total // 2, n_out",
            "return total - total // 2, total // 2, n_out"),
    Mistake("conv stride ignored in the backward pass", "conv.py",
            "dW = _rows_tmatmul(_im2col(A_prev_pad, f_H, f_W, s, n_H, n_W), dZ_rows)",
            "dW = _rows_tmatmul(_im2col(A_prev_pad, f_H, f_W, (1, 1), n_H, n_W), dZ_rows)"),
    Mistake("max-pool gradient sent to every position of the window", "pooling.py",
            "share = share * dA[..., None, None]",
            "share = np.ones_like(share) * dA[..., None, None]"),
    Mistake("batchnorm backward without the mean term", "batchnorm.py",
            "dX = cache.inv_std * (g - g.mean(axis=axes, keepdims=True)",
            "dX = cache.inv_std * (g"),
    Mistake("moving statistics updated with the wrong momentum", "batchnorm.py",
            "new_mean = mm_k * momentum + mu * (1.0 - momentum)",
            "new_mean = mm_k * (1.0 - momentum) + mu * momentum"),
    Mistake("He initialisation with 1/n", "initializers.py",
            '"he": np.sqrt(2.0 / fan_in)', '"he": np.sqrt(1.0 / fan_in)'),
)

FAST_CATALOGUE = ("missing 1/m in dW", "relu derivative off at zero",
                  "Adam bias correction missing", "softmax not shifted",
                  "batchnorm backward without the mean term")




def apply_mistake(root: Path, mistake: Mistake) -> None:
    """Apply ``mistake`` to ``root/numpy_impl``; the pattern must occur exactly once."""
    path = root / "numpy_impl" / mistake.file
    source = path.read_text()
    if source.count(mistake.old) != 1:
        raise ValueError(f"mistake {mistake.name!r}: {mistake.old!r} occurs "
                         f"{source.count(mistake.old)} times in numpy_impl/{mistake.file}; "
                         "expected exactly once")
    path.write_text(source.replace(mistake.old, mistake.new))
