"""Arrays in Frame streams, as the Go side frames them (internal wire code of
the Go SDK): an ArrayHeader (name, rows, cols, dtype), then Chunk frames with
the little-endian, row-major bytes, each at most CHUNK_SIZE."""

import numpy as np

from latentbench.v1 import plugin_pb2 as pb

from ._params import InvalidInput

CHUNK_SIZE = 1 << 20
MAX_ARRAY_BYTES = 64 << 30

DTYPES = {
    pb.DTYPE_FLOAT32: np.dtype("<f4"),
    pb.DTYPE_FLOAT64: np.dtype("<f8"),
    pb.DTYPE_INT32: np.dtype("<i4"),
    pb.DTYPE_BYTES: np.dtype("u1"),
}


class Message:
    """One direction of a Fit, Encode or Score stream: the Call and the arrays
    (numpy arrays of shape rows×cols; a bytes array is a Python bytes)."""

    def __init__(self):
        self.call = None
        self.arrays = {}

    def array(self, name):
        if name not in self.arrays:
            raise InvalidInput(f"stream has no array {name!r}")
        return self.arrays[name]


def receive(frames):
    """Reads frames until the client closes its side; raises InvalidInput on
    a stream that breaks the framing rules."""
    msg = Message()
    name, header, buf, got = None, None, None, 0

    def close():
        if header is None:
            return
        want = header.rows * header.cols * DTYPES[header.dtype].itemsize
        if got != want:
            raise InvalidInput(f"malformed stream: array {name!r} has {got} of its {want} bytes")
        if header.dtype == pb.DTYPE_BYTES:
            msg.arrays[name] = bytes(buf)
        else:
            msg.arrays[name] = np.frombuffer(buf, dtype=DTYPES[header.dtype]).reshape(header.rows, header.cols)

    for f in frames:
        kind = f.WhichOneof("kind")
        if kind == "call":
            if msg.call is not None:
                raise InvalidInput("malformed stream: two Call frames")
            msg.call = f.call
        elif kind == "header":
            close()
            h = f.header
            size = DTYPES[h.dtype].itemsize if h.dtype in DTYPES else 0
            if size == 0 or h.rows < 0 or h.cols < 0 or h.rows * h.cols * size > MAX_ARRAY_BYTES:
                raise InvalidInput(f"malformed stream: array {h.name!r} header {h.rows}x{h.cols} dtype {h.dtype}")
            if h.name in msg.arrays:
                raise InvalidInput(f"malformed stream: array {h.name!r} sent twice")
            # One writable buffer per array, filled chunk by chunk: one copy.
            name, header, buf, got = h.name, h, bytearray(h.rows * h.cols * size), 0
        elif kind == "chunk":
            if header is None:
                raise InvalidInput("malformed stream: chunk before any array header")
            n = len(f.chunk)
            if got + n > len(buf):
                raise InvalidInput(f"malformed stream: array {name!r} overflows its {len(buf)} bytes")
            buf[got:got + n] = f.chunk
            got += n
        elif kind == "progress":
            pass
        else:
            raise InvalidInput("malformed stream: empty frame")
    close()
    return msg


def send(name, a):
    """Yields the frames of a named array: a 2-D float32/float64/int32 numpy
    array, a 1-D one (sent as n×1), or bytes (sent as DTYPE_BYTES)."""
    if isinstance(a, (bytes, bytearray, memoryview)):
        buf = bytes(a)
        yield pb.Frame(header=pb.ArrayHeader(name=name, rows=len(buf), cols=1, dtype=pb.DTYPE_BYTES))
    else:
        if a.ndim == 1:
            a = a.reshape(-1, 1)
        dtype = {np.dtype("float32"): pb.DTYPE_FLOAT32, np.dtype("float64"): pb.DTYPE_FLOAT64,
                 np.dtype("int32"): pb.DTYPE_INT32}[a.dtype.newbyteorder("=")]
        yield pb.Frame(header=pb.ArrayHeader(name=name, rows=a.shape[0], cols=a.shape[1], dtype=dtype))
        buf = np.ascontiguousarray(a, dtype=a.dtype.newbyteorder("<")).tobytes()
    for off in range(0, len(buf), CHUNK_SIZE):
        yield pb.Frame(chunk=buf[off:off + CHUNK_SIZE])
