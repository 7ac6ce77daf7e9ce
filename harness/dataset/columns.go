package dataset

// KDDCup99Columns returns the names of the 42 comma-separated fields of the
// KDD Cup 1999 files (kddcup.data, kddcup.data_10_percent, corrected), which
// have no header line. The names and their order are those of the UCI KDD
// Archive's kddcup.names, with the class field named "label" (values such as
// "normal.", "smurf."). A grid selects them with columns_preset = "kddcup99".
// A fresh slice is returned on each call.
func KDDCup99Columns() []string {
	return []string{
		"duration", "protocol_type", "service", "flag", "src_bytes", "dst_bytes",
		"land", "wrong_fragment", "urgent", "hot", "num_failed_logins", "logged_in",
		"num_compromised", "root_shell", "su_attempted", "num_root",
		"num_file_creations", "num_shells", "num_access_files", "num_outbound_cmds",
		"is_host_login", "is_guest_login", "count", "srv_count", "serror_rate",
		"srv_serror_rate", "rerror_rate", "srv_rerror_rate", "same_srv_rate",
		"diff_srv_rate", "srv_diff_host_rate", "dst_host_count", "dst_host_srv_count",
		"dst_host_same_srv_rate", "dst_host_diff_srv_rate",
		"dst_host_same_src_port_rate", "dst_host_srv_diff_host_rate",
		"dst_host_serror_rate", "dst_host_srv_serror_rate", "dst_host_rerror_rate",
		"dst_host_srv_rerror_rate", "label",
	}
}

// columnPresets maps the allowed values of columns_preset to their column lists.
func columnPresets() map[string]func() []string {
	return map[string]func() []string{"kddcup99": KDDCup99Columns}
}
