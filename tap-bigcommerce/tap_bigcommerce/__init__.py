"""Singer tap for BigCommerce."""

from importlib.metadata import version

# Read back from the installed metadata: pyproject.toml's `version` is the only place to edit.
__version__ = version("tap-bigcommerce")
