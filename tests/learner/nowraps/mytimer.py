# A timer decorator written without functools.wraps (written by a reviewer).
import time

def timed(fn):
    def wrapper(*a, **k):
        t0 = time.time()
        out = fn(*a, **k)
        return out
    return wrapper
