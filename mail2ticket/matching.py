"""Former home of the paper's label matching, kept as an import path: :mod:`mail2ticket.evaluation.matching`.

``from mail2ticket.matching import match_label`` is a documented entry point, so this name is
the same module object as :mod:`mail2ticket.evaluation.matching`, not a copy of it.
"""

import sys

from mail2ticket.evaluation import matching as _home

sys.modules[__name__] = _home
