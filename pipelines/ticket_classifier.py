"""The training pipeline: prepare → train → evaluate the candidate, the cascade and both baselines → promote.

Beside the classifier, when the data come with ground-truth fields, the same run trains the
extraction agents' adapter → evaluates it as served (behind the alert parsers) against the
prompts-only agents and the parsers alone → promotes it in its own registered model.

Users upload ``pipelines/compiled/ticket_classifier.yaml`` in the KFP UI and start runs with
their own parameters; MLflow holds the runs (tagged with the KFP run id) and the registry's
``champion`` is what serving loads.

Cluster settings (where GPU steps run, which Secrets feed the environment, image pull secrets)
are fixed at compile time from :class:`~pipelines.cluster.ClusterSettings` (environment variables
``MAIL2TICKET_*``), because Kubernetes scheduling fields are not pipeline parameters.

The compiled YAML targets the KFP API server the project pins (2.14.3, in
``infra/prerequisites/versions.env``), kept as the prerequisite because more clusters run it than
2.15: that server parses every ``KubernetesExecutorConfig`` strictly when it creates a run, so
nothing newer than its protos may be emitted (``tests/pipelines/kfp_proto_check.py`` checks it).
"""

# No `from __future__ import annotations` here: KFP reads the real annotation objects.

from pathlib import Path

from kfp import compiler, dsl

from components.evaluate import evaluate_baseline, evaluate_candidate, evaluate_classical
from components.evaluate_extractor import evaluate_extraction_baseline, evaluate_extractor
from components.prepare_data import prepare_data
from components.promote import promote_adapter, promote_extractor
from components.train_adapter import train_adapter
from components.train_extractor import train_extractor_adapter
from mail2ticket.data.prepare.config import pipeline_defaults as preparation_defaults
from mail2ticket.data.prepare.feedback import FEEDBACK_HOLDOUT
from mail2ticket.evaluation.extraction_step import EXTRACTION_BUDGET
from mail2ticket.training.config import pipeline_defaults as training_defaults
from mail2ticket.training.extractor import extractor_pipeline_defaults
from pipelines.cluster import ClusterSettings, on_cluster

#: The preparation parameters' defaults, from their one home (PrepareConfig).
PREPARATION = preparation_defaults()
#: The training parameters' defaults, from their one home (TrainingConfig).
TRAINING = training_defaults()
#: The extractor adapter's recipe defaults, from their one home (EXTRACTOR_TRAINING).
EXTRACTOR = extractor_pipeline_defaults()

PIPELINE_NAME = "mail2ticket-ticket-classifier"
COMPILED_PATH = Path(__file__).parent / "compiled" / "ticket_classifier.yaml"


def build_pipeline(settings: "ClusterSettings | None" = None, cluster: bool = True):
    """The pipeline function; ``cluster=False`` leaves out Kubernetes settings (kfp.local)."""
    settings = settings or ClusterSettings()

    @dsl.pipeline(name=PIPELINE_NAME, description="Train, evaluate and promote the e-mail classification adapter.")
    def ticket_classifier(
        data_uri: str,
        ground_truth_uri: str = "",
        dev_data_uri: str = "",
        feedback_uri: str = "",
        feedback_holdout: float = FEEDBACK_HOLDOUT,
        base_model: str = "embedded:smollm2-135m",
        strategic_categories: list = PREPARATION["strategic_categories"],
        min_share: float = PREPARATION["min_share"],
        share_basis: str = PREPARATION["share_basis"],
        unknown_share: float = PREPARATION["unknown_share"],
        test_size: float = PREPARATION["test_size"],
        validation_size: float = PREPARATION["validation_size"],
        split_seed: int = PREPARATION["seed"],
        mask_pii: bool = PREPARATION["mask_pii"],
        support_domains: list = PREPARATION["support_domains"],
        encoding: str = PREPARATION["encoding"],
        lora_r: int = TRAINING["lora_r"],
        lora_alpha: int = TRAINING["lora_alpha"],
        lora_layers: int = TRAINING["lora_layers"],
        loraplus_lr_ratio: float = TRAINING["loraplus_lr_ratio"],
        learning_rate: float = TRAINING["learning_rate"],
        lr_scheduler: str = TRAINING["lr_scheduler"],
        max_steps: int = TRAINING["max_steps"],
        epochs: float = TRAINING["epochs"],
        batch_size: int = TRAINING["batch_size"],
        gradient_accumulation: int = TRAINING["gradient_accumulation"],
        prompt_style: str = TRAINING["prompt_style"],
        balance_classes: bool = TRAINING["balance_classes"],
        training_seed: int = TRAINING["seed"],
        max_train_examples: int = 0,
        evaluation_mode: str = "constrained",
        max_test_examples: int = 0,
        target_precision: float = 0.95,
        min_delta: float = 0.0,
        min_match_rate: float = 0.95,
        require_beating_classical: bool = False,
        artifact_store_uri: str = "",
        mlflow_experiment: str = "mail2ticket-classifier",
        registered_model: str = "mail2ticket-classifier",
        train_extractors: bool = True,
        extractor_lora_layers: int = EXTRACTOR["extractor_lora_layers"],
        extractor_learning_rate: float = EXTRACTOR["extractor_learning_rate"],
        extractor_max_steps: int = EXTRACTOR["extractor_max_steps"],
        extractor_batch_size: int = EXTRACTOR["extractor_batch_size"],
        extractor_gradient_accumulation: int = EXTRACTOR["extractor_gradient_accumulation"],
        max_extractor_train_examples: int = 0,
        max_tagger_train_examples: int = 0,
        max_extraction_examples: int = 0,
        extraction_max_new_tokens: int = EXTRACTION_BUDGET,
        extractor_metric: str = "extraction_f1",
        extractor_min_delta: float = 0.0,
        extractor_require_beating_parsers: bool = False,
        extractor_registered_model: str = "mail2ticket-extractor",
    ):
        """Train, evaluate and promote the classification adapter.

        Args:
            data_uri: Raw ticket export (CSV or Parquet), local path or s3:// URI.
            ground_truth_uri: Optional ground-truth JSONL attaching extraction fields to tickets.
            dev_data_uri: Optional hand-written labelled JSONL (never trained on), reported beside the test set.
            feedback_uri: Optional review export (JSONL or Parquet, local or s3://): corrections joined to training.
            feedback_holdout: Share of the corrections held out of training, evaluated as the reviewed set (reviewed_*).
            base_model: embedded:smollm2-135m, a model folder, or an s3:// prefix (e.g. Qwen2.5-14B-Instruct).
            strategic_categories: Categories worth automating; empty means every taxonomy category.
            min_share: Minimum representativity of a kept category (the paper: 0.02).
            share_basis: What min_share is measured against: largest, tickets or strategic.
            unknown_share: Share of tickets labelled unknown, from the categories not kept (0: the paper's closed set).
            test_size: Share of tickets held out for the test set (the paper: 0.2).
            validation_size: Share of the training split held out to calibrate confidences and thresholds.
            split_seed: Seed of the stratified split.
            mask_pii: Mask e-mail addresses, phone numbers and IBANs before training.
            support_domains: E-mail domains of the support desk (their messages in a thread are not the client's).
            encoding: Text encoding of a CSV export (utf-8, latin-1...).
            lora_r: LoRA rank (the paper: 16).
            lora_alpha: LoRA alpha (the paper: 16, with rsLoRA).
            lora_layers: Adapt the last N decoder layers only, their frozen inputs computed once (0: all, the paper).
            loraplus_lr_ratio: LoRA+ - the B matrices learn this many times faster (0: off, the paper).
            learning_rate: Learning rate (the paper: 2e-4).
            lr_scheduler: After warmup, linear decay to 0 (the paper) or constant (short runs).
            max_steps: Optimiser steps (the paper: 30, or 0 to train `epochs` epochs).
            epochs: Epochs when max_steps is 0 (the paper: 1, about 440 steps).
            batch_size: Examples per device step (the paper: 2).
            gradient_accumulation: Device steps per optimiser step (the paper: 4).
            prompt_style: full (categories with descriptions) or compact (labels only, small CPU models).
            balance_classes: Draw every category equally often in training (short runs on imbalanced data).
            training_seed: Seed of the training run.
            max_train_examples: Train on the first N examples only (0: all).
            evaluation_mode: constrained (score every label) or generate (free text + fuzzy match, the paper).
            max_test_examples: Evaluate on the first N test examples only (0: all).
            target_precision: Precision of the tickets accepted without review the thresholds aim at.
            min_delta: How much the candidate must beat the champion's macro-F1 by to replace it.
            min_match_rate: A candidate under this match rate never becomes champion.
            require_beating_classical: Only a candidate that beats the classical baseline becomes champion.
            artifact_store_uri: Also copy the adapter there (local path or s3:// prefix).
            mlflow_experiment: MLflow experiment of the runs.
            registered_model: Registered model whose champion serving loads.
            train_extractors: Also train, evaluate and promote the extraction agents' adapter (needs ground_truth_uri).
            extractor_lora_layers: Extractor adapter: adapt the last N decoder layers only (0: all).
            extractor_learning_rate: Extractor adapter: learning rate.
            extractor_max_steps: Extractor adapter: optimiser steps.
            extractor_batch_size: Extractor adapter: examples per device step.
            extractor_gradient_accumulation: Extractor adapter: device steps per optimiser step.
            max_extractor_train_examples: Train the extractor on the first N tickets with ground truth only (0: all).
            max_tagger_train_examples: Fit the extractor's taggers on N tickets with ground truth, taken in turn
                from each category (0: all).
            max_extraction_examples: Score extraction on N e-mails of the test and of the dev set, spread (0: all).
            extraction_max_new_tokens: Tokens an extraction may write when it is scored (as served).
            extractor_metric: Field metric the extractor candidate must beat its champion on (extraction_f1, dev_...).
            extractor_min_delta: How much the extractor candidate must beat its champion's metric by.
            extractor_require_beating_parsers: Only an extractor that beats the alert parsers alone becomes champion.
            extractor_registered_model: Registered model of the extractor adapters, whose champion serving loads.
        """
        prepared = prepare_data(
            raw_uri=data_uri, ground_truth_uri=ground_truth_uri, strategic_categories=strategic_categories,
            min_share=min_share, share_basis=share_basis, unknown_share=unknown_share, test_size=test_size,
            validation_size=validation_size, seed=split_seed, mask_pii=mask_pii, support_domains=support_domains,
            encoding=encoding, feedback_uri=feedback_uri, feedback_holdout=feedback_holdout,
        )  # fmt: skip
        trained = train_adapter(
            train_data=prepared.outputs["train_data"], validation_data=prepared.outputs["validation_data"],
            dataset_card=prepared.outputs["dataset_card"], target_precision=target_precision,
            base_model=base_model, lora_r=lora_r, lora_alpha=lora_alpha, lora_layers=lora_layers,
            loraplus_lr_ratio=loraplus_lr_ratio, learning_rate=learning_rate, lr_scheduler=lr_scheduler,
            max_steps=max_steps, epochs=epochs, batch_size=batch_size, gradient_accumulation=gradient_accumulation,
            prompt_style=prompt_style, balance_classes=balance_classes, seed=training_seed,
            max_train_examples=max_train_examples,
            artifact_store_uri=artifact_store_uri, mlflow_experiment=mlflow_experiment,
            kfp_run_id=dsl.PIPELINE_JOB_ID_PLACEHOLDER,
        )  # fmt: skip
        reviewed = prepared.outputs["reviewed_data"]
        candidate = evaluate_candidate(
            test_data=prepared.outputs["test_data"], reviewed_data=reviewed, adapter=trained.outputs["adapter"],
            mlflow_run_id=trained.outputs["Output"], base_model=base_model, mode=evaluation_mode,
            max_test_examples=max_test_examples, dev_data_uri=dev_data_uri,
        )  # fmt: skip
        baseline = evaluate_baseline(
            test_data=prepared.outputs["test_data"], reviewed_data=reviewed, mlflow_run_id=trained.outputs["Output"],
            base_model=base_model, mode=evaluation_mode, prompt_style=prompt_style,
            max_test_examples=max_test_examples, dev_data_uri=dev_data_uri,
        )  # fmt: skip
        classical = evaluate_classical(
            test_data=prepared.outputs["test_data"], reviewed_data=reviewed, adapter=trained.outputs["adapter"],
            mlflow_run_id=trained.outputs["Output"], max_test_examples=max_test_examples, dev_data_uri=dev_data_uri,
        )  # fmt: skip
        promoted = promote_adapter(
            candidate_report=candidate.outputs["report"], classical_report=classical.outputs["report"],
            mlflow_run_id=trained.outputs["Output"], min_delta=min_delta, min_match_rate=min_match_rate,
            require_beating_classical=require_beating_classical, registered_model=registered_model,
        )  # fmt: skip
        promoted.after(baseline)  # the baseline figures are logged before the decision
        for task in (prepared, trained, candidate, baseline, classical, promoted):
            task.set_caching_options(False)
        with (
            dsl.If(train_extractors == True, name="train-extractors"),  # noqa: E712 (a pipeline condition)
            dsl.If(ground_truth_uri != "", name="with-ground-truth"),
        ):
            extractor = train_extractor_adapter(
                    train_data=prepared.outputs["train_data"], sibling_run_id=trained.outputs["Output"],
                    lora_layers=extractor_lora_layers, learning_rate=extractor_learning_rate,
                    max_steps=extractor_max_steps, batch_size=extractor_batch_size,
                    gradient_accumulation=extractor_gradient_accumulation, base_model=base_model,
                    max_train_examples=max_extractor_train_examples, artifact_store_uri=artifact_store_uri,
                    kfp_run_id=dsl.PIPELINE_JOB_ID_PLACEHOLDER, max_tagger_train_examples=max_tagger_train_examples,
                )  # fmt: skip
            extraction = evaluate_extractor(
                    test_data=prepared.outputs["test_data"], adapter=extractor.outputs["adapter"],
                    mlflow_run_id=extractor.outputs["Output"], base_model=base_model,
                    max_test_examples=max_extraction_examples, dev_data_uri=dev_data_uri,
                    max_new_tokens=extraction_max_new_tokens,
                )  # fmt: skip
            prompts_only = evaluate_extraction_baseline(
                    test_data=prepared.outputs["test_data"], mlflow_run_id=extractor.outputs["Output"],
                    extractor="combined", run_name="extractor baseline: parsers + prompts only",
                    base_model=base_model, max_test_examples=max_extraction_examples, dev_data_uri=dev_data_uri,
                    max_new_tokens=extraction_max_new_tokens,
                ).set_display_name("evaluate-extraction-prompts-only")  # fmt: skip
            parsers = evaluate_extraction_baseline(
                    test_data=prepared.outputs["test_data"], mlflow_run_id=extractor.outputs["Output"],
                    extractor="parsers", run_name="extractor baseline: parsers only", base_model=base_model,
                    max_test_examples=max_extraction_examples, dev_data_uri=dev_data_uri,
                    max_new_tokens=extraction_max_new_tokens,
                ).set_display_name("evaluate-extraction-parsers")  # fmt: skip
            extractor_promoted = promote_extractor(
                candidate_report=extraction.outputs["report"], classical_report=parsers.outputs["report"],
                mlflow_run_id=extractor.outputs["Output"], metric=extractor_metric, min_delta=extractor_min_delta,
                require_beating_classical=extractor_require_beating_parsers,
                registered_model=extractor_registered_model,
            )  # fmt: skip
            extractor_promoted.after(prompts_only)  # every baseline is logged before the decision
            extractor_tasks = (extractor, extraction, prompts_only, parsers, extractor_promoted)
            for task in extractor_tasks:
                task.set_caching_options(False)
            if cluster:
                on_cluster(extractor, settings, gpu=True)
                on_cluster(extraction, settings, gpu=True)
                on_cluster(prompts_only, settings, gpu=True)
                on_cluster(parsers, settings, gpu=False)
                on_cluster(extractor_promoted, settings, gpu=False)
        if cluster:
            on_cluster(prepared, settings, gpu=False, mlflow=False)
            on_cluster(trained, settings, gpu=True)
            on_cluster(candidate, settings, gpu=True)
            on_cluster(baseline, settings, gpu=True)
            on_cluster(classical, settings, gpu=False)
            on_cluster(promoted, settings, gpu=False)

    return ticket_classifier


def compile_pipeline(path: str | Path = COMPILED_PATH, settings: ClusterSettings | None = None) -> Path:
    """Write the YAML the KFP UI takes."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    compiler.Compiler().compile(build_pipeline(settings), str(target))
    return target
