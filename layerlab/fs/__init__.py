"""The filesystem model: paths, entries, layers, the tar codec, merging and diffing. Standard library only."""
