"""pytest-benchmark suites: loop vs vectorised dense layer, numpy_impl vs Keras, scaling."""
