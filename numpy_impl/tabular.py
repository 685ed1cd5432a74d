"""The CSV policy: what a foreign table becomes, every automatic decision said out loud.

pandas reads the file (quoting, BOM, encodings, line endings) and scikit-learn splits,
imputes, one-hot encodes and standardises; this module only decides, and refuses what it
cannot decide honestly. Rows are examples here (``(m, k)``, pandas' layout);
``numpy_impl.datasets`` turns the result into the course layout ``X (n_x, m)``.

The policy, column by column (cells are stripped of surrounding whitespace first):

- missing: an empty cell, ``NA``, ``N/A``, ``NaN``, ``null``, ``None``, ``?``, ``#N/A``
  (any case) is a missing value; ``inf``/``infinity`` is refused, never missing;
- numbers: plain numbers (``1``, ``-2.5``, ``1e3``); a column whose every cell uses ``,``
  as thousands separator (``1,000``) or as decimal mark (``1,5``); a column whose every
  cell ends in ``%`` (``5%`` -> 0.05). ``1,500`` fits both: the decimal mark when the
  separator is ``;`` (Excel in decimal-comma locales), thousands otherwise; digits grouped
  by spaces or apostrophes (``1 234``, ``1'234.5``, ``1 234,5``); refused: ``2.037`` (a
  decimal point, or the thousands separator?) in a file with a decimal-comma column;
- a column numeric except some cells (more than half numeric) is an error naming the
  column, the line and the cell; ``categorical=("col",)`` one-hot encodes it on purpose;
- Yes/No, True/False, Y/N, T/F (any case, one pair per column) -> 1/0;
- other text: one-hot (categories from the whole file), at most ``MAX_CATEGORIES``;
- dropped, and said so: columns without any value, an unnamed column holding the row
  numbers (a saved pandas index), an identifier column (named ``id``, ``..._id``,
  ``...Id``, ``...ID`` after a lower-case letter or digit) whose values are all distinct
  and not fractional numbers;
- the target: Yes/No and True/False words case-insensitively (one class each), numbers
  compared as numbers (``1`` = ``1.0``); more than ``MAX_CLASSES`` values, non-integer
  numbers, one class only, a missing label: errors.
"""

from __future__ import annotations

import csv
import importlib
import io
import math
import os
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAX_CLASSES = 20
MAX_CATEGORIES = 20
MISSING = frozenset({"", "na", "n/a", "nan", "null", "none", "?", "#n/a"})
NON_FINITE = frozenset({"inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"})
TRUE_WORDS = frozenset({"yes", "true", "y", "t"})
FALSE_WORDS = frozenset({"no", "false", "n", "f"})
# a column is read as 1/0 only when its words (any case) come from one of these pairs:
# "Y/N/T/F" or "F/N" are four or two codes, not one yes/no
WORD_PAIRS = (frozenset({"yes", "no"}), frozenset({"true", "false"}), frozenset({"y", "n"}),
              frozenset({"t", "f"}))
# a feature is standardised through its squares: beyond this they overflow float64
LARGEST = 1e150
SEPARATORS = (",", ";", "\t", "|")
CURRENCIES = ("$", "€", "£", "¥")

_EXP = r"(?:[eE][+-]?\d+)?"
_PLAIN = re.compile(rf"[+-]?(?:\d+\.?\d*|\.\d+){_EXP}")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})*(?:\.\d+)?")
_DECIMAL_COMMA = re.compile(rf"[+-]?\d+(?:,\d+)?{_EXP}")
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+")
_DOT_GROUPS = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+")
_SPACES = " \u00a0\u202f'\u2019"  # space, no-break spaces, apostrophes (1 234, 1'234)
_SPACE = re.compile(f"[{_SPACES}]")
_SPACED = re.compile(rf"[+-]?\d{{1,3}}(?:[{_SPACES}]\d{{3}})*(?:\.\d+)?")
_SPACED_COMMA = re.compile(rf"[+-]?\d{{1,3}}(?:[{_SPACES}]\d{{3}})*(?:,\d+)?")
_ID_NAME = re.compile(r"(?:^|[_\s.\-])id$|^index$|^rowid$", re.IGNORECASE)
_CAMEL_ID = re.compile(r"[a-z0-9](?:Id|ID)$")  # customerId, userID; not HUMID, LIPID
_INTEGER = re.compile(r"[+-]?\d+")


def _require(module: str):
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ValueError(f"reading a CSV needs {module.split('.')[0]!r}; install the data "
                         "extra: pip install -e \".[data]\"") from exc


def check_split(test_size: float, seed: int) -> None:
    """Refuse a test fraction outside (0, 1) or a seed scikit-learn cannot take."""
    if isinstance(test_size, bool) or not isinstance(test_size, (int, float)) or \
            not 0.0 < test_size < 1.0:
        raise ValueError(f"test_size must be in (0, 1), got {test_size!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or \
            not 0 <= seed < 2**32:
        raise ValueError(f"seed must be an integer in [0, 2**32), got {seed!r}")


@dataclass(frozen=True)
class Table:
    """A parsed CSV: ``m`` examples, features in file order, labels, and the decisions.

    ``numeric`` is ``(m, k)`` float64 with NaN for a missing cell; ``categorical`` maps a
    column name to its ``(m,)`` object array of text (NaN missing) and the sorted
    categories; ``order`` gives every feature name in file order; ``labels`` is ``(m,)``
    int64 indices into ``classes``; ``lines`` the file line of each example.
    """

    name: str
    order: tuple[str, ...]
    numeric_names: tuple[str, ...]
    numeric: np.ndarray
    categorical: dict[str, tuple[np.ndarray, tuple[str, ...]]]
    labels: np.ndarray
    classes: tuple[str, ...]
    lines: np.ndarray
    decisions: tuple[str, ...]


# --- reading --------------------------------------------------------------------------
def _decode(raw: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-16 by its BOM, UTF-8 (BOM or not), else cp1252, else latin-1."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "utf-16"
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1"), "latin-1"


def _is_blank(record: list[str]) -> bool:
    """A line pandas skips: empty, or one field of whitespace."""
    return not record or (len(record) == 1 and not record[0].strip())


def _records(text: str, sep: str) -> list[tuple[int, list[str]]]:
    """Non-blank records with the file line each starts on (quoted newlines counted)."""
    reader = csv.reader(io.StringIO(text), delimiter=sep, quotechar='"')
    found, previous = [], 0
    for record in reader:
        if not _is_blank(record):
            found.append((previous + 1, record))
        previous = reader.line_num
    return found


def _separator(text: str) -> str:
    """The separator giving the header most fields, with the data rows consistent."""
    best, best_score = ",", (0.0, 0)
    sample = "\n".join(text.splitlines()[:50])
    for sep in SEPARATORS:
        try:
            records = [r for _, r in _records(sample, sep)]
        except csv.Error:
            continue
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        consistent = sum(len(r) == width for r in records) / len(records)
        if (consistent, width) > best_score:
            best, best_score = sep, (consistent, width)
    return best


def _read(path: Path, target: str) -> tuple[list[str], list[list[str]], list[int], str,
                                            list[str]]:
    """Header, rows of stripped cells, the line of each row, the separator, and the
    reading decisions."""
    pd = _require("pandas")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"cannot read CSV {str(path)!r}: {exc}") from exc
    if not raw.strip():
        raise ValueError(f"CSV {str(path)!r} is empty; expected a header and data rows")
    text, encoding = _decode(raw)
    decisions = [] if encoding == "utf-8-sig" else [f"decoded as {encoding} (not UTF-8)"]
    if "\r" in text and "\n" not in text:  # classic Mac OS line endings
        text = text.replace("\r", "\n")
        decisions.append("lines end in CR alone (classic Mac OS): read as lines")
    skip = 0
    first = text.lstrip("\ufeff").split("\n", 1)[0].strip()
    if re.fullmatch(r"sep=.", first):
        sep, skip = first[-1], 1
        text = text.split("\n", 1)[1] if "\n" in text else ""
    else:
        sep = _separator(text)
    if sep != ",":
        decisions.append(f"separator {sep!r}")
    try:
        records = _records(text, sep)
    except csv.Error as exc:
        raise ValueError(f"cannot read CSV {str(path)!r} as delimited text ({exc}); is it "
                         "a CSV file?") from exc
    if not records:
        raise ValueError(f"CSV {str(path)!r} has no header; expected a header and data rows")
    header = [h.strip() for h in records[0][1]]
    named = Counter(h for h in header if h)
    duplicates = sorted(h for h, n in named.items() if n > 1)
    if duplicates:
        raise ValueError(f"CSV {str(path)!r} has duplicate column names {duplicates}; "
                         "expected every column named once")
    if target not in header:
        hint = [h for h in header if h.lower() == target.lower()]
        data_like = sum(bool(_PLAIN.fullmatch(h)) for h in header) * 2 > len(header)
        raise ValueError(
            f"target column {target!r} is not in {str(path)!r}; columns are {header}" +
            (f" (did you mean {hint[0]!r}?)" if hint else "") +
            (" (the first line looks like data: a header line is required)"
             if data_like else ""))
    body = records[1:]
    if not body:
        raise ValueError(f"CSV {str(path)!r} has a header but no data rows")
    for line, record in body:
        if len(record) != len(header):
            raise ValueError(f"CSV {str(path)!r} line {line + skip} has {len(record)} fields;"
                             f" expected {len(header)} like the header")
    try:
        frame = pd.read_csv(path, sep=sep, header=None, dtype=str, keep_default_na=False,
                            na_filter=False, encoding=encoding, skiprows=skip,
                            skip_blank_lines=True, quotechar='"', engine="c")
    except (ValueError, UnicodeError, pd.errors.ParserError) as exc:
        raise ValueError(f"cannot read CSV {str(path)!r}: {exc}") from exc
    cells = [[str(c).strip() for c in row] for row in frame.to_numpy()[1:]]
    if len(cells) != len(body) or frame.shape[1] != len(header):
        raise ValueError(f"cannot read CSV {str(path)!r} unambiguously: pandas finds "
                         f"{len(cells)} rows of {frame.shape[1]} fields, the csv module "
                         f"{len(body)} of {len(header)}; check its quoting")
    lines = [line + skip for line, _ in body]
    keep = [i for i, row in enumerate(cells) if any(row)]
    if len(keep) < len(cells):
        decisions.append(f"skipped {len(cells) - len(keep)} row(s) with every cell empty")
    if not keep:
        raise ValueError(f"CSV {str(path)!r} has a header but no data rows")
    return header, [cells[i] for i in keep], [lines[i] for i in keep], sep, decisions


# --- one column -----------------------------------------------------------------------
def _is_missing(cell: str) -> bool:
    return cell.lower() in MISSING


def _number_formats(sep: str) -> list[tuple[str, object]]:
    """(description, parse) pairs in order of preference; parse -> float or None."""

    def finite(text: str) -> float | None:
        value = float(text)
        return value if math.isfinite(value) else None  # 1e999 overflows: refused

    def plain(c: str) -> float | None:
        return finite(c) if _PLAIN.fullmatch(c) else None

    def thousands(c: str) -> float | None:
        return finite(c.replace(",", "")) if _THOUSANDS.fullmatch(c) else None

    def decimal_comma(c: str) -> float | None:
        if sep != ";" and _GROUPED.fullmatch(c):  # 1,000: thousands unless ';'-separated
            return None
        return finite(c.replace(",", ".")) if _DECIMAL_COMMA.fullmatch(c) else None

    def spaced(c: str) -> float | None:  # no locale writes a decimal mark as a space
        return finite(_SPACE.sub("", c)) if _SPACED.fullmatch(c) else None

    def spaced_comma(c: str) -> float | None:  # 1 234,5; 1,000 as for decimal_comma
        if (sep != ";" and _GROUPED.fullmatch(c)) or not _SPACED_COMMA.fullmatch(c):
            return None
        return finite(_SPACE.sub("", c).replace(",", "."))

    commas = [("',' read as thousands separator", thousands),
              ("',' read as the decimal mark", decimal_comma)]
    grouped = [("spaces or apostrophes read as thousands separators", spaced),
               ("spaces or apostrophes read as thousands separators, ',' as the decimal "
                "mark", spaced_comma)]
    return [("plain", plain)] + (commas[::-1] if sep == ";" else commas) + grouped


def _without_symbol(cell: str, symbol: str) -> str:
    sign = cell[0] if cell[:1] in ("+", "-") else ""
    core = cell[len(sign):]
    core = core[len(symbol):] if core.startswith(symbol) else core[:-len(symbol)]
    return sign + core.strip()


def _undecorated(cells: list[str]) -> tuple[list[str], float, str]:
    """A symbol every cell carries (``%`` last, or one currency sign) removed: (cells,
    scale, description); the cells unchanged when there is none."""
    if cells and all(c.endswith("%") for c in cells):
        return [c[:-1].strip() for c in cells], 0.01, "percentages divided by 100"
    for symbol in CURRENCIES:
        if cells and all(c.lstrip("+-").startswith(symbol) or c.endswith(symbol)
                         for c in cells):
            return ([_without_symbol(c, symbol) for c in cells], 1.0,
                    f"currency sign {symbol!r} removed")
    return cells, 1.0, ""


def _parse_numbers(cells: list[str], sep: str) -> tuple[str, list[float | None]]:
    """The best number format for the present cells and each cell parsed under it."""
    best: tuple[str, list[float | None]] = ("plain", [None] * len(cells))
    body, scale, decoration = _undecorated(cells)
    for description, parse in _number_formats(sep):
        values = [parse(c) for c in body]
        if decoration:
            values = [None if v is None else v * scale for v in values]
            description = decoration + ("" if description == "plain" else
                                        f", {description}")
        if all(v is not None for v in values):
            return description, values
        if sum(v is not None for v in values) > sum(v is not None for v in best[1]):
            best = (description, values)
    return best


def _overflows(cell: str) -> bool:
    return bool(_PLAIN.fullmatch(cell)) and not math.isfinite(float(cell))


def _nul_check(column: str, cells: list[str], lines: list[int]) -> None:
    for cell, line in zip(cells, lines, strict=True):
        if "\x00" in cell:
            raise ValueError(f"column {column!r} line {line} holds a NUL character "
                             f"({cell!r}); the file looks binary or corrupted")


def _feature(column: str, cells: list[str], lines: list[int], sep: str, categorical: bool
             ) -> tuple[str, np.ndarray, tuple[str, ...], list[str]]:
    """('numeric', (m,) float with NaN, (), decisions) or ('categorical', text, cats, ...)."""
    _nul_check(column, cells, lines)
    present = [(c, line) for c, line in zip(cells, lines, strict=True) if not _is_missing(c)]
    text = np.array([np.nan if _is_missing(c) else c for c in cells], dtype=object)
    categories = tuple(sorted({c for c, _ in present}))
    if categorical:
        return "categorical", text, categories, [
            f"one-hot {column!r} on request ({len(categories)} categories)"]
    values = [c for c, _ in present]
    description, numbers = _parse_numbers(values, sep)
    bad = [(c, line) for (c, line), v in zip(present, numbers, strict=True) if v is None]
    numeric_like = len(present) - len(bad) + sum(
        c.lower() in NON_FINITE or _overflows(c) for c, _ in bad)
    if not bad:
        huge = next(((c, line) for (c, line), v in zip(present, numbers, strict=True)
                     if abs(v) > LARGEST), None)
        if huge is not None:
            raise ValueError(
                f"column {column!r} line {huge[1]} has {huge[0]!r}, beyond +-{LARGEST:g}: "
                "the sum of its squares can overflow a 64-bit float, so the column cannot "
                "be standardised; expected values of a smaller scale (rescale the column)")
        column_values = iter(numbers)
        out = np.array([np.nan if _is_missing(c) else next(column_values) for c in cells])
        return "numeric", out, (), ([] if description == "plain" else
                                    [f"{column!r}: {description}"])
    if numeric_like * 2 > len(present):
        cell, line = bad[0]
        if cell.lower() in NON_FINITE:
            why = "a non-finite number"
        elif _overflows(cell):
            why = "a number too large for a 64-bit float"
        elif cell.endswith("%"):
            why = "a percentage among plain numbers: write 0.05, or 5% in every cell"
        else:
            other = next((d for d, parse in _number_formats(sep) if d != description
                          and parse(cell) is not None), None)
            def named(d: str) -> str:
                return "plain numbers" if d == "plain" else d

            why = ("not a number" + ("" if description == "plain" else
                                     f" like the rest ({description})")
                   if other is None else f"a number written another way than the rest "
                   f"({named(other)}, not {named(description)}): expected one format per "
                   "column")
        raise ValueError(
            f"column {column!r} is numeric except {len(bad)} cell(s): line {line} has "
            f"{cell!r} ({why}); expected numbers, or an empty cell for a missing one "
            f"(pass categorical=({column!r},) to one-hot encode it on purpose)")
    if _yes_no(values):
        ones = sorted({c for c in values if c.lower() in TRUE_WORDS})
        zeros = sorted({c for c in values if c.lower() in FALSE_WORDS})
        out = np.array([np.nan if _is_missing(c) else float(c.lower() in TRUE_WORDS)
                        for c in cells])
        return "numeric", out, (), [
            f"{column!r}: {'/'.join(ones) or '-'} -> 1, {'/'.join(zeros) or '-'} -> 0"]
    if len(categories) > MAX_CATEGORIES:
        raise ValueError(
            f"column {column!r} is text with {len(categories)} distinct values (e.g. "
            f"{categories[0]!r}); one-hot encoding adds one feature per value, at most "
            f"{MAX_CATEGORIES} automatically: drop the column from the file or pass "
            f"categorical=({column!r},) to encode it on purpose")
    return "categorical", text, categories, [
        f"one-hot {column!r} ({len(categories)} categories)"]


def _yes_no(cells: list[str]) -> bool:
    """Whether these (present) cells are the words of one yes/no pair, any case."""
    lowered = {c.lower() for c in cells}
    return any(lowered <= pair for pair in WORD_PAIRS)


# --- the target -----------------------------------------------------------------------
def _class_key(cell: str) -> tuple[int, int | float | str]:
    """A label's class: integers exactly (9007199254740993 is not ...992), other numbers
    as floats (1.0 = 1), yes/no words in any case."""
    if _INTEGER.fullmatch(cell):
        return (0, int(cell))
    if _PLAIN.fullmatch(cell):
        return (0, float(cell))
    word = cell.lower()
    if word in TRUE_WORDS | FALSE_WORDS:
        return (1, word)
    return (2, cell)


def _labels(column: str, cells: list[str], lines: list[int]
            ) -> tuple[np.ndarray, tuple[str, ...], str]:
    """Class indices ``(m,)``, class names, and the mapping as one decision."""
    _nul_check(column, cells, lines)
    for cell, line in zip(cells, lines, strict=True):
        if _is_missing(cell):
            raise ValueError(f"target column {column!r} has a missing value on line {line} "
                             f"({cell!r}); rows without a label cannot be used")
        if cell.lower() in NON_FINITE or _overflows(cell):
            raise ValueError(f"target column {column!r} has a non-finite number on line "
                             f"{line} ({cell!r}); expected class labels")
    keys = [_class_key(c) for c in cells]
    if all(k[0] == 1 for k in keys) and _yes_no(cells):  # one pair: a class per meaning
        keys = [(1, "yes" if k[1] in TRUE_WORDS else "no") for k in keys]
    for key, cell, line in zip(keys, cells, lines, strict=True):
        if key[0] == 0 and not float(key[1]).is_integer():
            raise ValueError(
                f"target column {column!r} has a non-integer number on line {line} "
                f"({cell!r}); a continuous target is regression, not classification: "
                "expected class labels (words or integers)")
    distinct = sorted(set(keys))
    if len(distinct) > MAX_CLASSES:
        raise ValueError(
            f"target column {column!r} has {len(distinct)} distinct values; classification "
            f"here supports at most {MAX_CLASSES} classes (a many-valued target looks like "
            "regression, which this loader does not do)")
    if len(distinct) < 2:
        raise ValueError(f"target column {column!r} has a single value {sorted(set(cells))}"
                         "; expected at least two classes")
    texts = [k[1] for k in distinct if k[0] == 2]
    folded = Counter(t.lower() for t in texts)
    clash = sorted(t for t in texts if folded[t.lower()] > 1)
    if clash:
        raise ValueError(f"target column {column!r} has labels differing only in case "
                         f"{clash}; expected one spelling per class")
    spellings: dict[tuple, Counter] = {k: Counter() for k in distinct}
    for key, cell in zip(keys, cells, strict=True):
        spellings[key][cell] += 1
    classes = tuple(_class_name(k, spellings[k]) for k in distinct)
    index = {k: i for i, k in enumerate(distinct)}
    mapping = ", ".join(
        f"{'/'.join(sorted(spellings[k]))} -> {i}" + (
            f" {classes[i]!r}" if sorted(spellings[k]) != [classes[i]] else "")
        for i, k in enumerate(distinct))
    return np.array([index[k] for k in keys], dtype=np.int64), classes, \
        f"classes of {column!r}: {mapping}"


def _class_name(key: tuple, spellings: Counter) -> str:
    if key[0] == 0:
        return str(int(key[1]))
    return min(spellings, key=lambda s: (-spellings[s], s))


# --- the whole table ------------------------------------------------------------------
def _looks_like_row_numbers(cells: list[str]) -> bool:
    try:
        values = [int(c) for c in cells]
    except ValueError:
        return False
    return values in (list(range(len(cells))), list(range(1, len(cells) + 1)))


def read_table(path: str | os.PathLike, target: str,
               categorical: Sequence[str] = ()) -> Table:
    """Read and decide a CSV with a header (see the module docstring for the policy)."""
    if not isinstance(target, str) or not target:
        raise ValueError(f"target must be a non-empty column name, got {target!r}")
    if isinstance(categorical, str) or not all(isinstance(c, str) for c in categorical):
        raise ValueError(f"categorical must be a sequence of column names, got "
                         f"{categorical!r}")
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"CSV file {str(path)!r} does not exist")
    header, rows, lines, sep, decisions = _read(path, target)
    unknown = [c for c in categorical if c not in header or c == target]
    if unknown:
        raise ValueError(f"categorical names {unknown}, which are not feature columns of "
                         f"{str(path)!r}; columns are {header}")
    columns = {i: [row[i] for row in rows] for i in range(len(header))}
    labels, classes, mapping = _labels(target, columns[header.index(target)], lines)
    order, numeric_names, numeric, encoded, dropped = [], [], [], {}, []
    comma, dotted = "", None  # a decimal-comma column; a plain one whose dots may group
    for i, name in enumerate(header):
        cells = columns[i]
        if name == target:
            continue
        if all(_is_missing(c) for c in cells):
            dropped.append(f"dropped column {name or i + 1!r} (no values)")
            continue
        if not name:
            if _looks_like_row_numbers(cells):
                dropped.append(f"dropped unnamed column {i + 1} (row numbers)")
                continue
            raise ValueError(f"column {i + 1} of {str(path)!r} has no name in the header "
                             f"but holds values (line {lines[0]}: {cells[0]!r}); expected "
                             "every column with data to be named")
        if (_ID_NAME.search(name) or _CAMEL_ID.search(name)) and \
                name not in categorical and not any(_is_missing(c) for c in cells) and \
                len(set(cells)) == len(cells) and len(cells) > 1 and not any(
                    _PLAIN.fullmatch(c) and not _INTEGER.fullmatch(c) for c in cells):
            dropped.append(f"dropped identifier column {name!r} (every value distinct)")
            continue
        kind, values, cats, notes = _feature(name, cells, lines, sep, name in categorical)
        if kind == "numeric" and any("decimal mark" in note for note in notes):
            comma = comma or name
        elif kind == "numeric" and not notes and dotted is None:
            dotted = _dot_grouped(name, cells, lines)
        decisions += notes
        order.append(name)
        if kind == "numeric":
            numeric_names.append(name)
            numeric.append(values)
        else:
            encoded[name] = (values, cats)
    if comma and dotted is not None:
        name, cell, line = dotted
        raise ValueError(
            f"column {name!r} line {line} has {cell!r} while column {comma!r} uses ',' as the "
            f"decimal mark: '.' may be a decimal point or, as with decimal commas, the "
            f"thousands separator ({cell.replace('.', '')}); expected one convention in the "
            "file (rewrite the column without '.', or with its decimal mark as ',')")
    decisions += dropped
    tokens = sorted({c for name in order for c in columns[header.index(name)]
                     if _is_missing(c) and c})
    if tokens:
        decisions.append(f"read as missing: {', '.join(map(repr, tokens))} (and empty cells)")
    if not order:
        raise ValueError(f"CSV {str(path)!r} has no feature columns besides {target!r}")
    decisions.append(mapping)
    matrix = np.stack(numeric, axis=1) if numeric else np.zeros((len(rows), 0))
    return Table(f"csv:{path.name}", tuple(order), tuple(numeric_names), matrix, encoded,
                 labels, classes, np.array(lines, dtype=np.int64), tuple(decisions))


def _dot_grouped(column: str, cells: list[str], lines: list[int]
                 ) -> tuple[str, str, int] | None:
    """``(column, cell, line)`` when every cell of this plain-number column that holds a
    '.' has it before groups of three digits (``2.037``, ``1.234.567``: the thousands
    separator of decimal-comma locales, or a decimal point), else None."""
    dots = [(c, line) for c, line in zip(cells, lines, strict=True) if "." in c]
    if dots and all(_DOT_GROUPS.fullmatch(c) for c, _ in dots):
        return column, dots[0][0], dots[0][1]
    return None


# --- encoding for the network ---------------------------------------------------------
def encode_whole(table: Table) -> tuple[np.ndarray, list[str]]:
    """Every feature in file order, ``(m, n_x)``: numbers (NaN missing), one-hot text
    (a missing text cell is NaN across its column's block); nothing imputed or scaled."""
    blocks, names = [], []
    for name in table.order:
        if name in table.categorical:
            text, cats = table.categorical[name]
            block = np.array([[np.nan] * len(cats) if not isinstance(v, str) else
                              [float(v == c) for c in cats] for v in text])
            blocks.append(block.reshape(len(text), len(cats)))
            names += [f"{name}={c}" for c in cats]
        else:
            blocks.append(table.numeric[:, [table.numeric_names.index(name)]])
            names.append(name)
    return np.hstack(blocks), names


def _frame(table: Table, rows: np.ndarray):
    pd = _require("pandas")
    data = {n: table.numeric[rows, i] for i, n in enumerate(table.numeric_names)}
    data.update({n: table.categorical[n][0][rows] for n in table.categorical})
    return pd.DataFrame(data)


def split_transform(table: Table, test_size: float, seed: int
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[str],
                               list[str]]:
    """Seeded split, then impute / one-hot / standardise fitted on the training part.

    Returns ``X_train (m_train, n_x)``, ``X_test``, the train and test row indices, the
    feature names (numbers first, then one-hot blocks) and the decisions taken here.
    """
    check_split(test_size, seed)
    ColumnTransformer = _require("sklearn.compose").ColumnTransformer
    SimpleImputer = _require("sklearn.impute").SimpleImputer
    train_test_split = _require("sklearn.model_selection").train_test_split
    Pipeline = _require("sklearn.pipeline").Pipeline
    preprocessing = _require("sklearn.preprocessing")
    OneHotEncoder, StandardScaler = preprocessing.OneHotEncoder, preprocessing.StandardScaler
    m = len(table.labels)
    n_test = max(1, int(round(m * test_size)))
    if m - n_test < 1:
        raise ValueError(f"dataset has {m} example(s); too few to split off a test set")
    train, test = train_test_split(np.arange(m), test_size=n_test, random_state=int(seed),
                                   shuffle=True)
    frame_train, frame_test = _frame(table, train), _frame(table, test)
    empty = [n for n in frame_train.columns if frame_train[n].isna().all()]
    if empty:
        raise ValueError(f"column(s) {empty} have no values in the training part")
    numeric, cats = list(table.numeric_names), list(table.categorical)
    parts = []
    if numeric:
        parts.append(("numeric", Pipeline([("impute", SimpleImputer(strategy="mean")),
                                           ("scale", StandardScaler())]), numeric))
    if cats:
        categories = [list(table.categorical[n][1]) for n in cats]
        parts.append(("categorical", Pipeline([
            ("impute", SimpleImputer(strategy="most_frequent")),
            ("onehot", OneHotEncoder(categories=categories, handle_unknown="ignore",
                                     sparse_output=False))]), cats))
    transformer = ColumnTransformer(parts, remainder="drop", sparse_threshold=0.0)
    X_train = transformer.fit_transform(frame_train).astype(np.float64)
    X_test = transformer.transform(frame_test).astype(np.float64)
    names = numeric + [f"{n}={c}" for n in cats for c in table.categorical[n][1]]
    decisions = []
    imputed = [f"{n!r} {int(table_missing)} of {m}" for n in numeric
               if (table_missing := np.isnan(table.numeric[:, numeric.index(n)]).sum())]
    if imputed:
        decisions.append("missing numbers imputed with the training mean: " +
                         ", ".join(imputed))
    imputed = [f"{n!r} {count} of {m}" for n in cats if (count := int(sum(
        not isinstance(v, str) for v in table.categorical[n][0])))]
    if imputed:
        decisions.append("missing text imputed with the most frequent training value: " +
                         ", ".join(imputed))
    return X_train, X_test, train, test, names, decisions
