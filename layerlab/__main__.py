"""`python -m layerlab`: the same as the `layerlab` command."""

from .cli import main

raise SystemExit(main())
