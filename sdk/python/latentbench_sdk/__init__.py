"""latentbench_sdk: write a latentbench plugin in Python.

A detector is a class and one call (see docs/plugins.md):

    from latentbench_sdk import Detector, Param, serve_detector

    class Knn(Detector):
        name, version, doc = "knn", "1", "distance to the k-th neighbour"
        params = [Param("k", int, 5, "neighbours")]

        def fit(self, x, params, call):
            return x

        def score(self, model, x, params, call):
            ...  # n normality scores, higher = more normal

    serve_detector(Knn())

The SDK speaks go-plugin's protocol (cookie, handshake line, Shutdown,
health), moves arrays as numpy arrays in chunked frames, resolves parameters
against the declared schema, streams progress, logs hclog lines to stderr and
maps exceptions to gRPC statuses (InvalidInput and ValueError are
INVALID_ARGUMENT). It needs only grpcio, protobuf and numpy (Debian's
python3-grpcio, python3-protobuf, python3-numpy).
"""

import os as _os
import sys as _sys

# The generated stubs (package latentbench.v1) sit beside this package.
_here = _os.path.dirname(_os.path.dirname(_os.path.abspath(__file__)))
if _here not in _sys.path:
    _sys.path.insert(0, _here)

from ._params import InvalidInput, Param  # noqa: E402
from ._serve import (  # noqa: E402
    CONTRACT_VERSION, Call, Detector, Encoder, _protect_stdout, log, serve_detector, serve_encoder,
)

# Whatever the plugin prints from here on goes to stderr, never into the
# handshake on stdout.
_protect_stdout()

__all__ = ["CONTRACT_VERSION", "Call", "Detector", "Encoder", "InvalidInput", "Param", "log",
           "serve_detector", "serve_encoder"]
