"""Run PyPI `tap-bigcommerce` 1.1.3 (singer-io) against the emulator. Runs in the peer's venv.

The tap has no base-URL setting: `Bigcommerce.base_url` is a class attribute fixed to
`https://api.bigcommerce.com/stores/`. This launcher sets that one attribute to the emulator's
`{api_url}/stores/` (from PEER_BIGCOMMERCE_API_URL) and then runs the tap's own `main()`,
unchanged: same requests, paths, parameters, paging, concurrency and pacing.
"""

import os

from tap_bigcommerce import main
from tap_bigcommerce.bigcommerce import Bigcommerce

api_url = os.environ["PEER_BIGCOMMERCE_API_URL"].rstrip("/")
Bigcommerce.base_url = f"{api_url}/stores/"
Bigcommerce.auth_check_url = f"{api_url}/store"

if __name__ == "__main__":
    main()
