"""``NeuralNetwork``: one class for logistic regression, shallow and deep nets.

Logistic regression is ``NeuralNetwork((n_x, 1))``, the shallow net ``(n_x, n_h, 1)``:
the same L-layer code with fewer layers. Layout: ``X (n_x, m)``, ``Y (n_y, m)``.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from numpy_impl._validate import (
    as_float_array,
    as_label_array,
    check_finite,
    check_masks,
    check_params,
    check_positive,
    check_positive_int,
)
from numpy_impl.activations import ACTIVATIONS, get_activation
from numpy_impl.buffers import Buffers
from numpy_impl.config import KeepProbs, NetworkConfig
from numpy_impl.costs import check_labels, output_cost
from numpy_impl.data import shuffled_batches
from numpy_impl.divergence import (
    DivergenceError,
    DivergenceWarning,
    blow_up,
    first_non_finite,
)
from numpy_impl.initializers import initialize_parameters
from numpy_impl.model import backward_pass, forward_pass
from numpy_impl.modelfile import MAX_PARAMETERS, read_model_file, write_model_file
from numpy_impl.optimizers import (
    OPTIMIZERS,
    GradientDescent,
    get_optimizer,
    optimizer_from_dict,
    schedule_lr_decay,
)
from numpy_impl.regularization import dropout_masks, l2_penalty
from numpy_impl.rng import SeedLike, as_generator

Batches = list[tuple[np.ndarray, np.ndarray]]
# the optimizers known to keep no reference to the gradients they are given, with their own
# update rules (a subclass, or a step patched on the class, may keep them): under these the
# training step's dW arrays are reused (see numpy_impl.buffers)
BUILT_IN = {cls: cls.step for cls in OPTIMIZERS.values()}


class NeuralNetwork:
    """A fully connected network trained by the course's L-layer code.

    ``layer_dims``: ``(n_x, n_1, ..., n_L)``. ``keep_probs``: a float or one value per
    hidden layer. ``optimizer``: "gd", "momentum", "rmsprop", "adam" or an instance
    (e.g. ``Adam(form="keras")``). ``seed`` (int or Generator) drives initialisation,
    shuffling and dropout; its state is saved with the model. The architecture is kept
    as a ``NetworkConfig`` in ``network`` (see ``from_config`` and ``config``).
    ``epochs_trained`` counts the epochs ``fit`` has completed: the epoch of the
    learning-rate schedule, saved with the model. Not for training from two threads at
    once: steps keep scratch arrays between calls (``numpy_impl.buffers``).
    """

    def __init__(self, layer_dims: Sequence[int], hidden_activation: str = "relu",
                 output_activation: str = "sigmoid", initializer: str = "he",
                 lambd: float = 0.0, keep_probs: KeepProbs = None,
                 optimizer: str | GradientDescent = "gd", loss: str | None = None,
                 seed: SeedLike = None, dtype: str = "float64") -> None:
        network = NetworkConfig(
            layer_dims=layer_dims, hidden_activation=hidden_activation,
            output_activation=output_activation, initializer=initializer, lambd=lambd,
            keep_probs=keep_probs, dtype=dtype, loss=loss)
        self._setup(network, optimizer, seed)

    def _setup(self, network: NetworkConfig, optimizer: str | GradientDescent,
               seed: SeedLike) -> None:
        self.network = network
        self.optimizer = get_optimizer(optimizer)
        self.dtype = np.dtype(network.dtype)
        self._rng = as_generator(seed)
        self.params = initialize_parameters(network.layer_dims, network.initializer,
                                            self._rng, self.dtype)
        self.opt_state = self.optimizer.init_state(self.params)
        self.history: list[float] = []
        self._epochs_trained = 0

    @classmethod
    def from_config(cls, config: NetworkConfig | Mapping[str, Any],
                    optimizer: str | GradientDescent | Mapping[str, Any] | None = None,
                    seed: SeedLike = None) -> NeuralNetwork:
        """A network from a ``NetworkConfig`` (or a subclass such as parity's
        ``Architecture``) or from the dict ``config()`` returns. ``optimizer`` (a name, an
        instance or a ``to_dict()`` dict) overrides the dict's "optimizer"; default "gd"."""
        if isinstance(config, NetworkConfig):
            network = NetworkConfig(**config.network_fields())
        else:
            if not isinstance(config, Mapping):
                raise TypeError(f"config must be a NetworkConfig or a dict, got "
                                f"{type(config).__name__}")
            fields = dict(config)
            stored = fields.pop("optimizer", "gd")
            optimizer = stored if optimizer is None else optimizer
            network = NetworkConfig.from_dict(fields)
        if isinstance(optimizer, Mapping):
            optimizer = optimizer_from_dict(optimizer)
        net = cls.__new__(cls)
        net._setup(network, "gd" if optimizer is None else optimizer, seed)
        return net

    # --- configuration ----------------------------------------------------
    def config(self) -> dict[str, Any]:
        """The architecture (``network``'s fields) and the optimizer, as a JSON-ready dict
        that ``from_config`` takes back."""
        return {**self.network.to_dict(), "optimizer": self.optimizer.to_dict()}

    @property
    def epochs_trained(self) -> int:
        """Epochs completed by ``fit`` (all calls, saved and loaded): the epoch number of
        the learning-rate decay schedule. Set it to 0 to restart the schedule."""
        return self._epochs_trained

    @epochs_trained.setter
    def epochs_trained(self, value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"epochs_trained must be an int, got {type(value).__name__}")
        if value < 0:
            raise ValueError(f"epochs_trained must be >= 0, got {value}")
        self._epochs_trained = int(value)

    @property
    def layer_dims(self) -> tuple[int, ...]:
        """``(n_x, n_1, ..., n_L)``."""
        return self.network.layer_dims

    @property
    def hidden_activation(self) -> str:
        """The hidden layers' activation."""
        return self.network.hidden_activation

    @property
    def output_activation(self) -> str:
        """The output layer's activation."""
        return self.network.output_activation

    @property
    def initializer(self) -> str:
        """The initialiser's name."""
        return self.network.initializer

    @property
    def loss(self) -> str:
        """"bce", "cce" or "mse"."""
        return self.network.loss

    @property
    def lambd(self) -> float:
        """L2 strength (textbook lambda); settable between fits (validated)."""
        return self.network.lambd

    @lambd.setter
    def lambd(self, value: float) -> None:
        self.network = self.network.replace(lambd=value)

    @property
    def keep_probs(self) -> tuple[float, ...]:
        """One keep probability per hidden layer; settable between fits (validated)."""
        return self.network.keep_probs

    @keep_probs.setter
    def keep_probs(self, value: KeepProbs) -> None:
        self.network = self.network.replace(keep_probs=value)

    def __repr__(self) -> str:
        dims = "-".join(map(str, self.layer_dims))
        return (f"NeuralNetwork({dims}, hidden={self.hidden_activation}, "
                f"output={self.output_activation}, optimizer={self.optimizer.name})")

    # --- input checks -------------------------------------------------------
    def _check_X(self, X: np.ndarray, scan: bool = True) -> np.ndarray:
        """``X`` validated and in the network's dtype. ``scan=False`` leaves its finiteness
        to the forward pass (``forward_pass(..., input_name="X")``)."""
        X = as_float_array(X, "X", ndim=2)
        if X.shape[0] != self.layer_dims[0]:
            raise ValueError(f"X has shape {X.shape}; expected ({self.layer_dims[0]}, m) for "
                             f"layer_dims {self.layer_dims}")
        if X.shape[1] == 0:
            raise ValueError(f"X has shape {X.shape}; expected at least one example (m >= 1)")
        if scan:
            check_finite(X, "X")
        return X.astype(self.dtype, copy=False)

    def _check_XY(self, X: np.ndarray, Y: np.ndarray,
                  scan: bool = True) -> tuple[np.ndarray, np.ndarray]:
        X = self._check_X(X, scan)
        try:
            # 0/1 and one-hot labels are finite: their check refuses NaN and infinity too,
            # and only then is Y scanned, so that its error is the one reported
            # (the given Y is scanned, before its conversion, which could overflow)
            labels, given = self.loss != "mse", Y
            Y = as_label_array(Y, "Y", X, scan=not labels)
            expected = (self.layer_dims[-1], X.shape[1])
            if Y.shape != expected:
                check_finite(np.asarray(given), "Y")
                raise ValueError(f"Y has shape {Y.shape}; expected {expected} for X of shape "
                                 f"{X.shape} and {self.layer_dims[-1]} output unit(s)")
            if labels:
                try:
                    check_labels(Y, self.loss)
                except ValueError:
                    check_finite(np.asarray(given), "Y")
                    raise
        except Exception:
            check_finite(X, "X")  # an unscanned X's error comes first, as with scan
            raise
        return X, Y

    def _check_masks(self, masks: Mapping[int, np.ndarray], m: int) -> dict[int, np.ndarray]:
        check_masks(masks, len(self.keep_probs))
        out = {}
        for layer, D in masks.items():
            D = np.asarray(D)
            expected = (self.layer_dims[layer], m)
            if D.shape != expected:
                raise ValueError(f"masks[{layer}] has shape {D.shape}; expected {expected}")
            if not np.all((D == 0) | (D == 1)):
                raise ValueError(f"masks[{layer}] must hold only 0 and 1")
            out[layer] = D.astype(self.dtype, copy=False)
        return out

    # --- training -----------------------------------------------------------
    def _scratch(self) -> Buffers:
        """The training step's reusable arrays (see ``numpy_impl.buffers``): kept between
        steps, never saved or copied."""
        scratch = self.__dict__.get("_buffers")
        if scratch is None:
            scratch = self._buffers = Buffers()
        return scratch

    def _lets_go_of_gradients(self) -> bool:
        """True for a built-in optimizer running its own update rule (see BUILT_IN)."""
        kind = type(self.optimizer)
        return kind in BUILT_IN and kind.step is BUILT_IN[kind]

    def __getstate__(self) -> dict[str, Any]:
        """The network without its scratch arrays (for copy and pickle)."""
        return {k: v for k, v in self.__dict__.items() if k != "_buffers"}

    def _activations(self) -> tuple:
        # names validated by NetworkConfig: a plain registry look-up (planted bugs included)
        return ACTIVATIONS[self.hidden_activation], ACTIVATIONS[self.output_activation]

    def _draw_masks(self, m: int) -> dict[int, np.ndarray]:
        if min(self.keep_probs, default=1.0) == 1.0:
            return {}  # nothing to draw: skip dropout_masks' validation
        return dropout_masks(self.layer_dims, self.keep_probs, m, self._rng, self.dtype)

    def draw_masks(self, m: int) -> dict[int, np.ndarray]:
        """Dropout masks ``{l: D_l (n_l, m)}`` for a batch of ``m`` examples, drawn from the
        network's generator exactly as a ``step`` without ``masks`` draws them."""
        return self._draw_masks(check_positive_int(m, "m"))

    def _cost(self, AL: np.ndarray, caches: list, Y: np.ndarray) -> float:
        """The cost trained on: from logits where the loss allows, L2 included."""
        return (output_cost(AL, caches[-1].Z, Y, self.loss)
                + l2_penalty(self.params, self.lambd, Y.shape[1]))

    def _step(self, X: np.ndarray, Y: np.ndarray, learning_rate: float,
              masks: Mapping[int, np.ndarray] | None = None, epoch: int | None = None,
              step: int | None = None, check_X: bool = False) -> float:
        """One forward, backward and update on a validated batch; returns the batch cost.
        Masks missing from ``masks`` are drawn (the same draws as ``draw_masks``).
        ``check_X``: X's finiteness is still to be checked (by the forward pass, before
        anything else; then no mask may be left to draw, see ``step``).

        Raises DivergenceError (naming ``epoch`` and ``step``) when the cost, a new
        parameter or a new second moment is not finite; the network then keeps the
        parameters and optimizer state it had before this step (all finite).
        """
        # Called under _quiet() (see fit and step): overflow and NaN are looked for explicitly
        # below, not reported as numpy warnings.
        if masks is None:
            masks = self._draw_masks(X.shape[1])
        hidden, output = self._activations()
        # arrays kept between steps, when the largest one (a W or a Z) is worth keeping
        scratch = self._scratch()
        width = max(self.layer_dims)
        if not scratch.would_keep(width * max(width, X.shape[1]) * self.dtype.itemsize):
            scratch = None
        AL, caches = forward_pass(X, self.params, hidden, output, self.keep_probs, masks,
                                  self._rng, "X" if check_X else None, scratch)
        cost = self._cost(AL, caches, Y)
        if not math.isfinite(cost):
            raise DivergenceError("cost", cost, epoch, step)
        grads = backward_pass(AL, Y, caches, hidden, self.output_activation, self.loss,
                              self.lambd, input_gradient=False, upstream=False,
                              buffers=scratch, kept_grads=self._lets_go_of_gradients())
        del AL, caches  # the activations' memory is free for the update's arrays
        # the gradients are this loop's own, already consistent: no re-validation
        params, state = self.optimizer.step(self.params, grads, self.opt_state,
                                            learning_rate)
        # a non-finite gradient or first moment makes a parameter non-finite; an
        # overflowing squared gradient can leave the parameters finite, so "s" is checked
        bad = first_non_finite(params)
        if bad is None and "s" in state:
            bad = first_non_finite({f"s['{k}']": v for k, v in state["s"].items()})
        if bad is not None:
            raise DivergenceError(bad[0], bad[1], epoch, step)
        self.params, self.opt_state = params, state
        return cost

    def step(self, X: np.ndarray, Y: np.ndarray, learning_rate: float = 0.01,
             masks: Mapping[int, np.ndarray] | None = None) -> float:
        """One forward, backward and update on the batch ``X (n_x, m)``, ``Y (n_L, m)``;
        returns the batch cost before the update (not added to ``history``).

        ``masks`` ``{l: D_l (n_l, m)}`` replays dropout masks (e.g. from ``draw_masks``, to
        share them with another backend); the layers it leaves out draw their own.
        A non-finite cost, parameter or second moment raises ``DivergenceError`` (no epoch;
        ``step`` is the network's update number, ``opt_state["t"] + 1``) and leaves the
        network as it was before the step.
        """
        # X in the network's dtype, with no mask to draw (a refused step must not advance
        # the generator), is checked for NaN and infinity by the forward pass, at O(n_1 m);
        # any error below is preceded by the scan of X that would have come first. A
        # converted X is scanned before its conversion (which could overflow).
        given = {} if masks is None or not isinstance(masks, Mapping) else masks
        draws = min(self.keep_probs, default=1.0) < 1.0 and any(
            p < 1.0 and i + 1 not in given for i, p in enumerate(self.keep_probs))
        deferred = isinstance(X, np.ndarray) and X.dtype == self.dtype and not draws
        X, Y = self._check_XY(X, Y, scan=not deferred)
        try:
            lr = check_positive(learning_rate, "learning_rate")
            masks = None if masks is None else self._check_masks(masks, X.shape[1])
        except Exception:
            check_finite(X, "X")
            raise
        with _quiet():
            return self._step(X, Y, lr, masks, step=self.opt_state["t"] + 1, check_X=deferred)

    def _batches(self, X: np.ndarray, Y: np.ndarray, batch_size: int | None,
                 shuffle: bool, X_rows: np.ndarray | None = None) -> Batches:
        m = X.shape[1]
        if batch_size is None or batch_size >= m:
            return [(X, Y)]
        if shuffle:
            return shuffled_batches(X, Y, batch_size, self._rng, X_rows)
        return [(X[:, k:k + batch_size], Y[:, k:k + batch_size])
                for k in range(0, m, batch_size)]

    def batches(self, X: np.ndarray, Y: np.ndarray, batch_size: int | None = None,
                shuffle: bool = True) -> Batches:
        """One epoch of mini-batches ``[(X_b (n_x, m_b), Y_b (n_L, m_b)), ...]`` as ``fit``
        makes them: the whole batch when ``batch_size`` is None or >= m; otherwise
        reshuffled from the network's generator (``shuffle=False``: consecutive slices),
        the last one ragged."""
        X, Y = self._check_XY(X, Y)
        if batch_size is not None:
            batch_size = check_positive_int(batch_size, "batch_size")
        return self._batches(X, Y, batch_size, shuffle)

    def fit(self, X: np.ndarray, Y: np.ndarray, epochs: int = 100,
            batch_size: int | None = None, learning_rate: float = 0.01,
            verbose: bool = False, decay_rate: float = 0.0,
            time_interval: int | None = None, shuffle: bool = True) -> list[float]:
        """Train on ``X (n_x, m)``, ``Y (n_L, m)``; returns this call's cost per epoch.

        ``batch_size=None``: full batch (no shuffling); otherwise mini-batches reshuffled
        every epoch, the last one ragged (see ``batches``). An epoch's cost is the
        example-weighted mean of its batch costs, computed before each update (L2
        included, dropout applied). ``decay_rate``: the course's ``schedule_lr_decay``,
        lr0 / (1 + decay_rate * floor(epoch / time_interval)), ``time_interval`` 1 unless
        given, where ``epoch`` is the network's ``epochs_trained`` (it counts across fits and
        is saved, so fit(10) = fit(5), save, load, fit(5), bitwise); ``learning_rate``,
        ``decay_rate`` and ``time_interval`` are this call's. ``shuffle=False`` keeps the
        examples in order (consecutive slices, as Keras' ``model.fit(shuffle=False)``).

        A non-finite cost or parameter raises ``DivergenceError`` naming the epoch and the
        step (1-based, counted in this call); ``history`` then holds the completed epochs
        and the network the state before the failing step. A finite blow-up (the last
        epoch's cost above ``EXPLOSION_FACTOR`` times max(the first batch's cost before its
        update, 1)) gives a ``DivergenceWarning`` and returns the costs.
        """
        X, Y = self._check_XY(X, Y)
        epochs = check_positive_int(epochs, "epochs")
        if batch_size is not None:
            batch_size = check_positive_int(batch_size, "batch_size")
        lr0 = check_positive(learning_rate, "learning_rate")
        decay_rate = check_positive(decay_rate, "decay_rate", allow_zero=True)
        interval = 1 if time_interval is None else check_positive_int(time_interval,
                                                                       "time_interval")
        m = X.shape[1]
        # shuffled every epoch: gathered from an example-major copy, made once
        shuffles = shuffle and batch_size is not None and batch_size < m
        X_rows = np.ascontiguousarray(X.T) if shuffles else None
        costs: list[float] = []
        step, start = 0, None  # start: the cost before the first update of this call
        for epoch in range(1, epochs + 1):
            lr = schedule_lr_decay(lr0, self._epochs_trained, decay_rate, interval)
            total = 0.0
            batches = self._batches(X, Y, batch_size, shuffle, X_rows)
            with _quiet():
                for Xb, Yb in batches:
                    step += 1
                    cost = self._step(Xb, Yb, lr, None, epoch, step)
                    start = cost if start is None else start
                    total += cost * Xb.shape[1]
            cost = total / m
            if not math.isfinite(cost):  # finite batch costs whose sum overflows
                raise DivergenceError("epoch cost", cost, epoch, step)
            costs.append(cost)
            self.history.append(cost)
            self._epochs_trained += 1
            if verbose:
                _progress(epoch, epochs, cost)
        message = blow_up(costs, start=start)
        if message is not None:
            warnings.warn(message, DivergenceWarning, stacklevel=2)
        return costs

    # --- inference ----------------------------------------------------------
    def _forward(self, X: np.ndarray) -> tuple[np.ndarray, list]:
        hidden, output = self._activations()
        probs = (1.0,) * len(self.keep_probs)
        return forward_pass(X, self.params, hidden, output, probs, {}, None)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """The output layer's activations ``(n_L, m)`` (no dropout); for a linear output
        with a cross-entropy loss, the probabilities (sigmoid/softmax of the logits)."""
        AL, caches = self._forward(self._check_X(X))
        if self.output_activation == "linear" and self.loss != "mse":
            link = "sigmoid" if self.loss == "bce" else "softmax"
            AL = get_activation(link).forward(caches[-1].Z)
        return AL

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Binary: 0/1 ``(1, m)`` at threshold 0.5; categorical: class indices ``(1, m)``;
        mse: the outputs ``(n_L, m)``."""
        P = self.predict_proba(X)
        if self.loss == "bce":
            return (P > 0.5).astype(np.int64)
        if self.loss == "cce":
            return np.argmax(P, axis=0).reshape(1, -1)
        return P

    def cost(self, X: np.ndarray, Y: np.ndarray) -> float:
        """The cost the network trains on, over ``X (n_x, m)``, ``Y (n_L, m)``: no dropout,
        L2 included, from logits where the loss allows."""
        X, Y = self._check_XY(X, Y)
        AL, caches = self._forward(X)
        return self._cost(AL, caches, Y)

    def evaluate(self, X: np.ndarray, Y: np.ndarray) -> float:
        """Accuracy in [0, 1] (Y as for ``fit``; one-hot for categorical)."""
        X, Y = self._check_XY(X, Y)
        if self.loss == "mse":
            raise ValueError("evaluate computes accuracy, which needs a cross-entropy loss; "
                             f"this network uses loss {self.loss!r}")
        pred = self.predict(X)
        truth = Y if self.loss == "bce" else np.argmax(Y, axis=0).reshape(1, -1)
        return float(np.mean(pred == truth))

    # --- parameters -----------------------------------------------------------
    def get_params(self) -> dict[str, np.ndarray]:
        """A copy of the parameters ``{"W1": (n1, n0), "b1": (n1, 1), ...}``."""
        return {k: v.copy() for k, v in self.params.items()}

    def set_params(self, params: Mapping[str, np.ndarray]) -> None:
        """Replace the parameters with copies of ``params`` (same shapes and the network's
        dtype required) and reset the optimizer state."""
        dims = check_params(params)
        if dims != self.layer_dims:
            raise ValueError(f"params have layer dims {dims}; expected {self.layer_dims}")
        if params["W1"].dtype != self.dtype:
            raise TypeError(f"params have dtype {params['W1'].dtype}; expected {self.dtype}")
        self.params = {k: np.array(v, copy=True) for k, v in params.items()}
        self.opt_state = self.optimizer.init_state(self.params)

    # --- files ----------------------------------------------------------------
    def save(self, path: str | os.PathLike) -> None:
        """Write architecture, parameters, optimizer state, history, ``epochs_trained`` and
        RNG state to an ``.npz`` file, atomically (a failed write leaves any previous file
        intact; a symlink's target is written). Non-finite values are refused."""
        write_model_file(path, self.config(), self.params, self.opt_state, self.history,
                         self._epochs_trained, self._rng)

    @classmethod
    def load(cls, path: str | os.PathLike,
             max_parameters: int = MAX_PARAMETERS) -> NeuralNetwork:
        """Rebuild a network saved by ``save``; training resumes on the same trajectory.

        Everything is validated before it is used (see ``numpy_impl.modelfile``); a file
        whose ``layer_dims`` imply more than ``max_parameters`` weights and biases is
        refused before anything is allocated. ValueError ``'<path>' is not a readable
        NeuralNetwork file (<reason>)`` otherwise.
        """
        max_parameters = check_positive_int(max_parameters, "max_parameters")
        saved = read_model_file(path, max_parameters)
        if not isinstance(saved.network, NetworkConfig):
            raise ValueError(f"{os.fspath(path)!r} is not a readable NeuralNetwork file (it "
                             "holds a LayeredNetwork: use LayeredNetwork.load)")
        net = cls.__new__(cls)
        net.network, net.optimizer = saved.network, saved.optimizer
        net.dtype = np.dtype(saved.network.dtype)
        net._rng, net.params, net.opt_state = saved.rng, saved.params, saved.opt_state
        net.history, net._epochs_trained = saved.history, saved.epochs_trained
        return net


def _quiet() -> np.errstate:
    """The training step's floating-point error state (a new one per use: an errstate is
    not re-entrant): overflow and NaN are looked for explicitly (DivergenceError), not
    reported as numpy warnings."""
    return np.errstate(over="ignore", invalid="ignore", divide="ignore")


def _progress(epoch: int, epochs: int, cost: float, width: int = 30) -> None:
    """Print one progress-bar line per epoch: ``epoch  3/10 [#########.....] cost ...``."""
    done = int(width * epoch / epochs)
    digits = len(str(epochs))
    print(f"epoch {epoch:>{digits}}/{epochs} [{'#' * done}{'.' * (width - done)}] "
          f"cost {cost:.6f}", flush=True)
