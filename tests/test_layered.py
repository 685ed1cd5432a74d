"""Networks of layers in numpy_impl: configuration (shapes inferred, bad layers refused),
backprop against centred differences through every layer kind, training, inference."""

from __future__ import annotations

import numpy as np
import pytest

import numpy_impl as ni
from numpy_impl.layered import backward_layers, forward_layers

SPEC = ("conv3x3x3same,relu,batchnorm,maxpool2,conv2x2x4,tanh,flatten,dropout0.8,5,"
        "batchnorm,relu,3,softmax")


def data(cfg: ni.LayerNetworkConfig, m: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    shape = cfg.input_shape
    X = rng.standard_normal((m, *shape) if len(shape) == 3 else (shape[0], m))
    if cfg.loss == "cce":
        Y = np.eye(cfg.n_out)[:, rng.integers(0, cfg.n_out, m)]
    elif cfg.loss == "bce":
        Y = (rng.random((1, m)) < 0.5).astype(float)
    else:
        Y = rng.standard_normal((cfg.n_out, m))
    return X.astype(cfg.dtype), Y.astype(cfg.dtype)


def test_an_explicit_linear_output_stays_linear() -> None:
    """``10,linear`` is a linear output (mse), not a dense layer left for the caller to
    give sigmoid or softmax (found by review); a hidden linear is the identity."""
    specs = ni.parse_layers("flatten,10,linear")
    assert [s.kind for s in specs] == ["flatten", "dense", "activation"]
    cfg = ni.LayerNetworkConfig((4, 4, 1), specs)
    assert (cfg.output_activation, cfg.loss) == ("linear", "mse")
    assert [s.activation for s in ni.parse_layers("6,relu,1,sigmoid")] == ["relu", "sigmoid"]


def test_shapes_are_inferred_layer_by_layer() -> None:
    cfg = ni.LayerNetworkConfig((6, 6, 2), SPEC)
    assert cfg.shapes == ((6, 6, 3), (6, 6, 3), (3, 3, 3), (2, 2, 4), (16,), (16,), (5,),
                          (5,), (5,), (3,))
    assert cfg.param_shapes()["W1"] == (3, 3, 2, 3) and cfg.param_shapes()["W7"] == (5, 16)
    assert cfg.state_shapes() == {"moving_mean2": (1, 1, 1, 3), "moving_var2": (1, 1, 1, 3),
                                  "moving_mean8": (5, 1), "moving_var8": (5, 1)}
    assert cfg.loss == "cce" and cfg.output_activation == "softmax"
    assert ni.LayerNetworkConfig.from_dict(cfg.to_dict()) == cfg


@pytest.mark.parametrize("shape, spec, message", [
    ((4, 4, 1), "conv5x5x2,flatten,1,sigmoid", "smaller than the 5x5 window"),
    ((4, 4, 1), "4,sigmoid", "needs features; its input has image shape"),
    ((8,), "conv3x3x2,flatten,1", r"needs images \(H, W, C\)"),
    ((4, 4, 1), "conv3x3x2", "gives images"),
    ((8,), "4,relu,dropout0.5", "dropout after the output"),
    ((8,), "4,softmax,1,sigmoid", "softmax is only for the output"),
    ((8,), "1,softmax", "softmax output needs >= 2 units"),
    # found by review: its cost was the mean over all units, its gradient n_out times it
    ((4, 4, 1), "conv3x3x2,flatten,3,sigmoid", r"binary cross-entropy output .* has 1 unit, "
                                               r"got 3; for 3 classes use a softmax"),
    ((8,), "4,tanh", "output activation must be one of"),
    ((8,), "4,relu,maxpool2,1", r"needs images"),
    ((0, 4, 1), "flatten,1", "input_shape must be"),
    ((8,), "conv3x3", "is not a layer"),
    ((8,), "conv3x2x4", "kernels must be square"),
])
def test_bad_configurations_are_refused(shape: tuple, spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ni.LayerNetworkConfig(shape, spec)


def test_backprop_matches_centred_differences_through_every_layer_kind() -> None:
    cfg = ni.LayerNetworkConfig((6, 6, 2), SPEC, lambd=0.3)
    net = ni.LayeredNetwork(cfg, seed=1)
    X, Y = data(cfg, 7)
    masks = net.draw_masks(7)
    _, grads = net.gradients(X, Y, masks)

    def cost(params: dict) -> float:
        AL, steps, _ = forward_layers(cfg, X, params, net.state, True, masks)
        probe = ni.LayeredNetwork(cfg, seed=1)
        probe.params = params
        return probe._cost(AL, steps, Y)

    for key, value in net.params.items():
        approx = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            up, down = value.copy(), value.copy()
            up[idx] += 1e-6
            down[idx] -= 1e-6
            approx[idx] = (cost({**net.params, key: up}) - cost({**net.params, key: down})) / 2e-6
        # a bias right before a batch normalisation has no effect: both are ~0
        np.testing.assert_allclose(grads["d" + key], approx, rtol=1e-6, atol=1e-8,
                                   err_msg=key)


def test_input_gradient_matches_centred_differences() -> None:
    cfg = ni.LayerNetworkConfig((5, 5, 1), "conv2x2x2s2same,relu,avgpool2s1,flatten,1")
    net = ni.LayeredNetwork(cfg, seed=3)
    X, Y = data(cfg, 3, seed=2)
    AL, steps, _ = forward_layers(cfg, X, net.params, net.state, True)
    dA0 = backward_layers(cfg, AL, Y, steps, net.params)["dA0"]
    approx = np.zeros_like(X)
    for idx in np.ndindex(X.shape):
        up, down = X.copy(), X.copy()
        up[idx] += 1e-6
        down[idx] -= 1e-6
        approx[idx] = (net.cost(up, Y) - net.cost(down, Y)) / 2e-6
    # dA0 is per example (the course's convention): the mean cost's gradient times m
    np.testing.assert_allclose(dA0 / 3, approx, rtol=1e-6, atol=1e-9)


def test_training_updates_moving_statistics_and_lowers_the_cost() -> None:
    cfg = ni.LayerNetworkConfig((8, 8, 1), "conv3x3x4,relu,batchnorm,maxpool2,flatten,2,softmax")
    net = ni.LayeredNetwork(cfg, "adam", seed=0)
    X, Y = data(cfg, 32)
    before = {k: v.copy() for k, v in net.state.items()}
    costs = net.fit(X, Y, epochs=30, batch_size=8, learning_rate=0.01)
    assert costs[-1] < costs[0]
    assert not np.allclose(net.state["moving_mean2"], before["moving_mean2"])
    assert net.epochs_trained == 30 and len(net.history) == 30
    # gradients() changes nothing
    state = {k: v.copy() for k, v in net.state.items()}
    net.gradients(X, Y)
    for k in state:
        np.testing.assert_array_equal(net.state[k], state[k])


def test_moving_statistics_follow_keras_formula_after_one_step() -> None:
    cfg = ni.LayerNetworkConfig((3,), "batchnorm,1,sigmoid")
    net = ni.LayeredNetwork(cfg, seed=0)
    X, Y = data(cfg, 10)
    net.step(X, Y, 0.1)
    np.testing.assert_allclose(net.state["moving_mean1"],
                               0.01 * X.mean(axis=1, keepdims=True), rtol=1e-13)
    np.testing.assert_allclose(net.state["moving_var1"],
                               0.99 + 0.01 * X.var(axis=1, keepdims=True), rtol=1e-13)


def test_inference_uses_moving_statistics_and_no_dropout() -> None:
    cfg = ni.LayerNetworkConfig((4,), "6,relu,dropout0.5,batchnorm,1,sigmoid")
    net = ni.LayeredNetwork(cfg, seed=0)
    X, Y = data(cfg, 9)
    first = net.predict_proba(X)
    np.testing.assert_array_equal(first, net.predict_proba(X))  # no random dropout
    net.fit(X, Y, epochs=3)
    assert net.predict(X).shape == (1, 9)
    assert 0.0 <= net.evaluate(X, Y) <= 1.0


def test_bad_data_and_params_are_refused() -> None:
    cfg = ni.LayerNetworkConfig((4, 4, 1), "conv2x2x2,flatten,1,sigmoid")
    net = ni.LayeredNetwork(cfg, seed=0)
    X, Y = data(cfg, 5)
    with pytest.raises(ValueError, match=r"X has shape \(5, 4, 4\); expected \(m, 4, 4, 1\)"):
        net.fit(X[..., 0], Y)
    with pytest.raises(TypeError, match="X has dtype float32; expected float64"):
        net.step(X.astype("float32"), Y)
    with pytest.raises(ValueError, match=r"Y has shape \(1, 4\); expected \(1, 5\)"):
        net.step(X, Y[:, :4])
    with pytest.raises(ValueError, match="only 0 and 1"):
        net.step(X, Y * 2)
    with pytest.raises(ValueError, match=r"params\['W1'\] has shape"):
        net.set_params({**net.get_params(), "W1": np.zeros((2, 2, 1, 3))})
    bad = X.copy()
    bad[0, 0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="X must be finite"):
        net.predict(bad)


def test_divergence_is_an_error_naming_epoch_and_step() -> None:
    cfg = ni.LayerNetworkConfig((4,), "4,relu,1", lambd=1e300)
    net = ni.LayeredNetwork(cfg, seed=0)
    X, Y = data(cfg, 6)
    with pytest.raises(ni.DivergenceError, match=r"diverged at epoch \d+, step \d+: "):
        net.fit(X, Y, epochs=2)


def test_float32_stays_float32() -> None:
    cfg = ni.LayerNetworkConfig((5, 5, 2), "conv3x3x2same,relu,batchnorm,flatten,1,sigmoid",
                                dtype="float32")
    net = ni.LayeredNetwork(cfg, seed=0)
    X, Y = data(cfg, 4)
    _, grads = net.gradients(X, Y)
    assert {g.dtype.name for g in grads.values()} == {"float32"}
    net.step(X, Y, 0.1)
    assert {p.dtype.name for p in net.get_params().values()} == {"float32"}


def test_save_load_round_trip_and_resume_bitwise(tmp_path) -> None:  # noqa: ANN001
    cfg = ni.LayerNetworkConfig((6, 6, 1), "conv3x3x2,relu,batchnorm,maxpool2,flatten,"
                                "dropout0.9,3,softmax", lambd=0.01)
    X, Y = data(cfg, 10)
    straight = ni.LayeredNetwork(cfg, ni.Adam(), seed=4)
    straight.fit(X, Y, epochs=4, batch_size=4, learning_rate=0.01)
    resumed = ni.LayeredNetwork(cfg, ni.Adam(), seed=4)
    resumed.fit(X, Y, epochs=2, batch_size=4, learning_rate=0.01)
    resumed.save(tmp_path / "net.npz")
    loaded = ni.LayeredNetwork.load(tmp_path / "net.npz")
    loaded.fit(X, Y, epochs=2, batch_size=4, learning_rate=0.01)
    for key, value in straight.get_params().items():
        np.testing.assert_array_equal(loaded.get_params()[key], value, err_msg=key)
    assert loaded.history == straight.history and loaded.epochs_trained == 4


def test_files_of_the_other_kind_are_refused(tmp_path) -> None:  # noqa: ANN001
    ni.LayeredNetwork(ni.LayerNetworkConfig((3,), "2,relu,1,sigmoid")).save(tmp_path / "l.npz")
    ni.NeuralNetwork((3, 2, 1)).save(tmp_path / "d.npz")
    with pytest.raises(ValueError, match="holds a LayeredNetwork: use LayeredNetwork.load"):
        ni.NeuralNetwork.load(tmp_path / "l.npz")
    with pytest.raises(ValueError, match="holds a NeuralNetwork: use NeuralNetwork.load"):
        ni.LayeredNetwork.load(tmp_path / "d.npz")


def _rewrite(path, tmp_path, change) -> str:  # noqa: ANN001
    """A copy of the saved file with its metadata changed by ``change(meta)``."""
    import json
    with np.load(path) as f:
        arrays = {k: f[k] for k in f.files}
    meta = json.loads(str(arrays["meta"]))
    change(meta)
    arrays["meta"] = np.array(json.dumps(meta))
    out = tmp_path / "changed.npz"
    np.savez(out, **arrays)
    return str(out)


@pytest.mark.parametrize("change, message", [
    (lambda m: m["config"].update(input_shape=[10**6, 10**6, 3]),
     "parameters, more than the limit"),
    (lambda m: m["config"]["layers"][0].update(filters="8"), r"layers\[0\].filters is '8'"),
    (lambda m: m["config"]["layers"][0].update(kind="conv3d"), r"layers\[0\] is .* kind in"),
    (lambda m: m["config"]["layers"][0].update(secret=1), "unknown field 'secret'"),
    (lambda m: m["config"].update(layers=[]), "expected 1 to 10000"),
    (lambda m: m["config"].update(input_shape=[3, 3]), "expected 1 or 3 ints"),
    (lambda m: m["config"]["layers"][0].update(kernel_size=9), "smaller than the 9x9 window"),
])
def test_crafted_layered_files_are_refused(tmp_path, change, message: str) -> None:  # noqa: ANN001
    cfg = ni.LayerNetworkConfig((6, 6, 1), "conv3x3x2,relu,batchnorm,flatten,1,sigmoid")
    ni.LayeredNetwork(cfg).save(tmp_path / "net.npz")
    with pytest.raises(ValueError, match="is not a readable LayeredNetwork file .*" + message):
        ni.LayeredNetwork.load(_rewrite(tmp_path / "net.npz", tmp_path, change))


def test_negative_moving_variance_in_a_file_is_refused(tmp_path) -> None:  # noqa: ANN001
    cfg = ni.LayerNetworkConfig((3,), "batchnorm,1,sigmoid")
    net = ni.LayeredNetwork(cfg)
    net.save(tmp_path / "net.npz")
    with np.load(tmp_path / "net.npz") as f:
        arrays = {k: f[k] for k in f.files}
    arrays["moving/moving_var1"] = -arrays["moving/moving_var1"]
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(ValueError, match="moving/moving_var1 holds 3 negative value"):
        ni.LayeredNetwork.load(tmp_path / "bad.npz")
