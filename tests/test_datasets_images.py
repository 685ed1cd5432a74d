"""Image datasets (issue 12, item 5): mnist28 and digits8x8 as images ``(m, H, W, C)``,
``images:DIR`` kept as images for convolutional networks, standardised per channel on the
training part only, every automatic decision recorded; the flat specs unchanged."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from numpy_impl.datasets import load_dataset
from tests.test_datasets import make_images


@pytest.fixture(scope="module")
def digits8x8():
    return load_dataset("digits8x8")


def test_digits8x8_shapes_and_classes(digits8x8) -> None:
    data = digits8x8
    assert data.images and data.input_shape == (8, 8, 1) and data.n_x == 64
    assert data.X_train.shape == (data.m_train, 8, 8, 1)
    assert data.X_test.shape == (data.m_test, 8, 8, 1)
    assert data.m_train + data.m_test == 1797
    assert data.Y_train.shape == (10, data.m_train) and data.n_y == 10
    assert np.all(data.Y_train.sum(axis=0) == 1)  # one-hot
    assert data.classes == tuple(str(d) for d in range(10))
    assert data.feature_names == ()


def test_digits8x8_pair_is_binary_and_says_which_digit_is_1() -> None:
    data = load_dataset("digits8x8:3,8")
    assert data.name == "digits8x8:3,8" and data.classes == ("3", "8")
    assert data.Y_train.shape == (1, data.m_train)
    assert set(np.unique(data.Y_train)) == {0.0, 1.0}
    assert any("digit 3 -> 0, digit 8 -> 1" in d for d in data.decisions)


def test_standardised_per_channel_on_the_training_part_only(digits8x8) -> None:
    data = digits8x8
    assert abs(data.X_train.mean()) < 1e-12 and abs(data.X_train.std() - 1.0) < 1e-12
    # the test part uses the training part's statistics, so it is not exactly centred
    assert abs(data.X_test.mean()) > 1e-4
    flat = load_dataset("digits")  # the same examples, the same split, pixels in [0, 1]
    mean, std = flat.X_train.mean(), flat.X_train.std()
    assert np.allclose(data.flattened().X_train, (flat.X_train - mean) / std, atol=1e-12)
    assert np.allclose(data.flattened().X_test, (flat.X_test - mean) / std, atol=1e-12)
    assert np.array_equal(data.Y_train, flat.Y_train)
    decision = [d for d in data.decisions if d.startswith("standardised per channel")]
    assert decision == [f"standardised per channel on the {data.m_train} training images "
                        f"(channel 0: mean {mean:.4f}, std {std:.4f})"]
    assert "standardised per channel on the training part" in data.notes


def test_flattened_is_channels_last_and_recorded(digits8x8) -> None:
    flat = digits8x8.flattened()
    assert not flat.images and flat.X_train.shape == (64, digits8x8.m_train)
    assert np.array_equal(flat.X_train[:, 5], digits8x8.X_train[5].ravel())
    assert flat.decisions[-1] == ("images 8x8x1 flattened to 64 features (channels-last "
                                  "order) for a dense network")
    assert flat.flattened() is flat  # a flat dataset is returned unchanged


def test_mnist28_all_classes_and_a_pair() -> None:
    data = load_dataset("mnist28", seed=3)
    assert data.X_train.shape == (4000, 28, 28, 1) and data.X_test.shape == (1000, 28, 28, 1)
    assert data.Y_train.shape == (10, 4000)
    assert np.array_equal(data.Y_train.sum(axis=1) + data.Y_test.sum(axis=1), [500] * 10)
    assert any("5000-image MNIST sample" in d for d in data.decisions)
    pair = load_dataset("mnist28:0,1")
    assert pair.X_train.shape == (800, 28, 28, 1) and pair.Y_train.shape == (1, 800)
    assert pair.classes == ("0", "1") and pair.n_x == 784
    assert abs(pair.X_train.mean()) < 1e-12


def test_image_folder_kept_as_images_standardised_per_channel(tmp_path: Path) -> None:
    colours = {"red": (250, 0, 0), "blue": (0, 0, 250), "grey": (90, 0, 90)}
    root = make_images(tmp_path / "imgs", colours)
    flat = load_dataset(f"images:{root}", image_size=6)  # the dense form, unchanged
    assert flat.X_train.shape == (108, flat.m_train) and flat.X_train.max() <= 1.0
    data = load_dataset(f"images:{root}", image_size=6, images=True)
    assert data.X_train.shape == (data.m_train, 6, 6, 3) and data.input_shape == (6, 6, 3)
    assert data.m_train + data.m_test == 18 and data.classes == ("blue", "grey", "red")
    assert np.allclose(data.X_train[..., [0, 2]].mean(axis=(0, 1, 2)), 0.0)
    assert np.allclose(data.X_train[..., [0, 2]].std(axis=(0, 1, 2)), 1.0)
    assert np.all(data.X_train[..., 1] == 0.0)  # a channel without spread: std 1, no NaN
    # the same examples as the flat form, in channels-last order, standardised per channel
    pixels = flat.X_train.reshape(6, 6, 3, -1)
    mean = pixels.mean(axis=(0, 1, 3))
    std = np.where(pixels.std(axis=(0, 1, 3)) > 0, pixels.std(axis=(0, 1, 3)), 1.0)
    expected = ((pixels - mean[None, None, :, None]) / std[None, None, :, None])
    assert np.allclose(data.flattened().X_train, expected.reshape(108, -1), atol=1e-12)
    assert data.decisions[0] == "classes are the sub-folders: blue -> 0, grey -> 1, red -> 2"
    assert "kept as 6x6x3 images (m, H, W, C)" in data.decisions
    assert "channel 1: mean 0.0000, std 1.0000" in data.decisions[-1]


def test_images_flag_leaves_flat_specs_flat() -> None:
    assert load_dataset("digits", images=True).X_train.shape[0] == 64
    assert not load_dataset("digits:3,8", images=True).images


@pytest.mark.parametrize("spec, message", [
    ("digits8x8:3,3", "digits8x8 pair must be two different digits 0-9"),
    ("mnist28:1,12", "mnist28 pair must be two different digits 0-9"),
    ("mnist28:a,b", "mnist28 pair must look like mnist28:3,8"),
    ("digits8x8:1", "digits8x8 pair must look like digits8x8:3,8"),
    ("mnist29", "expected mnist01, digits, digits:A,B, mnist28, mnist28:A,B, digits8x8"),
])
def test_bad_image_specs(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        load_dataset(spec)


def test_split_is_seeded() -> None:
    a, b = load_dataset("digits8x8:0,1", seed=5), load_dataset("digits8x8:0,1", seed=5)
    c = load_dataset("digits8x8:0,1", seed=6)
    assert np.array_equal(a.X_train, b.X_train)
    assert not np.array_equal(a.X_train, c.X_train)


# --- image files nobody here wrote (review of foreign input) ----------------------------------
@pytest.mark.parametrize("mode", ["I;16", "I", "F"])
def test_wide_samples_are_refused_not_clipped(tmp_path: Path, mode: str) -> None:
    """A 16-bit gray PNG (or a 32-bit/float TIFF) would be clipped to white by an RGB
    conversion: refused, naming the file and its mode."""
    from PIL import Image

    dark = np.full((6, 6), 1000, np.uint16)  # 1.5% of 16-bit full scale
    root = tmp_path / "pics"
    for name in ("a", "b"):
        (root / name).mkdir(parents=True)
        Image.fromarray(np.full((6, 6), 200, np.uint8)).save(root / name / "0.png")
    wide = Image.fromarray(dark) if mode == "I;16" else Image.fromarray(
        dark.astype(np.int32 if mode == "I" else np.float32))
    assert wide.mode == mode
    wide.save(root / "b" / ("1.png" if mode == "I;16" else "1.tif"))
    with pytest.raises(ValueError, match=rf"/b/1\.(png|tif)' has PIL mode '{mode}' .*"
                                         r"expected 8 bits per channel"):
        load_dataset(f"images:{root}", image_size=4)


def test_exif_orientation_is_applied_and_recorded(tmp_path: Path) -> None:
    """A photo stored sideways with an EXIF orientation reads as it is shown: upright."""
    from PIL import Image

    upright = np.zeros((8, 8, 3), np.uint8)
    upright[:4] = 255  # the top half white
    root = tmp_path / "pics"
    for name in ("side", "up"):
        (root / name).mkdir(parents=True)
    Image.fromarray(upright).save(root / "up" / "0.png")
    stored = Image.fromarray(np.rot90(upright, 1).copy())  # shown after a 90 degree turn
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 CW to display
    stored.save(root / "side" / "0.png", exif=exif)
    data = load_dataset(f"images:{root}", image_size=8, images=True, test_size=0.5)
    X = np.concatenate([data.X_train, data.X_test])
    assert np.array_equal(X[0], X[1])  # the same picture once turned upright
    assert "turned 1 image(s) upright by their EXIF orientation" in data.decisions


def test_a_class_folder_with_folders_inside_is_refused(tmp_path: Path) -> None:
    from PIL import Image

    root = tmp_path / "pics"
    for folder in ("cat", "dog", "cat/more"):
        (root / folder).mkdir(parents=True)
        Image.fromarray(np.full((4, 4), 9, np.uint8)).save(root / folder / "0.png")
    with pytest.raises(ValueError, match=r"class folder '.*/cat' holds folder\(s\) \['more'\]"):
        load_dataset(f"images:{root}", image_size=4)
