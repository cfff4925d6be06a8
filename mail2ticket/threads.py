"""Former home of thread splitting, kept as an import path: :mod:`mail2ticket.data.threads` is its home.

``from mail2ticket.threads import first_client_email`` is a documented entry point, so this
name is the same module object as :mod:`mail2ticket.data.threads`, not a copy of it.
"""

import sys

from mail2ticket.data import threads as _home

sys.modules[__name__] = _home
