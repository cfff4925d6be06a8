"""The data: from a ticket-system export to the train/test sets, and the generator of such exports.

- :mod:`.corpus` and :mod:`.synth`: a realistic synthetic export and its ground truth;
- :mod:`.threads`: the client's first e-mail of a thread (:func:`first_client_email`);
- :mod:`.prepare`: the paper's preparation (section 5), steps counted in a dataset card;
- :mod:`.records`: the labelled JSON-lines files training and evaluation read.
"""

from mail2ticket.data.records import DatasetError, jsonl_objects, read_labelled_jsonl
from mail2ticket.data.threads import first_client_email

__all__ = ["DatasetError", "first_client_email", "jsonl_objects", "read_labelled_jsonl"]
