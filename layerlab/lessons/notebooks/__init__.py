"""The exercises of each notebook, one module per notebook (nb01.py, nb02.py, ...)."""
