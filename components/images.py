"""Container images of the components, from the customer's private registry.

The image is read from ``MAIL2TICKET_RUNTIME_IMAGE`` when the pipeline is compiled, so a
platform team points the pipeline at its own registry without editing code.
"""

from __future__ import annotations

import os

DEFAULT_RUNTIME_IMAGE = "registry.mail2ticket.internal/mail2ticket/runtime:0.1.0"

RUNTIME_IMAGE = os.environ.get("MAIL2TICKET_RUNTIME_IMAGE", DEFAULT_RUNTIME_IMAGE)
