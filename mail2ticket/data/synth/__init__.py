"""Synthetic generator of a realistic French support-desk export (Nuvalis MSP).

Real tickets are confidential, so models are trained on this synthetic corpus and judged
on independently written real-looking mails: the generator's job is realism and
diversity. Public API (called by the corpus assembler):

- `make_company`, `make_person`, `make_support_agent`: clients, their staff, desk agents;
- `write_client_email`: one received e-mail for a taxonomy or long-tail category, with
  its ground-truth extraction fields;
- `write_support_reply`, `write_status_update`: what the desk writes;
- `long_tail_categories`: other realistic MSP ticket categories.
"""

from .api import write_client_email
from .longtail import long_tail_categories
from .model import ClientEmail, Company, Person
from .people import make_company, make_person, make_support_agent
from .support import write_status_update, write_support_reply

__all__ = [
    "ClientEmail",
    "Company",
    "Person",
    "long_tail_categories",
    "make_company",
    "make_person",
    "make_support_agent",
    "write_client_email",
    "write_status_update",
    "write_support_reply",
]
