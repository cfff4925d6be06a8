"""KFP components: thin ``@dsl.component`` wrappers around :mod:`mail2ticket` functions.

Each component imports :mod:`mail2ticket` inside its body (KFP ships only the function's
source to the task) and declares ``install_kfp_package=False`` with no
``packages_to_install``: the runtime image already holds everything, and nothing is
downloaded at run time.
"""

# The components, one module each (imported by the pipeline; importing this package loads no kfp).
__all__ = [
    "drift",
    "evaluate",
    "evaluate_extractor",
    "forecast",
    "images",
    "prepare_data",
    "promote",
    "train_adapter",
    "train_extractor",
]
