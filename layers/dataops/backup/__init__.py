"""The backup format and engine: codec, manifest, per-store dumpers and loaders; used by backup and restore."""
