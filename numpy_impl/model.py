"""The one L-layer forward and backward loop (course layout).

``X (n_x, m)``, ``params`` = ``{"W1": (n1, n_x), "b1": (n1, 1), ..., "WL", "bL"}``.
Hidden layers share one activation; the output layer has its own. Inverted dropout
may follow each hidden layer; its masks are kept in the caches and can be replayed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from numpy_impl._validate import (
    as_float_array,
    check_finite,
    check_masks,
    check_params,
    check_positive,
    check_softmax_units,
    is_float_array,
)
from numpy_impl.activations import (
    HIDDEN_ACTIVATIONS,
    OUTPUT_ACTIVATIONS,
    Activation,
    backward_from_output,
    forward_into,
    get_activation,
    overwriting,
)
from numpy_impl.buffers import Buffers
from numpy_impl.config import KeepProbs, normalize_keep_probs
from numpy_impl.costs import check_targets, resolve_loss

# The loops below run on validated inputs, so they call the unchecked cores of the public
# functions, bound here to the public names they implement (parity's planted-bug tests
# replace these module attributes to prove that a mistake in them is caught).
from numpy_impl.costs import output_gradient as output_delta
from numpy_impl.layers import LayerCache, linear_gradients, transposed_dW
from numpy_impl.layers import linear_gradients as linear_backward
from numpy_impl.regularization import bernoulli_mask
from numpy_impl.regularization import inverted_dropout as apply_dropout
from numpy_impl.regularization import l2_penalty_gradient as l2_gradient
from numpy_impl.rng import SeedLike, as_generator


def model_forward(X: np.ndarray, params: Mapping[str, np.ndarray],
                  hidden_activation: str = "relu", output_activation: str = "sigmoid",
                  keep_probs: KeepProbs = None, rng: SeedLike = None,
                  masks: Mapping[int, np.ndarray] | None = None,
                  ) -> tuple[np.ndarray, list[LayerCache]]:
    """Forward through all L layers: returns ``(AL (n_L, m), caches)``.

    ``keep_probs``: a float or one value per hidden layer (1.0 = no dropout). Masks are
    drawn from ``rng`` (a seed or Generator, required when dropping out), or replayed
    from ``masks`` = ``{l: D_l (n_l, m)}``; the masks used are in ``caches[l-1].D``.
    """
    X = as_float_array(X, "X", ndim=2)
    dims = check_params(params)
    # lists of floats are read as arrays (check_params accepted them): the caches hold arrays
    params = {k: v if isinstance(v, np.ndarray) else np.asarray(v) for k, v in params.items()}
    L = len(dims) - 1
    if X.shape[0] != dims[0]:
        raise ValueError(f"X has shape {X.shape}; expected ({dims[0]}, m) to match params['W1']")
    if X.shape[1] == 0:
        raise ValueError(f"X has shape {X.shape}; expected at least one example (m >= 1)")
    if X.dtype != params["W1"].dtype:
        raise TypeError(f"X has dtype {X.dtype} but params are {params['W1'].dtype}; "
                        "expected the same dtype")
    # X's finiteness is checked on the first layer's Z (see forward_pass), not by a scan of
    # X; any error below is preceded by that scan, so the first error reported is the same
    try:
        hidden = get_activation(hidden_activation, HIDDEN_ACTIVATIONS, "hidden_activation")
        output = get_activation(output_activation, OUTPUT_ACTIVATIONS, "output_activation")
        check_softmax_units(output_activation, dims[-1])
        probs = normalize_keep_probs(keep_probs, L - 1)
        check_masks(masks, L - 1)
        masks = masks or {}
        needs_rng = any(p < 1.0 and i + 1 not in masks for i, p in enumerate(probs))
        if needs_rng and rng is None:
            raise ValueError("rng (a seed or numpy.random.Generator) is required for dropout "
                             "when keep_probs < 1 and no masks are given")
        gen = as_generator(rng, "rng") if needs_rng else None
    except Exception:
        check_finite(X, "X")
        raise
    return forward_pass(X, params, hidden, output, probs, masks, gen, input_name="X")


def forward_pass(X: np.ndarray, params: Mapping[str, np.ndarray], hidden: Activation,
                 output: Activation, probs: tuple[float, ...], masks: Mapping[int, np.ndarray],
                 rng: np.random.Generator | None, input_name: str | None = None,
                 buffers: Buffers | None = None) -> tuple[np.ndarray, list[LayerCache]]:
    """The forward loop on validated inputs (see ``model_forward``): the core that
    ``model_forward`` and ``NeuralNetwork`` share. ``probs`` has one keep probability per
    hidden layer; masks missing from ``masks`` are drawn from ``rng``. With ``input_name``,
    ``X`` has not been checked for finiteness yet: the first layer checks it (see
    ``first_product``) before anything else happens (no mask is drawn before).
    ``buffers``: the training step's own, for each layer's Z and a relu's output (the
    caches then hold arrays the next step overwrites)."""
    L = len(probs) + 1
    A, caches = X, []
    into = None if buffers is None else forward_into(hidden.forward)
    for layer in range(1, L + 1):
        W, b = params[f"W{layer}"], params[f"b{layer}"]
        shape = None if buffers is None else (W.shape[0], A.shape[1])
        out = None if buffers is None else buffers.get(("Z", layer), shape, W.dtype)
        if layer == 1 and input_name is not None:
            Z = first_product(W, X, b, input_name, out)
        else:
            Z = np.matmul(W, A, out=out)
            Z += b  # in place on the fresh product: one pass less over an (n_l, m) array
        if layer < L and into is not None:
            A_new = into(Z, buffers.get(("A", layer), shape, W.dtype))
        else:
            A_new = (output if layer == L else hidden).forward(Z)
        D, keep = None, (probs[layer - 1] if layer < L else 1.0)
        if keep < 1.0:
            D = masks.get(layer)
            if D is None:
                D = bernoulli_mask(A_new.shape, keep, rng, A_new.dtype)
            elif np.shape(D) != A_new.shape:
                raise ValueError(f"masks[{layer}] has shape {np.shape(D)}; "
                                 f"expected {A_new.shape}")
            A_new = apply_dropout(A_new, D, keep)
        caches.append(LayerCache(A, W, b, Z, D, keep))
        A = A_new
    return A, caches


def first_product(W: np.ndarray, X: np.ndarray, b: np.ndarray, name: str,
                  out: np.ndarray | None = None) -> np.ndarray:
    """``Z = W X + b`` (``W (n_1, n_x)``, ``X (n_x, m)``, ``b (n_1, 1)``; into ``out`` when
    given), raising
    ``check_finite(X, name)``'s error if ``X`` holds NaN or infinity, at O(n_1 m) instead
    of a scan of ``X``: a NaN or infinity in ``X`` always reaches ``Z``'s column (every
    product with it is infinite or NaN, 0 * inf and 0 * NaN included), so ``Z`` is summed
    and ``X`` is only scanned when that sum is not finite and neither is ``Z``. ``X`` is then
    finite only if the product overflowed: it is recomputed so that numpy warns as the
    unchecked product does. (``np.sum``, not a BLAS dot: it never waits for BLAS threads.)
    (This needs a BLAS that multiplies every operand, as OpenBLAS and MKL do, not one that
    skips zeros: tests/test_fast_path.py checks it, a zero ``W`` included.)
    """
    with np.errstate(over="ignore", invalid="ignore"):
        Z = np.matmul(W, X, out=out)
        Z += b
        total = np.add.reduce(Z, axis=None)  # np.sum without its Python wrapper
    if np.isfinite(total) or np.all(np.isfinite(Z)):  # or only the sum overflowed
        return Z
    check_finite(X, name)
    Z = W @ X
    Z += b
    return Z


def model_backward(AL: np.ndarray, Y: np.ndarray, caches: Sequence[LayerCache],
                   hidden_activation: str = "relu", output_activation: str = "sigmoid",
                   loss: str | None = None, lambd: float = 0.0, input_gradient: bool = True,
                   ) -> dict[str, np.ndarray]:
    """Backward through all L layers: returns ``{"dW1", "db1", ..., "dA0", ..., "dA{L-1}"}``.

    ``dW{l}``, ``db{l}`` are gradients of the mean cost (L2 included: + (lambd/m) W);
    ``dA{l}`` is per example (the gradient of m * cost), as in the course: divide by m
    for the gradient of the mean cost with respect to ``A{l}`` (``dA0``: the input X).
    ``input_gradient=False`` leaves ``dA0`` out (and its matmul, a third of the first
    layer's work): for callers that need only the parameters' gradients.
    """
    loss = resolve_loss(output_activation, loss)
    AL, Y = check_targets(AL, Y, loss)
    check_finite(AL, "AL")
    _check_caches(caches, AL)
    hidden = get_activation(hidden_activation, HIDDEN_ACTIVATIONS, "hidden_activation")
    check_softmax_units(output_activation, AL.shape[0])
    lambd = check_positive(lambd, "lambd", allow_zero=True)
    if not isinstance(input_gradient, (bool, np.bool_)):
        raise TypeError(f"input_gradient must be a bool, got {type(input_gradient).__name__}")
    return backward_pass(AL, Y, caches, hidden, output_activation, loss, lambd,
                         bool(input_gradient))


def _check_caches(caches: object, AL: np.ndarray) -> None:
    """Raise unless ``caches`` is model_forward's list of LayerCache, consistent with AL:
    shapes only (O(L)), never a scan of the arrays."""
    if isinstance(caches, (str, bytes)) or not isinstance(caches, Sequence):
        raise TypeError(f"caches must be the list of LayerCache from model_forward, got "
                        f"{type(caches).__name__}")
    if len(caches) == 0:
        raise ValueError("caches is empty; expected one LayerCache per layer from model_forward")
    m = AL.shape[1]
    for layer, cache in enumerate(caches, start=1):
        if not isinstance(cache, LayerCache):
            raise TypeError(f"caches[{layer - 1}] must be a LayerCache from model_forward, "
                            f"got {type(cache).__name__}")
        for name in ("A_prev", "W", "b", "Z"):
            arr = getattr(cache, name)
            if is_float_array(arr, 2):
                continue
            if not isinstance(arr, np.ndarray):
                raise TypeError(f"caches[{layer - 1}].{name} must be a numpy array (from "
                                f"model_forward), got {type(arr).__name__}")
            as_float_array(arr, f"caches[{layer - 1}].{name}", ndim=2)
        n_l = cache.W.shape[0]
        expected = {"A_prev": (cache.W.shape[1], m), "b": (n_l, 1), "Z": (n_l, m)}
        for name, shape in expected.items():
            if getattr(cache, name).shape != shape:
                raise ValueError(f"caches[{layer - 1}].{name} has shape "
                                 f"{getattr(cache, name).shape}; expected {shape} for "
                                 f"AL with m = {m}")
        if cache.D is not None and np.shape(cache.D) != (n_l, m):
            raise ValueError(f"caches[{layer - 1}].D has shape {np.shape(cache.D)}; "
                             f"expected {(n_l, m)}")
        if layer > 1 and cache.A_prev.shape[0] != caches[layer - 2].W.shape[0]:
            raise ValueError(f"caches[{layer - 1}].A_prev has {cache.A_prev.shape[0]} rows "
                             f"but layer {layer - 1} has {caches[layer - 2].W.shape[0]} "
                             "units; expected the caches of one forward pass")
    if caches[-1].Z.shape != AL.shape:
        raise ValueError(f"caches end with Z of shape {caches[-1].Z.shape}; expected "
                         f"{AL.shape} like AL")


def backward_pass(AL: np.ndarray, Y: np.ndarray, caches: Sequence[LayerCache],
                  hidden: Activation, output_activation: str, loss: str, lambd: float,
                  input_gradient: bool = True, upstream: bool = True,
                  buffers: Buffers | None = None, kept_grads: bool = False,
                  ) -> dict[str, np.ndarray]:
    """The backward loop on validated inputs (see ``model_backward``): the core that
    ``model_backward`` and ``NeuralNetwork`` share. Without ``input_gradient`` there is no
    ``dA0``; without ``upstream`` no ``dA{l}`` at all (a training step needs neither), and
    ``buffers`` (the training step's own) can hold them; with ``kept_grads`` the ``dW{l}``
    too (for a caller that is done with the gradients before its next step)."""
    L, m = len(caches), AL.shape[1]
    grads: dict[str, np.ndarray] = {}
    dZ = output_delta(AL, caches[-1].Z, Y, output_activation, loss)
    from_output, by_input = backward_from_output(hidden), hidden.backward
    if not upstream:  # no dA{l} is returned: each is this loop's own, dZ may overwrite it
        from_output = from_output and overwriting(from_output)
        by_input = overwriting(by_input)
    # dA{l} into a kept array: only by the unreplaced core (a planted bug takes 3 arguments)
    scratch = buffers if not upstream and linear_backward is linear_gradients else None
    for layer in range(L, 0, -1):
        cache = caches[layer - 1]
        need_dA_prev = layer > 1 or input_gradient
        if scratch is not None:
            dtype = cache.W.dtype
            dA_out = (scratch.get(("dA", layer - 1), cache.A_prev.shape, dtype)
                      if need_dA_prev else None)
            dW_out = (scratch.get(("dW", layer), cache.W.shape, dtype)
                      if kept_grads and not transposed_dW(cache.W.shape) else None)
            dA_prev, dW, db = linear_backward(dZ, cache.linear_cache, need_dA_prev, dA_out,
                                              dW_out)
        else:
            dA_prev, dW, db = linear_backward(dZ, cache.linear_cache, need_dA_prev)
        if lambd:
            dW = dW + l2_gradient(cache.W, lambd, m)
        grads[f"dW{layer}"], grads[f"db{layer}"] = dW, db
        if layer > 1:
            below = caches[layer - 2]
            if below.D is not None:
                dA_prev = apply_dropout(dA_prev, below.D, below.keep_prob)
                dZ = by_input(dA_prev, below.Z)
            elif from_output is not None:  # this layer's input is g(Z) of the layer below
                dZ = from_output(dA_prev, cache.A_prev)
            else:
                dZ = by_input(dA_prev, below.Z)
        if need_dA_prev and upstream:
            grads[f"dA{layer - 1}"] = dA_prev
    return grads
