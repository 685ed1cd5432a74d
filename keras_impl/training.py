"""Gradients and training with ``tf.GradientTape`` in the textbook's semantics.

Per batch: mean loss (see ``keras_impl.losses`` for the forms), plus
``lambd/(2m) sum ||W||^2`` with ``m`` this batch's size (so a ragged last batch is
handled exactly), dropout from injected masks, and a mapped optimizer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from keras_impl.layers import MaskedDropout
from keras_impl.losses import check_loss, data_loss, l2_term
from keras_impl.model import dense_layers, forward, kernel_layers, model_dtype

Masks = Mapping[int, Any] | None


def _as_array(value: Any, name: str, kinds: str, ndim: int = 2) -> np.ndarray:
    arr = value.numpy() if isinstance(value, tf.Tensor) else np.asarray(value)
    if arr.dtype.kind not in kinds:
        expected = "float32 or float64" if kinds == "f" else "numeric"
        raise TypeError(f"{name} must be {expected}, got dtype {arr.dtype}")
    if arr.ndim != ndim:
        layout = "(m, features)" if ndim == 2 else "(m, H, W, C)" if ndim == 4 else "(m, ...)"
        raise ValueError(f"{name} must be {ndim}-D {layout}, got shape {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} has shape {arr.shape}; expected at least one example")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got NaN or infinite values")
    return arr


def check_x(model: keras.Model, X: Any) -> tf.Tensor:
    """X of finite floats shaped like the model's input: ``(m, n_x)`` for a dense input,
    ``(m, H, W, C)`` for images; returned as a tensor in the model's dtype."""
    shape = tuple(model.input_shape[1:])
    X = _as_array(X, "X", "f", ndim=1 + len(shape))
    if X.shape[1:] != shape:
        raise ValueError(f"X has shape {X.shape}; expected (m, {', '.join(map(str, shape))}) "
                         "for this model")
    return tf.convert_to_tensor(X, dtype=model_dtype(model))


def check_xy(model: keras.Model, X: Any, Y: Any,
             loss: str | None = None) -> tuple[tf.Tensor, tf.Tensor]:
    """X as ``check_x``, Y ``(m, n_out)`` (labels may be ints), both finite; for
    "bce" Y holds 0/1 only, for "cce" one-hot rows."""
    X = check_x(model, X)
    Y = _as_array(Y, "Y", "biuf")
    n_out = model.output_shape[-1]
    if Y.shape != (X.shape[0], n_out):
        raise ValueError(f"Y has shape {Y.shape}; expected ({X.shape[0]}, {n_out})")
    if loss == "bce" and not np.all((Y == 0) | (Y == 1)):
        raise ValueError("Y must hold only 0 and 1 for a binary cost")
    if loss == "cce" and (np.any(Y < 0) or not np.allclose(Y.sum(axis=1), 1.0)):
        raise ValueError("Y must be one-hot (non-negative rows summing to 1) for "
                         "categorical cross-entropy")
    return X, tf.convert_to_tensor(Y, dtype=model_dtype(model))


def check_lambd(model: keras.Model, lambd: float) -> float:
    """``lambd`` as a float if it is a finite number >= 0. A model built for ``model.fit``
    with L2 kernel regularizers must get its ``lambd`` here too: the custom step computes
    L2 itself and does not read the regularizers, so a 0 would silently drop it."""
    if isinstance(lambd, bool) or not isinstance(lambd, (int, float, np.integer, np.floating)):
        raise TypeError(f"lambd must be a number, got {type(lambd).__name__}")
    if not np.isfinite(lambd) or lambd < 0:
        raise ValueError(f"lambd must be a finite number >= 0, got {lambd!r}")
    if not lambd and any(d.kernel_regularizer is not None for d in kernel_layers(model)):
        raise ValueError("this model has L2 kernel regularizers (built with lambd and "
                         "l2_batch_size for model.fit); pass the same lambd to the custom "
                         "step, batch_loss or gradients, which compute L2 per batch")
    return float(lambd)


def batch_loss(model: keras.Model, X: Any, Y: Any, loss: str = "bce",
               form: str = "probabilities", lambd: float = 0.0,
               masks: Masks = None, training: bool = False) -> Any:
    """The textbook cost of one batch: mean loss + ``lambd/(2m) sum ||W||^2``."""
    lambd = check_lambd(model, lambd)
    out = forward(model, X, masks, training)[-1]
    cost = data_loss(Y, out, loss, form)
    if lambd:
        cost = cost + l2_term(model, lambd, tf.shape(X)[0])
    return cost


def accuracy(model: keras.Model, X: Any, Y: Any, loss: str = "bce",
             form: str = "probabilities") -> float:
    """Accuracy in [0, 1] of the model in inference mode (no dropout, batch norm on its
    moving statistics) on ``X (m, n_x)`` or ``(m, H, W, C)``, ``Y (m, n_out)``:
    "bce" thresholds the probability at 0.5, "cce" compares the arg-max with the one-hot
    ``Y``; with ``form="logits"`` the output is taken through sigmoid/softmax first."""
    check_loss(loss, form)
    if loss == "mse":
        raise ValueError("accuracy needs a cross-entropy loss, got loss 'mse'")
    X, Y = check_xy(model, X, Y, loss)
    out = model(X, training=False)  # any Sequential: dense or a network of layers
    if form == "logits":
        out = keras.activations.sigmoid(out) if loss == "bce" else keras.activations.softmax(out)
    if loss == "bce":
        hits = keras.ops.equal(out > 0.5, Y > 0.5)
    else:
        hits = keras.ops.equal(keras.ops.argmax(out, axis=1), keras.ops.argmax(Y, axis=1))
    return float(keras.ops.mean(keras.ops.cast(hits, "float64")))


def gradients(model: keras.Model, X: Any, Y: Any, loss: str = "bce",
              form: str = "probabilities", lambd: float = 0.0,
              masks: Masks = None) -> dict[str, np.ndarray]:
    """Autodiff gradients of the batch cost, in the Keras layout.

    Returns ``{"loss": (), "kernel1": (n0, n1), "bias1": (n1,), ..., "input": (m, n_x)}``
    (``input``: the gradient of the mean cost with respect to ``X``).
    """
    check_loss(loss, form)
    X, Y = check_xy(model, X, Y, loss)
    layers = dense_layers(model)
    variables = [v for layer in layers for v in (layer.kernel, layer.bias)]
    with tf.GradientTape() as tape:
        tape.watch(X)
        cost = batch_loss(model, X, Y, loss, form, lambd, masks)
    grads = tape.gradient(cost, variables + [X])
    out: dict[str, np.ndarray] = {"loss": np.asarray(cost.numpy())}
    for i in range(len(layers)):
        out[f"kernel{i + 1}"] = grads[2 * i].numpy()
        out[f"bias{i + 1}"] = grads[2 * i + 1].numpy()
    out["input"] = grads[-1].numpy()
    return out


def make_train_step(model: keras.Model, optimizer: keras.optimizers.Optimizer,
                    loss: str = "bce", form: str = "probabilities",
                    lambd: float = 0.0, compiled: bool = False,
                    ) -> Callable[..., Any]:
    """A function ``step(X, Y, masks=None) -> cost`` doing one forward, backward and
    update; ``compiled=True`` wraps it in ``tf.function``. The cost is computed before
    the update."""
    check_loss(loss, form)
    lambd = check_lambd(model, lambd)
    variables = [v for layer in dense_layers(model) for v in (layer.kernel, layer.bias)]
    return tape_step(lambda X, Y, masks: batch_loss(model, X, Y, loss, form, lambd, masks,
                                                    training=True),
                     variables, optimizer, compiled)


def tape_step(cost_of: Callable[[Any, Any, Masks], Any], variables: list[Any],
              optimizer: keras.optimizers.Optimizer, compiled: bool) -> Callable[..., Any]:
    """The training step both kinds of model take: ``step(X, Y, masks=None) -> cost``
    computes ``cost_of(X, Y, masks)`` under a ``GradientTape`` and applies one update of
    ``optimizer`` to ``variables`` (the cost is the one before the update);
    ``compiled=True`` wraps it in ``tf.function``."""

    def step(X: Any, Y: Any, masks: Masks = None) -> Any:
        with tf.GradientTape() as tape:
            cost = cost_of(X, Y, masks)
        optimizer.apply_gradients(zip(tape.gradient(cost, variables), variables, strict=True))
        return cost

    return tf.function(step, reduce_retracing=True) if compiled else step


def train_step(model: keras.Model, optimizer: keras.optimizers.Optimizer, X: Any, Y: Any,
               loss: str = "bce", form: str = "probabilities", lambd: float = 0.0,
               masks: Masks = None) -> float:
    """One eager training step on ``X (m, n_x)``, ``Y (m, n_out)``; returns the cost."""
    check_loss(loss, form)
    X, Y = check_xy(model, X, Y, loss)
    return float(make_train_step(model, optimizer, loss, form, lambd)(X, Y, masks))


def fit(model: keras.Model, optimizer: keras.optimizers.Optimizer, X: Any, Y: Any,
        epochs: int = 1, batch_size: int | None = None, loss: str = "bce",
        form: str = "probabilities", method: str = "loop", compiled: bool = True,
        lambd: float = 0.0, make_step: Callable[..., Any] | None = None) -> list[float]:
    """Train without shuffling (batches are consecutive slices, the last one ragged);
    returns the example-weighted mean cost per epoch.

    ``method="loop"``: the GradientTape step, L2 ``lambd/(2m) sum ||W||^2`` per batch;
    ``method="keras"``: ``model.compile`` + ``model.fit(shuffle=False)``, where L2 comes
    only from kernel regularizers (``build_model(..., l2_batch_size=...)``), so ``lambd``
    must stay 0 there. ``make_step``: the step factory for ``method="loop"``, called as
    ``make_step(model, optimizer, loss, form, lambd, compiled=compiled)``; default
    ``make_train_step`` (dense models), ``make_layered_train_step`` for networks of layers.
    X is ``(m, n_x)`` or ``(m, H, W, C)`` as the model's input, Y ``(m, n_out)``.
    """
    if method not in ("loop", "keras"):
        raise ValueError(f"method must be 'loop' or 'keras', got {method!r}")
    if method == "keras" and lambd:
        raise ValueError("lambd applies to method='loop'; model.fit takes L2 from the "
                         "kernel regularizers (build_model(..., lambd, l2_batch_size=...))")
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be an int >= 1, got {epochs!r}")
    check_loss(loss, form)
    X, Y = check_xy(model, X, Y, loss)
    m = X.shape[0]
    if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(
            batch_size, int) or batch_size < 1):
        raise ValueError(f"batch_size must be an int >= 1 or None, got {batch_size!r}")
    bs = m if batch_size is None else batch_size
    if method == "keras":
        # A Keras loss computes in floatx (float32) unless told otherwise, which would
        # silently make a float64 model's model.fit gradients float32-precise.
        dtype = model_dtype(model)
        from_logits = form == "logits"
        keras_loss = {
            "bce": lambda: keras.losses.BinaryCrossentropy(from_logits=from_logits, dtype=dtype),
            "cce": lambda: keras.losses.CategoricalCrossentropy(from_logits=from_logits,
                                                                dtype=dtype),
            "mse": lambda: keras.losses.MeanSquaredError(dtype=dtype)}[loss]()
        model.compile(optimizer=optimizer, loss=keras_loss)
        # model.fit casts float64 NumPy arrays to floatx (float32); a tf.data pipeline of
        # float64 tensors is passed through as it is.
        data = tf.data.Dataset.from_tensor_slices((X, Y)).batch(bs)
        history = model.fit(data, epochs=epochs, shuffle=False, verbose=0)
        return [float(c) for c in history.history["loss"]]
    if make_step is None:
        if not all(isinstance(layer, (keras.layers.Dense, keras.layers.Dropout, MaskedDropout))
                   for layer in model.layers):
            raise ValueError("this model has layers other than Dense and dropout; pass "
                             "make_step=make_layered_train_step for method='loop'")
        make_step = make_train_step
    step = make_step(model, optimizer, loss, form, lambd, compiled=compiled)
    costs = []
    for _ in range(epochs):
        total = 0.0
        for k in range(0, m, bs):
            Xb, Yb = X[k:k + bs], Y[k:k + bs]
            total += float(step(Xb, Yb)) * Xb.shape[0]
        costs.append(total / m)
    return costs
