"""`check` on Course 4 week 1, "Convolutional Neural Networks: Step by Step"
(tests/learner/course4/), every verdict asserted.

- right submissions in each course version's layout (the 2017 (1, 1, 1) Z, the older
  "START CODE HERE" file, the 2021 notebook, a sloppy but right one) are "right";
- the optional backward functions left as the course's template are skipped, not
  mistakes; absent, they are not listed;
- ``float(b)`` on the (1, 1, 1) bias (and ``np.float``) is a NumPy-version
  incompatibility with its fix, not a wrong answer, and the rest is still checked;
- ``X[pad:-pad]`` (empty for pad = 0) is right for pad >= 1 and reported on its own;
- every classic convolution mistake is found at the function that holds it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from parity.learner import check, check_learner

CORPUS = Path(__file__).parent / "learner" / "course4"
TITLE = "Course 4 week 1: Convolutional Neural Networks, Step by Step"
GRADED = ["zero_pad", "conv_single_step", "conv_forward", "pool_forward"]
BACKWARD = ["conv_backward", "create_mask_from_window", "distribute_value", "pool_backward"]
INCOMPATIBLE = "NumPy-version incompatibility, not a wrong answer"
PAD0 = "X[pad:-pad, pad:-pad] is empty when pad is 0"


def rows(report) -> dict[str, tuple[str, str]]:
    return {r.name: (r.status, r.detail) for r in report.results}


def notes_of(report) -> str:
    return " | ".join(report.notes + [r.detail for r in report.results
                                      if r.status in ("note", "skipped")])


# file -> {function: status} for every row, and fragments the notes must hold
CORRECT = {
    "c4w1_2018.py": (dict.fromkeys(GRADED + BACKWARD, "match") | {"conv_backward": "note"},
                     ["right for pad >= 1; with pad = 0 it raised ValueError", PAD0,
                      "your line 116"]),
    "c4w1_2021.ipynb": (dict.fromkeys(GRADED + BACKWARD, "match"),
                        ["test-harness imports were left out: public_tests"]),
    "c4w1_sloppy.py": (dict.fromkeys(GRADED + BACKWARD, "match"), []),
    # a reviewer's: functions under decorators (functools.wraps) are the learner's own
    "decorated/c4w1_sibling_timer.py": (dict.fromkeys(GRADED + BACKWARD, "match"), []),
    "c4w1_errstate_decorator.py": (dict.fromkeys(GRADED + BACKWARD, "match"), []),
    # found by review: float32 written as the type code 'f' was held to 1e-6 (a false alarm)
    "c4w1_astype_f.py": (dict.fromkeys(GRADED + BACKWARD, "match"),
                         ["computes in float32 (conv_single_step)"]),
    "c4w1_2021_template.ipynb": (dict.fromkeys(GRADED, "match")
                                 | dict.fromkeys(BACKWARD, "skipped"),
                                 ["left as the course's template (optional, ungraded)"]),
    "c4w1_2018_template.py": (dict.fromkeys(GRADED, "match")
                              | dict.fromkeys(BACKWARD, "skipped"),
                              ["left as the course's template (optional, ungraded)"]),
    "c4w1_float_b.py": ({"zero_pad": "match", "conv_single_step": "note",
                         "conv_forward": "note", "pool_forward": "match"},
                        [INCOMPATIBLE, "only 0-dimensional arrays can be converted",
                         "your line 15: `Z = Z + float(b)`", "Fix: use b.item()",
                         "Checked as NumPy 1.x runs it: right",
                         "the same NumPy-version incompatibility"]),
    "c4w1_2017_array_z.py": ({"zero_pad": "match", "conv_single_step": "note",
                              "conv_forward": "note", "pool_forward": "match"},
                             ["Z has shape (1, 1, 1); the course keeps it a number (fine)",
                              INCOMPATIBLE, "setting an array element with a sequence",
                              "make conv_single_step return a number"]),
}


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_correct_submission_is_right(name: str) -> None:
    statuses, notes = CORRECT[name]
    report = check_learner(CORPUS / name)
    assert report.verdict == "right" and report.exit_status == 0, report.text()
    assert report.assignments == [TITLE]
    assert {n: s for n, (s, _) in rows(report).items()} == statuses, report.text()
    for fragment in notes:
        assert fragment in notes_of(report), (fragment, report.text())


def test_rows_come_graded_first_then_the_optional_backward() -> None:
    report = check_learner(CORPUS / "c4w1_sloppy.py")
    assert [r.name for r in report.results] == GRADED + BACKWARD


def plant(tmp_path: Path, base: str, old: str, new: str) -> Path:
    source = (CORPUS / base).read_text()
    if base.endswith(".ipynb"):  # notebook sources are JSON strings
        old, new = (x.replace('"', '\\"').replace("\n", "\\n") for x in (old, new))
    assert source.count(old) == 1, f"{old!r} occurs {source.count(old)} times in {base}"
    path = tmp_path / base
    path.write_text(source.replace(old, new))
    return path


# (file, text to replace, replacement, function holding the mistake, status, in its detail)
MISTAKES = [
    # conv_single_step
    ("c4w1_2021.ipynb", "s = a_slice_prev * W\n", "s = a_slice_prev * W[::-1, ::-1]\n",
     "conv_single_step", "mismatch", "Z (window 4x4x3) differs"),  # the kernel flipped
    ("c4w1_2021.ipynb", "Z = Z + b.item()", "Z = Z", "conv_single_step", "mismatch",
     "Z (window 4x4x3) differs"),  # the bias not added
    ("c4w1_float_b.py", "Z = Z + float(b)", "Z = Z - float(b)", "conv_single_step",
     "mismatch", "Z (window 4x4x3) differs"),  # wrong, and written for NumPy 1.x
    # zero_pad
    ("c4w1_2021.ipynb", "(pad, pad), (pad, pad), (0, 0)), mode=",
     "(pad, pad), (pad, pad), (pad, pad)), mode=", "zero_pad", "wrong shape",
     "X_pad for pad = 3: shape (4, 9, 9, 8) (yours) != (4, 9, 9, 2) (expected)"),
    ("c4w1_sloppy.py", "X_pad[:, pad:pad+n_H, pad:pad+n_W, :] = X",
     "X_pad[:, :n_H, :n_W, :] = X", "zero_pad", "mismatch", "X_pad for pad = 3 differs"),
    ("c4w1_2018.py", "((0, 0), (pad, pad), (pad, pad), (0, 0)), 'constant'",
     "((0, 0), (pad, pad), (0, 0), (0, 0)), 'constant'", "zero_pad", "wrong shape",
     "X_pad for pad = 3"),
    # conv_forward
    ("c4w1_sloppy.py", "window = A_pad[:, h*s:h*s+f, w*s:w*s+f, :]",
     "window = A_pad[:, h:h+f, w:w+f, :]", "conv_forward", "mismatch",
     "Z (f 3, stride 2, pad 1) differs"),  # the stride ignored
    ("c4w1_2021.ipynb", "horiz_end = stride*w + f", "horiz_end = w + f", "conv_forward",
     "raised", "ValueError: operands could not be broadcast"),  # stride half ignored
    ("c4w1_sloppy.py", "n_H = (n_H_prev + 2*p - f)//s + 1", "n_H = (n_H_prev - f)//s + 1",
     "conv_forward", "wrong shape", "Z (f 3, stride 2, pad 1)"),  # the padding forgotten
    ("c4w1_2018.py", "W[:, :, :, c], b[:, :, :, c])", "W[:, :, :, c], b[:, :, :, 0])",
     "conv_forward", "mismatch", "Z (f 3, stride 2, pad 1) differs"),
    # pool_forward
    ("c4w1_2021.ipynb", "A[i, h, w, c] = np.mean(a_prev_slice)",
     "A[i, h, w, c] = np.max(a_prev_slice)", "pool_forward", "mismatch",
     "A (average, f 3, stride 2) differs"),  # average pooling by max
    ("c4w1_sloppy.py", "window = A_prev[i, h*s:h*s+f, w*s:w*s+f, c]",
     "window = A_prev[i, h:h+f, w:w+f, c]", "pool_forward", "mismatch",
     "A (max, f 3, stride 2) differs"),
    # conv_backward
    ("c4w1_2021.ipynb", "db[:,:,:,c] += dZ[i, h, w, c]", "db[:,:,:,c] += dZ[i, h, w, c] / m",
     "conv_backward", "mismatch", "db (f 3, stride 2, pad 1) differs"),
    ("c4w1_2021.ipynb", "dW[:,:,:,c] += a_slice * dZ[i, h, w, c]",
     "dW[:,:,:,c] = a_slice * dZ[i, h, w, c]", "conv_backward", "mismatch",
     "dW (f 3, stride 2, pad 1) differs"),  # dW missing every term but the last
    ("c4w1_sloppy.py", "dA_pad[:, h*s:h*s+f, w*s:w*s+f, :] += g * W[:, :, :, c]",
     "dA_pad[:, h*s:h*s+f, w*s:w*s+f, :] += g * W[::-1, ::-1, :, c]", "conv_backward",
     "mismatch", "dA_prev (f 3, stride 2, pad 1) differs"),  # the kernel flipped
    # create_mask_from_window, distribute_value, pool_backward
    ("c4w1_2018.py", "mask = x == np.max(x)", "mask = x >= np.mean(x)",
     "create_mask_from_window", "mismatch", "mask of a 2x3 window differs"),
    ("c4w1_2021.ipynb", "average = dz / (n_H*n_W)", "average = dz", "distribute_value",
     "mismatch", "a for dz = 2.0, shape (2, 2) differs"),
    ("c4w1_2021.ipynb", "dA_prev[i, vert_start:vert_end, horiz_start:horiz_end, c] += mask",
     "dA_prev[i, vert_start:vert_end, horiz_start:horiz_end, c] = mask", "pool_backward",
     "mismatch", "dA_prev (max, f 3, stride 2) differs"),  # overlapping windows lost
    ("c4w1_sloppy.py", "distribute_value(dA[i, h, w, c], (f, f))",
     "create_mask_from_window(A_prev[i, rows, cols, c]) * dA[i, h, w, c]", "pool_backward",
     "mismatch", "dA_prev (average, f 3, stride 2) differs"),
    # a pad = 0 bug of its own (not the empty slice): a mistake, the pad >= 1 verdict said
    ("c4w1_2021.ipynb", "pad:pad + n_W_prev, :]", "pad:pad + n_W_prev, :] * (1 if pad else 2)",
     "conv_backward", "mismatch", "right for pad >= 1, but with pad = 0 dA_prev (f 2, "
     "stride 1, pad 0) differs"),
]


@pytest.mark.parametrize("base,old,new,culprit,status,detail", MISTAKES,
                         ids=[f"{m[3]}: {m[2][:30]}" for m in MISTAKES])
def test_each_mistake_is_found_at_its_function(tmp_path: Path, base: str, old: str, new: str,
                                               culprit: str, status: str, detail: str) -> None:
    report = check_learner(plant(tmp_path, base, old, new))
    assert report.verdict == "mistakes found" and report.exit_status == 1, report.text()
    first = report.first_divergence()
    assert (first.name, first.status) == (culprit, status), report.text()
    assert detail in first.detail, report.text()
    assert f"first mistake: {culprit}: {status}" in report.text()


def test_a_mismatch_names_the_worst_element_and_both_values(tmp_path: Path) -> None:
    base, old, new = next(m[:3] for m in MISTAKES if m[2].endswith("/ m"))
    report = check_learner(plant(tmp_path, base, old, new))
    first = report.first_divergence()
    assert first.check is not None and len(first.check.index) == 4
    text = report.text()
    assert "db (f 3, stride 2, pad 1) worst element (0, 0, 0, " in text and "yours" in text


def test_wrong_and_written_for_numpy_1_says_both(tmp_path: Path) -> None:
    base, old, new = next(m[:3] for m in MISTAKES if m[2] == "Z = Z - float(b)")
    report = check_learner(plant(tmp_path, base, old, new))
    assert f"conv_single_step: {INCOMPATIBLE}" in " ".join(report.notes), report.text()
    assert "Fix: use b.item()" in " ".join(report.notes)


def test_float_of_every_channels_bias_is_a_mistake_in_every_numpy_version(
        tmp_path: Path) -> None:
    """float(b) of the (1, 1, 1, n_C) bias fails under NumPy 1.x too: said so, with no
    NumPy-version note (found by review: NumPy 2's wording read like the version note)."""
    report = check_learner(plant(
        tmp_path, "c4w1_2018.py",
        "Z[i, h, w, c] = conv_single_step(a_slice_prev, W[:, :, :, c], b[:, :, :, c])",
        "Z[i, h, w, c] = np.sum(a_slice_prev * W[:, :, :, c]) + float(b)"))
    assert report.exit_status == 1, report.text()
    status, detail = rows(report)["conv_forward"]
    assert status == "raised" and detail.startswith(
        "TypeError: float() of an array of 4 values (shape (1, 1, 1, 4)) fails in every "
        "NumPy version: only a size-1 array converts (your line 52: "), detail
    assert "NumPy-version incompatibility" not in report.text()


def test_np_float_is_a_numpy_version_incompatibility(tmp_path: Path) -> None:
    report = check_learner(plant(tmp_path, "c4w1_float_b.py", "Z = Z + float(b)",
                                 "Z = Z + np.float(b)"))
    assert report.exit_status == 0, report.text()
    status, detail = rows(report)["conv_single_step"]
    assert status == "note" and "np.float / np.int no longer exist (removed in NumPy 1.24)" \
        in detail
    assert "Fix: use float(...) / int(...), or b.item()" in detail
    assert not hasattr(np, "float")  # the NumPy 1.x stand-in is gone afterwards


def test_np_asscalar_is_a_numpy_version_incompatibility(tmp_path: Path) -> None:
    report = check_learner(plant(tmp_path, "c4w1_float_b.py", "Z = Z + float(b)",
                                 "Z = Z + np.asscalar(b)"))
    assert report.exit_status == 0, report.text()
    status, detail = rows(report)["conv_single_step"]
    assert status == "note" and "np.asscalar no longer exists" in detail
    assert "Fix: use b.item()" in detail and not hasattr(np, "asscalar")


def test_the_numpy_1_stand_ins_are_undone(tmp_path: Path) -> None:
    namespace = {"__name__": "__main__"}
    exec(compile((CORPUS / "c4w1_float_b.py").read_text(), "<cell>", "exec"), namespace)
    single = namespace["conv_single_step"]
    report = check(namespace)
    assert report.exit_status == 0, report.text()
    assert "float" not in namespace and namespace["conv_single_step"] is single


@pytest.mark.parametrize("base,old,new", [
    ("c4w1_2021.ipynb", "da_prev_pad[pad:pad + n_H_prev, pad:pad + n_W_prev, :]",
     "da_prev_pad[pad:-pad, pad:-pad, :]"),  # raises for pad = 0
    ("c4w1_sloppy.py", "dA_pad[:, p:p+n_H_prev, p:p+n_W_prev, :]",
     "dA_pad[:, p:-p, p:-p, :]"),  # returns an empty dA_prev for pad = 0
])
def test_pad_minus_pad_is_right_for_pad_1_and_reported_for_pad_0(
        tmp_path: Path, base: str, old: str, new: str) -> None:
    report = check_learner(plant(tmp_path, base, old, new))
    assert report.exit_status == 0, report.text()
    status, detail = rows(report)["conv_backward"]
    assert status == "note" and detail.startswith("right for pad >= 1; with pad = 0")
    assert PAD0 in detail


def test_pad_minus_pad_beside_a_real_mistake_keeps_the_main_verdict(tmp_path: Path) -> None:
    path = plant(tmp_path, "c4w1_2018.py", "db[:, :, :, c] += dZ[i, h, w, c]",
                 "db[:, :, :, c] += dZ[i, h, w, c] * 2")
    report = check_learner(path)
    assert report.exit_status == 1, report.text()
    status, detail = rows(report)["conv_backward"]
    assert status == "mismatch" and detail.startswith("db (f 3, stride 2, pad 1) differs")
    assert any(n.startswith("conv_backward: with pad = 0") and PAD0 in n
               for n in report.notes), report.notes


@pytest.mark.parametrize("wrong_forward", [False, True])
def test_a_cache_of_the_learners_own_is_fed_to_their_backward(tmp_path: Path,
                                                              wrong_forward: bool) -> None:
    """Also when the forward's Z is wrong (found by review: the cache was then not looked
    at, the backward was fed the course's and blamed for failing to unpack it)."""
    path = plant(tmp_path, "c4w1_sloppy.py", "return Z, (A_prev, W, b, hparameters)",
                 "return Z, (A_prev, W, b, hparameters['stride'], hparameters['pad'])")
    source = path.read_text().replace("A_prev, W, b, hparameters = cache\n",
                                      "A_prev, W, b, s, p = cache\n")
    source = source.replace("    s, p = hparameters['stride'], hparameters['pad']\n"
                            "    _, n_H, n_W, n_C = dZ.shape",
                            "    _, n_H, n_W, n_C = dZ.shape")
    if wrong_forward:
        source = source.replace("axes=([1, 2, 3], [0, 1, 2])) + b.reshape(n_C)",
                                "axes=([1, 2, 3], [0, 1, 2]))")
    path.write_text(source)
    report = check_learner(path)
    assert report.exit_status == (1 if wrong_forward else 0), report.text()
    own = ("its cache is not the course's (A_prev, W, b, hparameters): your conv_backward "
           "is fed the cache your conv_forward makes")
    if wrong_forward:
        status, detail = rows(report)["conv_forward"]
        assert status == "mismatch" and detail.startswith("Z (f 3, stride 2, pad 1) differs")
    else:
        assert rows(report)["conv_forward"] == ("note", own)
    assert rows(report)["conv_backward"][0] == "match", report.text()


def test_pool_mode_default_does_not_matter(tmp_path: Path) -> None:
    path = plant(tmp_path, "c4w1_2018.py", 'def pool_forward(A_prev, hparameters, mode="max"):',
                 'def pool_forward(A_prev, hparameters, mode="average"):')
    assert check_learner(path).exit_status == 0


def test_a_graded_function_left_as_the_template_is_a_mistake(tmp_path: Path) -> None:
    path = plant(tmp_path, "c4w1_2021.ipynb", "    X_pad = np.pad(X, pad_width=((0, 0), "
                 "(pad, pad), (pad, pad), (0, 0)), mode=\"constant\")\n", "")
    report = check_learner(path)
    assert report.exit_status == 1
    assert rows(report)["zero_pad"] == ("raised", "NameError: name 'X_pad' is not defined "
                                        "(your cell 4, line 19: `return X_pad`)")


def test_through_the_isolated_process() -> None:
    report = check(CORPUS / "c4w1_float_b.py", timeout=60)
    assert report.exit_status == 0 and report.assignments == [TITLE], report.text()
    assert INCOMPATIBLE in rows(report)["conv_single_step"][1]


def test_a_decorated_optional_function_is_checked_not_skipped() -> None:
    """A timer decorator from a helper module on pool_backward, whose average branch never
    divides: found, not silently left out of the table (found by review)."""
    report = check_learner(CORPUS / "decorated" / "c4w1_timer_wrong_pool_backward.py")
    assert report.exit_status == 1, report.text()
    assert rows(report)["pool_backward"][0] == "mismatch"
