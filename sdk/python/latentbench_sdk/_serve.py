"""Serving a plugin through hashicorp/go-plugin's protocol.

What the host (harness/host, go-plugin's client) expects of a plugin process:
  - the magic cookie LATENTBENCH_PLUGIN in the environment (else it was run by
    hand: say so and exit 1), and PLUGIN_PROTOCOL_VERSIONS listing a contract
    version the plugin speaks (1);
  - one line on stdout, CORE|APP|NETWORK|ADDRESS|PROTOCOL, here
    "1|1|unix|/tmp/.../plugin.sock|grpc", and nothing else on stdout;
  - the service (latentbench.v1.Encoder or Detector) on that socket, plus
    plugin.GRPCController/Shutdown, which the host calls when it is done (a
    plugin without it is waited on for 2 s and then killed), and the gRPC
    health service, which go-plugin's Ping uses;
  - logs on stderr, one hclog JSON object per line.
"""

import json
import logging
import os
import pickle
import queue
import shutil
import sys
import tempfile
import threading
import time
import traceback
from concurrent import futures

import grpc
import numpy as np

from latentbench.v1 import plugin_pb2 as pb
from latentbench.v1 import plugin_pb2_grpc as pb_grpc

from . import _wire
from ._params import InvalidInput, Param, resolve

CONTRACT_VERSION = 1
CORE_PROTOCOL_VERSION = 1
COOKIE_KEY = "LATENTBENCH_PLUGIN"
COOKIE_VALUE = "6c6174656e7462656e63682d706c7567696e"

_handshake_out = None  # the real stdout, kept for the handshake line


def _protect_stdout():
    """Points file descriptor 1 (and sys.stdout) at stderr, keeping the real
    stdout for the handshake line alone: a print or a C library writing to
    stdout can then never corrupt the handshake. Only when run as a plugin."""
    global _handshake_out
    if _handshake_out is not None or os.environ.get(COOKIE_KEY) != COOKIE_VALUE:
        return
    sys.stdout.flush()
    _handshake_out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr


class _HclogFormatter(logging.Formatter):
    """Formats records as hclog's JSON lines, which the host parses and shows
    with their level (and keeps in the stderr tail of its errors)."""

    def format(self, record):
        entry = {
            "@level": {"DEBUG": "debug", "INFO": "info", "WARNING": "warn"}.get(record.levelname, "error"),
            "@message": record.getMessage(),
            "@module": record.name,
            "@timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + ".%06d+00:00" % (record.msecs * 1000),
        }
        if record.exc_info:
            entry["error"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        return json.dumps(entry)


log = logging.getLogger("plugin")


def _setup_logging():
    root = logging.getLogger()
    if any(isinstance(h.formatter, _HclogFormatter) for h in root.handlers):
        return
    h = logging.StreamHandler(sys.stderr)
    h.setFormatter(_HclogFormatter())
    root.addHandler(h)
    root.setLevel(logging.INFO)


class Call:
    """What a call carries besides the data and the parameters.

    seed: the cell's seed (Fit). groups: int32 cluster ids per row, or None
    (detectors that declare uses_groups). labels and num_classes: class
    indices per row and their count (encoders that declare needs_labels; else
    None and 0). features: the FeatureBlocks of the input columns (encoders).
    progress(epoch, epochs, message="", **values): reports training progress
    (encoder Fit). log: the plugin's logger (stderr, shown by the host).
    """

    def __init__(self, seed=0, groups=None, labels=None, num_classes=0, features=(), progress=None):
        self.seed = seed
        self.groups = groups
        self.labels = labels
        self.num_classes = num_classes
        self.features = features
        self._progress = progress
        self.log = log

    def progress(self, epoch, epochs, message="", **values):
        if self._progress is not None:
            self._progress(pb.Progress(epoch=int(epoch), epochs=int(epochs), message=message,
                                       values={k: float(v) for k, v in values.items()}))


class _Plugin:
    name = ""
    version = "0"
    doc = ""
    params = ()

    def _who(self):
        return f"{self._kind} {self.name!r}"

    def _describe(self, kind):
        return pb.Description(kind=kind, name=self.name, version=self.version, doc=self.doc,
                              params=[p.to_wire() for p in self.params],
                              needs_labels=bool(getattr(self, "needs_labels", False)),
                              uses_groups=bool(getattr(self, "uses_groups", False)),
                              contract_version=CONTRACT_VERSION,
                              seed_independent=list(getattr(self, "seed_independent", ())))


class Detector(_Plugin):
    """Base class of a detector plugin. Set name (the NAME of the executable
    latentbench-detector-NAME), version, doc, params (a list of Param) and
    uses_groups, and implement

        fit(self, x, params, call) -> model     x: float64 n×d numpy array (float32 input is converted)
        score(self, model, x, params, call) -> n normality scores (higher = more normal)

    The model is any picklable object: the SDK pickles it into the blob the
    host caches and passes back to score, unpickled."""

    _kind = "detector"
    uses_groups = False

    def fit(self, x, params, call):
        raise NotImplementedError

    def score(self, model, x, params, call):
        raise NotImplementedError


class Encoder(_Plugin):
    """Base class of an encoder plugin. Set name, version, doc, params and
    needs_labels, and implement

        fit(self, x, params, call) -> model     x: float32 or float64 n×d
        encode(self, model, x, params, call) -> n×latent_dim float array

    call.progress(epoch, epochs, loss=...) reports training progress."""

    _kind = "encoder"
    needs_labels = False

    def fit(self, x, params, call):
        raise NotImplementedError

    def encode(self, model, x, params, call):
        raise NotImplementedError


def _status(exc):
    """Maps an exception to a gRPC status code: bad input (InvalidInput,
    ValueError) is INVALID_ARGUMENT, MemoryError RESOURCE_EXHAUSTED,
    NotImplementedError UNIMPLEMENTED, anything else UNKNOWN."""
    if isinstance(exc, (InvalidInput, ValueError)):
        return grpc.StatusCode.INVALID_ARGUMENT
    if isinstance(exc, MemoryError):
        return grpc.StatusCode.RESOURCE_EXHAUSTED
    if isinstance(exc, NotImplementedError):
        return grpc.StatusCode.UNIMPLEMENTED
    return grpc.StatusCode.UNKNOWN


def _guard(op, context, body):
    """Runs a streaming handler body (a generator of frames), mapping any
    exception to a gRPC status with the exception's type and message.

    Python cannot interrupt a computation running in a thread, so when the
    host cancels the call (a cell timeout, Ctrl-C) while the body is still
    computing, the process exits: the host starts a fresh one for the next
    call, and no abandoned computation keeps a core busy."""
    state = {"done": False}

    def on_end():
        if not state["done"]:
            log.warning("%s cancelled by the host while computing: exiting", op)
            logging.shutdown()
            os._exit(1)

    context.add_callback(on_end)
    try:
        yield from body()
    except Exception as exc:  # noqa: BLE001 - every failure becomes a status
        code = _status(exc)
        if code in (grpc.StatusCode.UNKNOWN, grpc.StatusCode.UNIMPLEMENTED):
            log.error("%s failed", op, exc_info=exc)
        state["done"] = True
        context.abort(code, f"{op}: {type(exc).__name__}: {exc}")
    state["done"] = True


def _float_matrix(msg, name, float32_ok):
    x = msg.array(name)
    if isinstance(x, bytes) or x.dtype.kind != "f" or (x.dtype.itemsize == 4 and not float32_ok):
        raise InvalidInput(f"{name}: want a {'float32 or ' if float32_ok else ''}float64 matrix")
    return x


def _int_column(msg, name, rows):
    a = msg.arrays.get(name)
    if a is None:
        return None
    if isinstance(a, bytes) or a.dtype.kind != "i" or a.shape[1] != 1:
        raise InvalidInput(f"{name}: want an n×1 int32 column")
    if a.shape[0] != rows:
        raise InvalidInput(f"{a.shape[0]} {name} for {rows} rows")
    return a[:, 0]


def _model(msg):
    blob = msg.array("model")
    if not isinstance(blob, bytes):
        raise InvalidInput("model: want bytes")
    try:
        return pickle.loads(blob)
    except Exception as exc:
        raise InvalidInput(f"model: not a model of this plugin ({type(exc).__name__}: {exc})") from exc


TRAILER_COMPUTE = "latentbench-compute-seconds"


class _Timer:
    """Adds up the time a plugin's own methods run during one call; report
    sends it to the host in the trailing metadata "latentbench-compute-seconds",
    which the host subtracts from a cell's wall time to give its overhead."""

    def __init__(self):
        self.seconds = 0.0

    def run(self, f, *args):
        start = time.perf_counter()
        try:
            return f(*args)
        finally:
            self.seconds += time.perf_counter() - start

    def report(self, context):
        context.set_trailing_metadata(((TRAILER_COMPUTE, repr(self.seconds)),))


def _params(impl, msg):
    if msg.call is None:
        raise InvalidInput("malformed stream: no Call frame")
    return resolve(impl.params, msg.call.params, impl._who())


class _DetectorServicer(pb_grpc.DetectorServicer):
    def __init__(self, impl):
        self.impl = impl

    def Describe(self, request, context):
        return self.impl._describe(pb.KIND_DETECTOR)

    def Fit(self, request_iterator, context):
        def body():
            msg = _wire.receive(request_iterator)
            params = _params(self.impl, msg)
            x = _float_matrix(msg, "x", True).astype(np.float64, copy=False)
            call = Call(seed=msg.call.seed, groups=_int_column(msg, "groups", x.shape[0]))
            t = _Timer()
            model = t.run(self.impl.fit, x, params, call)
            t.report(context)
            yield from _wire.send("model", pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))
        return _guard("fit", context, body)

    def Score(self, request_iterator, context):
        def body():
            msg = _wire.receive(request_iterator)
            params = _params(self.impl, msg)
            model = _model(msg)
            x = _float_matrix(msg, "x", True).astype(np.float64, copy=False)
            call = Call(groups=_int_column(msg, "groups", x.shape[0]))
            t = _Timer()
            s = _scores(t.run(self.impl.score, model, x, params, call), x.shape[0])
            t.report(context)
            yield from _wire.send("scores", s)
        return _guard("score", context, body)

    def FitScore(self, request_iterator, context):
        """Fit-then-score jobs on column subsets in one call (see plugin.proto):
        each job calls the plugin's own fit and score, and only the scores
        travel back."""
        def body():
            msg = _wire.receive(request_iterator)
            params = _params(self.impl, msg)
            x = _float_matrix(msg, "x", True).astype(np.float64, copy=False)
            ev = _float_matrix(msg, "eval", True).astype(np.float64, copy=False)
            cols, extra = _fit_score_jobs(msg, x.shape[1])
            u = 0 if extra is None else extra.shape[0] // cols.shape[0]
            t, out = _Timer(), []
            for j, c in enumerate(cols):
                model = t.run(self.impl.fit, np.ascontiguousarray(x[:, c]), params, Call(seed=msg.call.seed))
                out.append(_scores(t.run(self.impl.score, model, np.ascontiguousarray(ev[:, c]), params, Call()),
                                   ev.shape[0]))
                if u:
                    out.append(_scores(t.run(self.impl.score, model, extra[j * u:(j + 1) * u], params, Call()), u))
            t.report(context)
            yield from _wire.send("scores", np.concatenate(out) if out else np.zeros(0))
        return _guard("fitscore", context, body)


def _scores(s, rows):
    s = np.asarray(s, dtype=np.float64).reshape(-1)
    if s.shape[0] != rows:
        raise RuntimeError(f"score returned {s.shape[0]} scores for {rows} rows")
    return s


def _fit_score_jobs(msg, d):
    """A FitScore call's column indices (jobs×k, checked against d) and extra
    points (jobs·u×k float64, or None)."""
    cols = msg.array("cols")
    if isinstance(cols, bytes) or cols.dtype.kind != "i" or cols.shape[1] < 1:
        raise InvalidInput("cols: want an int32 jobs×k matrix")
    if cols.size and (cols.min() < 0 or cols.max() >= d):
        raise InvalidInput(f"cols: a column index outside [0, {d})")
    cols = cols.astype(np.intp)
    if "extra" not in msg.arrays:
        return cols, None
    extra = _float_matrix(msg, "extra", True).astype(np.float64, copy=False)
    jobs, k = cols.shape
    if jobs == 0 or extra.shape[0] % jobs or extra.shape[1] != k:
        raise InvalidInput(f"extra: {extra.shape[0]}×{extra.shape[1]} points for {jobs} jobs of {k} columns")
    return cols, extra


class _EncoderServicer(pb_grpc.EncoderServicer):
    def __init__(self, impl):
        self.impl = impl

    def Describe(self, request, context):
        return self.impl._describe(pb.KIND_ENCODER)

    def Fit(self, request_iterator, context):
        def body():
            msg = _wire.receive(request_iterator)
            params = _params(self.impl, msg)
            x = _float_matrix(msg, "x", True)
            labels = _int_column(msg, "labels", x.shape[0])
            frames = queue.Queue()
            call = Call(seed=msg.call.seed, labels=labels, num_classes=msg.call.num_classes,
                        features=list(msg.call.features), progress=lambda p: frames.put(pb.Frame(progress=p)))
            result = {}
            t = _Timer()

            def work():
                try:
                    result["model"] = t.run(self.impl.fit, x, params, call)
                except BaseException as exc:  # noqa: BLE001 - re-raised below
                    result["error"] = exc
                frames.put(None)

            threading.Thread(target=work, daemon=True).start()
            # Progress frames stream out while fit runs.
            for f in iter(frames.get, None):
                yield f
            if "error" in result:
                raise result["error"]
            t.report(context)
            yield from _wire.send("model", pickle.dumps(result["model"], protocol=pickle.HIGHEST_PROTOCOL))
        return _guard("fit", context, body)

    def Encode(self, request_iterator, context):
        def body():
            msg = _wire.receive(request_iterator)
            params = _params(self.impl, msg)
            model = _model(msg)
            x = _float_matrix(msg, "x", True)
            t = _Timer()
            z = np.asarray(t.run(self.impl.encode, model, x, params, Call()))
            t.report(context)
            if z.dtype not in (np.float32, np.float64):
                z = z.astype(np.float64)
            if z.ndim != 2 or z.shape[0] != x.shape[0]:
                raise RuntimeError(f"encode returned shape {z.shape} for {x.shape[0]} rows")
            yield from _wire.send("z", z)
        return _guard("encode", context, body)


def _raw_unary(fn):
    return grpc.unary_unary_rpc_method_handler(fn, request_deserializer=lambda b: b,
                                               response_serializer=lambda b: b)


def _check_environment(kind):
    if os.environ.get(COOKIE_KEY) != COOKIE_VALUE:
        sys.stderr.write(f"This is a latentbench {kind} plugin: the latentbench CLI runs it "
                         "(`latentbench plugins` lists the installed ones). It is not meant to be run by hand.\n")
        sys.exit(1)
    versions = os.environ.get("PLUGIN_PROTOCOL_VERSIONS", "")
    if versions and str(CONTRACT_VERSION) not in versions.split(","):
        sys.stderr.write(f"latentbench plugin: the host speaks contract versions {versions}, "
                         f"this plugin speaks {CONTRACT_VERSION}\n")
        sys.exit(1)


def _watch_parent(stop):
    """Exits when the host process dies (this process is re-parented)."""
    parent = os.getppid()
    while not stop.wait(0.5):
        if os.getppid() != parent:
            log.info("host process gone: exiting")
            os._exit(0)


def _serve(impl, kind, add):
    _check_environment(kind)
    _protect_stdout()
    _setup_logging()
    if not impl.name:
        raise TypeError(f"{type(impl).__name__}: set the plugin's name")
    sockdir = tempfile.mkdtemp(prefix="plugin", dir=os.environ.get("PLUGIN_UNIX_SOCKET_DIR") or None)
    addr = os.path.join(sockdir, "plugin.sock")
    stop = threading.Event()

    def shutdown(request, context):
        stop.set()
        return b""

    def health(request, context):
        return b"\x08\x01"  # HealthCheckResponse{status: SERVING}

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8), options=[
        ("grpc.max_receive_message_length", 8 << 20),
        ("grpc.max_send_message_length", 8 << 20),
    ])
    add(server)
    server.add_generic_rpc_handlers((
        grpc.method_handlers_generic_handler("plugin.GRPCController", {"Shutdown": _raw_unary(shutdown)}),
        grpc.method_handlers_generic_handler("grpc.health.v1.Health", {"Check": _raw_unary(health)}),
    ))
    server.add_insecure_port("unix:" + addr)
    server.start()
    threading.Thread(target=_watch_parent, args=(stop,), daemon=True).start()
    _handshake_out.write(f"{CORE_PROTOCOL_VERSION}|{CONTRACT_VERSION}|unix|{addr}|grpc\n")
    _handshake_out.flush()
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    server.stop(grace=1).wait()
    shutil.rmtree(sockdir, ignore_errors=True)
    sys.stdout.flush()
    sys.stderr.flush()
    # Threads still inside a plugin's fit must not keep the process alive.
    os._exit(0)


def serve_detector(impl):
    """Serves a Detector instance until the host stops it (never returns)."""
    _serve(impl, "detector", lambda s: pb_grpc.add_DetectorServicer_to_server(_DetectorServicer(impl), s))


def serve_encoder(impl):
    """Serves an Encoder instance until the host stops it (never returns)."""
    _serve(impl, "encoder", lambda s: pb_grpc.add_EncoderServicer_to_server(_EncoderServicer(impl), s))


__all__ = ["Call", "Detector", "Encoder", "Param", "InvalidInput", "log", "serve_detector", "serve_encoder"]
