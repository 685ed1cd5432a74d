"""A short NumPy-only training on generated data; prints the cost curve as text.

Run: ``python -m numpy_impl.demo``.
"""

from __future__ import annotations

import numpy as np

from numpy_impl.network import NeuralNetwork


def make_moons_like(m: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two noisy interleaved half circles: ``X (2, m)``, ``Y (1, m)`` of 0/1."""
    t = rng.uniform(0, np.pi, m)
    Y = (rng.random(m) < 0.5).astype(np.float64)
    x = np.where(Y == 1, 1 - np.cos(t), np.cos(t))
    y = np.where(Y == 1, 0.5 - np.sin(t), np.sin(t))
    X = np.vstack([x, y]) + rng.normal(0, 0.25, (2, m))
    return X, Y.reshape(1, m)


def text_curve(costs: list[float], width: int = 50, every: int = 1) -> str:
    """One line per sampled epoch: the cost and a bar proportional to it."""
    top = max(costs)
    lines = []
    for i in range(0, len(costs), every):
        bar = "#" * max(1, round(width * costs[i] / top))
        lines.append(f"epoch {i + 1:>4}  cost {costs[i]:.5f}  {bar}")
    return "\n".join(lines)


def main() -> None:
    """Train a 2-16-8-1 relu net with Adam and print its cost curve and accuracy."""
    rng = np.random.default_rng(0)
    X, Y = make_moons_like(600, rng)
    X_test, Y_test = make_moons_like(300, rng)
    net = NeuralNetwork((2, 16, 8, 1), optimizer="adam", seed=1)
    costs = net.fit(X, Y, epochs=300, batch_size=64, learning_rate=0.01)
    print(f"{net}: generated two-moons data, 600 train / 300 test examples\n")
    print(text_curve(costs, every=20))
    print(f"\ntrain accuracy {net.evaluate(X, Y):.3f}   test accuracy "
          f"{net.evaluate(X_test, Y_test):.3f}")


if __name__ == "__main__":
    main()
