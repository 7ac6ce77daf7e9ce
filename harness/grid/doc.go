// Package grid parses a TOML experiment grid, validates it against the data
// set rules and the plugins' parameter schemas, and expands it into cells.
//
// # The file format
//
//	[experiment]
//	name = "demo"            # required; results go to results/<name>/; [a-z0-9_-]+
//	seeds = [0, 1]           # required, non-empty, distinct integers
//	timeout = "10m"          # per-cell timeout, a Go duration ("90s", "1h30m"); default "30m"
//	fit_on = "test"          # "test" (default: detectors fit on the test points they score,
//	                         # the paper's setting) | "train" (fit on the encoded training set,
//	                         # Goix's protocol)
//	description = "..."      # optional free text
//	notes = """..."""        # optional Markdown, shown in report.md under "Notes"
//
//	[[dataset]]              # one or more; the keys are those of dataset.Spec (its toml tags)
//	name = "digits"          # unique in the grid
//	format = "csv"           # "idx", "csv" or "npz" (see dataset.Spec)
//	path = "data/digits.csv" # relative to the grid file
//	label = "class"
//	train = 10000
//	test = 2000
//
//	[[encoder]]              # one or more
//	plugin = "my-encoder"    # required: a registered encoder plugin
//	label = "mine-2d"        # optional display name; default the plugin name
//	[encoder.params]         # checked against the plugin's schema; absent ones take its defaults
//	latent_dim = [2, 3]      # an axis: the grid runs each value
//
//	[[detector]]             # zero or more; with none, cells only encode and cluster
//	plugin = "my-detector"
//	[detector.params]
//	n_estimators = 100
//
//	[clustering]             # optional
//	methods = ["kmeans"]     # subset of "kmeans", "gmm"; default both; [] = no clustering
//	k_min = 2                # default 2 (at least 2)
//	k_max = 20               # default 20, >= k_min
//	n_init = 10              # k-means restarts, default 10
//
//	[metrics]                # optional
//	emmv = true              # EM/MV curves; default true (false, and an error if set, without detectors)
//	uniform_points = 100000  # N uniform points of EM/MV, default 100000
//	emmv_points = 0          # if > 0, EM/MV on a seeded subsample of that many evaluated points
//	contamination = 0.1      # share flagged as anomalies for the class-distribution RMSE, 0 < c < 0.5
//
// Params may also be written inline (params = { latent_dim = 2 }) or as dotted
// keys (params.latent_dim = 2). Every key not listed here, and every parameter
// a plugin does not declare, is an error. Integral floats are accepted for
// integers (train = 1e4) and integers for numbers (contamination = 0).
//
// # Axes
//
// A parameter given a list of values is an axis, and the block expands into
// one instance per combination of its axes' values:
//
//   - for a scalar parameter (int, float, string, bool) a list is an axis:
//     latent_dim = [2, 3]; an empty list is an error ("empty axis");
//   - for a list-typed parameter (sdk.ParamType.IsList) a list of lists is an
//     axis and a flat list one value: hidden = [[256], [512, 256]] is two
//     instances, hidden = [512, 256] one; a list mixing both is an error, and
//     hidden = [] is the empty list as one value;
//   - for a TypeAny parameter a list is an error, since it could be either
//     (prior_means = ["learned", "circle"] is two alternatives,
//     prior_means = [[0, 1], [1, 0]] one value): the list must be written in
//     an explicit form, and any other value is one value passed as is;
//   - the explicit forms, for parameters of every type: { axis = [...] } is an
//     axis of the listed values, { value = ... } one value;
//   - a value repeated in one axis is an error.
//
// Each instance's parameters are resolved against the plugin's schema
// (sdk.Description.Resolve): every declared parameter is present, defaults
// filled in, values normalised to the declared Go types (an integral float for
// an int, an int for a float).
//
// An instance's label is the block's label (default the plugin name) followed,
// when the block has axes, by "(k=v, ...)" of its axis values in parameter-name
// order, e.g. "my-encoder(gamma=0.3, hidden=[512,256])". Labels must be unique per
// kind (so per dataset): two blocks of one plugin without axes need a label each.
// Two instances with the same plugin and resolved parameters are an error
// naming both blocks, since they would make the same cells.
//
// # Expansion
//
// Expansion is deterministic. The cells are, in this order (the last varying
// fastest): datasets (file order) × encoder instances × detector instances (or
// one "no detector") × seeds (file order). The instances of a kind come in
// block order and, within a block, as the cartesian product of its axes taken
// in sorted parameter-name order (the first name varying slowest), each axis's
// values in file order.
//
// A cell's ID is the first 12 hex digits of the SHA-256 of a canonical string
// of its dataset name, encoder plugin and canonical resolved parameters
// (sdk.Params.CanonicalJSON), detector plugin and parameters, and seed (see
// CellID). The same work has the same ID whatever the order of the file, the
// labels, or the other tables; reordering blocks changes the order of the
// cells, not their IDs. Grid.EncoderInstances and Grid.DetectorInstances list
// the instances so that a runner can share work: an encoder fit is shared by
// all cells of the same dataset, encoder instance and seed (Cell.EncodingID).
//
// # Errors
//
// Load collects every problem it can find and returns them as Errors, sorted by
// line, each a *Error printed as
//
//	configs/x.toml:12: encoder[2].params.latent_dim: must be an integer, got string "two"
//
// Field is the full dotted key path with 1-based indices for arrays of tables
// and list elements (experiment.seeds[3]); where a set of values is allowed,
// the message lists it. TOML syntax errors come from BurntSushi/toml's
// ParseError with its line and column; the key is made indexed from the table
// header in force at that line. For decoded keys the toml package gives no
// position (v1.6.0 keeps one internally, unexported and shared by all elements
// of an array of tables), so a small scanner of the file (the locator) maps key
// paths to lines: it follows [table] and [[array]] headers and their indices,
// dotted and quoted keys, inline tables and multi-line arrays and strings.
// A key it cannot place falls back to its nearest located parent — usually the
// table's header line — and then to line 1. Unknown keys are found by
// comparing each table's keys with the allowed ones (the file is decoded into
// maps, not structs, so MetaData.Undecoded is not needed), which lets the
// message list the allowed keys.
//
// Data sets are checked by dataset.Spec.Validate against the grid file's
// directory, which resolves relative paths.
package grid
