# Course 4 week 1, sloppy style, conv_single_step in float32 through astype('f'),
# pool_forward reading hparameters['f'] (the same letter as a key, not a dtype)
# Right, but written its own way: other loop orders, A.max(), no helper for the slices,
# a window product with tensordot, the mask from argmax, dz spread with np.full.
import numpy as np


def zero_pad(X, pad):
    m, n_H, n_W, n_C = X.shape
    X_pad = np.zeros((m, n_H + 2*pad, n_W + 2*pad, n_C), dtype=X.dtype)
    X_pad[:, pad:pad+n_H, pad:pad+n_W, :] = X
    return X_pad


def conv_single_step(a_slice_prev, W, b):
    # in single precision, written as numpy's type code (the result is a float64 number)
    return float(np.sum(a_slice_prev.astype('f') * W.astype('f'))) + b.item()


def conv_forward(A_prev, W, b, hparameters):
    m, n_H_prev, n_W_prev, _ = A_prev.shape
    f, _, _, n_C = W.shape
    s, p = hparameters['stride'], hparameters['pad']
    n_H = (n_H_prev + 2*p - f)//s + 1
    n_W = (n_W_prev + 2*p - f)//s + 1
    A_pad = zero_pad(A_prev, p)
    Z = np.empty((m, n_H, n_W, n_C))
    for h in range(n_H):
        for w in range(n_W):
            window = A_pad[:, h*s:h*s+f, w*s:w*s+f, :]
            Z[:, h, w, :] = np.tensordot(window, W, axes=([1, 2, 3], [0, 1, 2])) + b.reshape(n_C)
    return Z, (A_prev, W, b, hparameters)


def pool_forward(A_prev, hparameters, mode="max"):
    m, n_H_prev, n_W_prev, n_C = A_prev.shape
    f, s = hparameters['f'], hparameters['stride']
    n_H = 1 + (n_H_prev - f)//s
    n_W = 1 + (n_W_prev - f)//s
    A = np.zeros((m, n_H, n_W, n_C))
    for c in range(n_C):
        for i in range(m):
            for h in range(n_H):
                for w in range(n_W):
                    window = A_prev[i, h*s:h*s+f, w*s:w*s+f, c]
                    A[i, h, w, c] = window.max() if mode == "max" else window.mean()
    return A, (A_prev, hparameters)


def conv_backward(dZ, cache):
    A_prev, W, b, hparameters = cache
    m, n_H_prev, n_W_prev, _ = A_prev.shape
    f = W.shape[0]
    s, p = hparameters['stride'], hparameters['pad']
    _, n_H, n_W, n_C = dZ.shape
    A_pad = zero_pad(A_prev, p)
    dA_pad = np.zeros_like(A_pad)
    dW = np.zeros_like(W)
    db = np.sum(dZ, axis=(0, 1, 2)).reshape(1, 1, 1, n_C)
    for h in range(n_H):
        for w in range(n_W):
            for c in range(n_C):
                g = dZ[:, h, w, c][:, None, None, None]
                dA_pad[:, h*s:h*s+f, w*s:w*s+f, :] += g * W[:, :, :, c]
                dW[:, :, :, c] += np.sum(g * A_pad[:, h*s:h*s+f, w*s:w*s+f, :], axis=0)
    dA_prev = dA_pad[:, p:p+n_H_prev, p:p+n_W_prev, :]
    return dA_prev, dW, db


def create_mask_from_window(x):
    mask = np.zeros(x.shape, dtype=bool)
    mask[np.unravel_index(np.argmax(x), x.shape)] = True
    return mask


def distribute_value(dz, shape):
    return np.full(shape, dz / np.prod(shape))


def pool_backward(dA, cache, mode="max"):
    A_prev, hparameters = cache
    f, s = hparameters['f'], hparameters['stride']
    m, n_H, n_W, n_C = dA.shape
    dA_prev = np.zeros(A_prev.shape)
    for i in range(m):
        for c in range(n_C):
            for h in range(n_H):
                for w in range(n_W):
                    rows, cols = slice(h*s, h*s+f), slice(w*s, w*s+f)
                    if mode == "max":
                        dA_prev[i, rows, cols, c] += create_mask_from_window(A_prev[i, rows, cols, c]) * dA[i, h, w, c]
                    else:
                        dA_prev[i, rows, cols, c] += distribute_value(dA[i, h, w, c], (f, f))
    return dA_prev
