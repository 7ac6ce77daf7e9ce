"""Parameter schemas and their resolution, as the Go SDK's (sdk/schema.go)."""

from latentbench.v1 import plugin_pb2 as pb


class InvalidInput(ValueError):
    """Raised for bad data or parameters: the host sees INVALID_ARGUMENT."""


_TYPES = {
    "int": pb.PARAM_TYPE_INT,
    "float": pb.PARAM_TYPE_FLOAT,
    "string": pb.PARAM_TYPE_STRING,
    "bool": pb.PARAM_TYPE_BOOL,
    "int_list": pb.PARAM_TYPE_INT_LIST,
    "float_list": pb.PARAM_TYPE_FLOAT_LIST,
    "any": pb.PARAM_TYPE_ANY,
}
_PY_TYPES = {int: "int", float: "float", str: "string", bool: "bool"}


class Param:
    """One declared parameter: name, type, default, one line of doc, and for
    a string parameter the allowed values (choices).

    type is one of "int", "float", "string", "bool", "int_list",
    "float_list", "any", or the Python type int, float, str or bool.
    """

    def __init__(self, name, type, default, doc, choices=()):
        self.name = name
        self.type = _PY_TYPES.get(type, type)
        if self.type not in _TYPES:
            raise TypeError(f"parameter {name!r}: unknown type {type!r} (want one of {', '.join(_TYPES)})")
        self.doc = doc
        self.choices = tuple(choices)
        if default is None:
            raise TypeError(f"parameter {name!r}: a default is required")
        self.default = self.check(default)

    def check(self, v):
        """Returns v in the parameter's canonical form, or raises InvalidInput."""
        t = self.type
        bad = InvalidInput(f"parameter {self.name!r} must be {t.replace('_', ' ')}, got {v!r}")
        if t == "any":
            return v
        if t == "bool":
            if not isinstance(v, bool):
                raise bad
            return v
        if t == "int":
            if isinstance(v, bool):
                raise bad
            if isinstance(v, float) and v.is_integer():
                v = int(v)
            if not isinstance(v, int):
                raise bad
            return v
        if t == "float":
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise bad
            return float(v)
        if t == "string":
            if not isinstance(v, str):
                raise bad
            if self.choices and v not in self.choices:
                raise InvalidInput(f"parameter {self.name!r} must be one of {', '.join(map(repr, self.choices))}, got {v!r}")
            return v
        if not isinstance(v, (list, tuple)):
            raise bad
        elem = Param.__new__(Param)
        elem.name, elem.type, elem.choices = self.name, t[: -len("_list")], ()
        return [elem.check(x) for x in v]

    def to_wire(self):
        return pb.ParamSpec(name=self.name, type=_TYPES[self.type], default=to_value(self.default),
                            doc=self.doc, choices=list(self.choices))


def to_value(v):
    """Converts a Python value to a wire Value."""
    if isinstance(v, bool):
        return pb.Value(bool=v)
    if isinstance(v, int):
        return pb.Value(int=v)
    if isinstance(v, float):
        return pb.Value(float=v)
    if isinstance(v, str):
        return pb.Value(str=v)
    if isinstance(v, (list, tuple)):
        return pb.Value(list=pb.ValueList(values=[to_value(x) for x in v]))
    raise TypeError(f"unsupported parameter value {v!r}")


def from_value(w):
    """Converts a wire Value to a Python value."""
    kind = w.WhichOneof("kind")
    if kind is None:
        raise InvalidInput("empty parameter value")
    if kind == "list":
        return [from_value(x) for x in w.list.values]
    return getattr(w, kind)


def resolve(schema, given, who):
    """Resolves wire parameters against the schema: every declared parameter,
    given or defaulted, checked; an undeclared one is an InvalidInput."""
    by_name = {p.name: p for p in schema}
    out = {}
    for name in sorted(given):
        if name not in by_name:
            raise InvalidInput(f"{who} has no parameter {name!r} (parameters: {', '.join(sorted(by_name)) or 'none'})")
        out[name] = by_name[name].check(from_value(given[name]))
    for p in schema:
        out.setdefault(p.name, p.default)
    return out
