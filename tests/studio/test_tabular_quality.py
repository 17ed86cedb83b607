"""With the Build page's defaults, every real table's network clearly beats the trivial model.

Trained the way the app trains (a job in a worker process), and scored the way
Evaluate scores: in the target's own units, next to the baseline it shows.
"""

import pytest
from real_data import real_california_dir

from data import load_csv
from studio.jobs import JobScheduler
from studio.metrics import baseline
from studio.model_record import attach_data, model_record
from studio.spec import ModelSpec, default_output
from studio.trained import prepare_for
from studio.ui.evaluate_panel import evaluate


def defaults_for(dataset, task):
    spec = ModelSpec(dataset=dataset)
    spec.output_activation, spec.loss = default_output(task)
    return spec


def train_like_the_app(spec, prepared):
    info = prepared.info
    record = model_record(spec, info, prepared.preprocessing, JobScheduler(1))
    attach_data(record, prepared)
    record.job.start()
    assert record.job.join(timeout=300)
    return record


def test_diabetes_defaults_beat_the_training_mean_clearly():
    spec = defaults_for("diabetes", "regression")
    prepared = prepare_for(spec)
    record = train_like_the_app(spec, prepared)
    results, _ = evaluate(record)
    mse = results["test"]["metrics"]["mse"]
    trivial = baseline(prepared.y_train, prepared.y_test, "regression")["mse"]
    assert mse < 0.7 * trivial, (mse, trivial)
    assert 1_000 < mse < 5_000        # in the target's units (disease progression, squared)


@pytest.mark.skipif(real_california_dir() is None, reason="no real California housing files")
def test_housing_defaults_beat_the_training_mean_clearly():
    spec = defaults_for("california_housing", "regression")
    prepared = prepare_for(spec, data_dir=real_california_dir().parent)
    record = train_like_the_app(spec, prepared)
    results, _ = evaluate(record)
    mse = results["test"]["metrics"]["mse"]
    trivial = baseline(prepared.y_train, prepared.y_test, "regression")["mse"]
    assert mse < 0.35 * trivial, (mse, trivial)


def test_an_uploaded_table_with_defaults_beats_the_majority_class_clearly():
    from test_predict import csv_bytes, messy_table
    from data import prepare
    dataset = load_csv(csv_bytes(messy_table(1200, 11)), target="churn")
    spec = defaults_for("csv", "classification")
    prepared = prepare(dataset, scaling=spec.scaling, val_fraction=spec.val_fraction,
                       test_fraction=spec.test_fraction, seed=spec.seed)
    record = train_like_the_app(spec, prepared)
    results, _ = evaluate(record)
    trivial = baseline(prepared.y_train, prepared.y_test, "classification")["accuracy"]
    assert results["test"]["accuracy"] > trivial + 0.15, (results["test"]["accuracy"], trivial)
