"""The command line's use cases, one module per kind: parser (arguments), indexing (index, add),
console (ask, the local console), serving (run, serve), admin (report, state, manifest).
`bot.__main__` parses the arguments and calls them with the settings."""
