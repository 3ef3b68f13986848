import sys

from bigcommerce_iterable_reconcile.cli import main

sys.exit(main())
