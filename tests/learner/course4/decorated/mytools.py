import functools, time
def timed(fn):
    @functools.wraps(fn)
    def wrapper(*a, **k):
        t = time.perf_counter(); out = fn(*a, **k); wrapper.last = time.perf_counter() - t
        return out
    return wrapper
