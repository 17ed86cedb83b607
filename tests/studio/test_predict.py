"""Real-looking CSV files train with the defaults, and their models predict new raw rows.

Each file is written here: dates in several formats, an ID column, free text, a
40-level category, 20% missing values, numbers with thousands separators,
semicolons with decimal commas and a BOM, a target with one rare class. Each
trains with the Build page's defaults, beats the trivial baseline, and its model
-- saved to a file and loaded again, nothing else -- predicts rows it never saw.
"""

import io
import re

import numpy as np
import pandas as pd
import pytest

from data import Preprocessing, load_csv, prepare, read_csv_table
from mlp import NeuralNetwork
from mlp.model_file import model_to_bytes
from studio.metrics import baseline
from studio.predict import PredictionError, predict_table
from studio.spec import ModelSpec, default_output

RNG_SEED = 7
CITIES = [f"City {k:02d}" for k in range(40)]


def messy_table(n, seed):
    """A customer table: the target (churn) depends on tenure, spend, city and the month joined."""
    rng = np.random.default_rng(seed)
    tenure = rng.uniform(0, 10, n)
    spend = rng.gamma(2.0, 800.0, n)
    city = rng.integers(0, 40, n)
    joined = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 1400, n), unit="D")
    winter = np.isin(joined.month, (12, 1, 2))
    score = -0.6 * tenure + spend / 700 + (city < 10) * 2.0 + winter * 2.5 - 0.5
    churn = np.where(score > 0, "yes", "no").astype(object)
    churn[rng.choice(n, 6, replace=False)] = "unsure"         # one rare class
    spend_text = np.array([f"{v:,.2f}" for v in spend], dtype=object)
    spend_text[rng.random(n) < 0.2] = ""                       # 20% missing
    return pd.DataFrame({
        "customer_id": np.arange(10_000, 10_000 + n),
        "note": [f"called on {d:%A} about order {rng.integers(1e6)}" for d in joined],
        "city": [CITIES[c] for c in city],
        "joined": [d.strftime("%d/%m/%Y") if i % 2 else d.strftime("%Y-%m-%d")
                   for i, d in enumerate(joined)],
        "tenure_years": np.round(tenure, 2),
        "monthly_spend": spend_text,
        "churn": churn,
    })


def csv_bytes(df, sep=",", decimal="."):
    return df.to_csv(index=False, sep=sep, decimal=decimal).encode("utf-8")


def train(dataset, epochs=40, seed=0):
    """The Build page's defaults for an uploaded table, trained; returns (network, prepared)."""
    info = dataset.info
    spec = ModelSpec(dataset="csv", epochs=epochs, seed=seed)
    spec.output_activation, spec.loss = default_output(info.task)
    prepared = prepare(dataset, scaling=spec.scaling, val_fraction=spec.val_fraction,
                       test_fraction=spec.test_fraction, seed=spec.seed)
    network = spec.build(info.n_features, info.n_classes if info.task == "classification" else 1)
    target = prepared.preprocessing.scale_target  # a table's regression target: standardised
    network.fit(prepared.x_train, target(prepared.y_train), spec.batch_size, epochs,
                categorical=info.task == "classification")
    network.metadata = {"spec": spec.to_dict(), "preprocessing": prepared.preprocessing.to_dict()}
    return network, prepared


def from_file(network):
    """The model as a fresh session gets it: the file's bytes, loaded; (network, preprocessing)."""
    loaded = NeuralNetwork.load(io.BytesIO(model_to_bytes(network)))
    return loaded, Preprocessing.from_dict(loaded.metadata["preprocessing"])


@pytest.fixture(scope="module")
def churn():
    """The messy table trained with the defaults, and 300 new rows it never saw."""
    dataset = load_csv(csv_bytes(messy_table(1500, RNG_SEED)), target="churn", name="churn.csv")
    network, prepared = train(dataset)
    return dataset, network, prepared, messy_table(300, RNG_SEED + 1)


def test_the_messy_table_gets_sensible_roles_and_says_so(churn):
    dataset = churn[0]
    notes = dataset.notes
    assert "Ignored 'customer_id': an identifier: every value distinct (1,500 of 1,500)." in notes
    assert any(n.startswith("Ignored 'note': an identifier or free text") for n in notes)
    assert "'monthly_spend': numbers written with thousands separators, read as numbers." in notes
    filled = r"'monthly_spend': [\d,]+ values \(1\d\.\d%\) missing, filled with the median"
    assert any(re.match(filled, n) and "indicator column" in n for n in notes)
    assert any(n.startswith("'city': one-hot encoded, 20 level(s) kept (the 20 most frequent)")
               for n in notes)
    # Two date formats in one column, one of them day first.
    assert any(n.startswith("'joined': read as dates (several formats, day first)")
               for n in notes)
    assert dataset.info.class_names == ("no", "unsure", "yes")
    assert "city=other" in dataset.feature_names and "joined: month sin" in dataset.feature_names


def test_the_defaults_beat_the_majority_class_clearly(churn):
    dataset, network, prepared, _ = churn
    accuracy = network.score(prepared.x_test, prepared.y_test, accuracy=True)
    trivial = baseline(prepared.y_train, prepared.y_test, "classification")
    assert trivial["name"] == "majority class"
    assert accuracy > trivial["accuracy"] + 0.15, (accuracy, trivial)


def test_a_loaded_model_predicts_raw_rows_it_never_saw(churn):
    _, network, _, new_rows = churn
    loaded, preprocessing = from_file(network)
    rows = new_rows.drop(columns=["churn"]).assign(extra="ignored")[::-1]   # no target, shuffled
    prediction = predict_table(loaded, preprocessing, rows)
    table = prediction.table
    assert list(table.columns) == ["prediction", "P(no)", "P(unsure)", "P(yes)"]
    assert len(table) == 300 and table.index.equals(rows.index)
    np.testing.assert_allclose(table[["P(no)", "P(unsure)", "P(yes)"]].sum(axis=1), 1, atol=1e-5)
    assert prediction.result is None
    assert "Columns that were not in the training file were ignored: extra." in prediction.notes
    with_target = predict_table(loaded, preprocessing, new_rows)
    truth = new_rows["churn"].to_numpy()
    assert with_target.result["accuracy"] == pytest.approx(
        np.mean(with_target.table["prediction"].to_numpy() == truth))
    assert with_target.result["accuracy"] > 0.75


def test_the_same_rows_predict_the_same_in_the_app_and_from_the_file(churn):
    dataset, network, prepared, _ = churn
    loaded, preprocessing = from_file(network)
    raw = read_csv_table(csv_bytes(messy_table(1500, RNG_SEED)))
    table = predict_table(loaded, preprocessing, raw).table
    expected = network.predict(preprocessing.transform(dataset.x)).argmax(axis=1)
    names = np.array(dataset.info.class_names, dtype=object)
    assert (table["prediction"].to_numpy() == names[expected]).all()


@pytest.mark.parametrize("change, message", [
    (lambda t: t.drop(columns=["city"]), "lacks the column\\(s\\) 'city' that the model reads"),
    (lambda t: t.assign(tenure_years="long"), "Column 'tenure_years' should hold numbers"),
    (lambda t: t.assign(churn="maybe"), "classes the model does not know: maybe. Its classes: "
                                        "no, unsure, yes"),
    (lambda t: t.iloc[:0], "The file has no rows to predict"),
])
def test_bad_new_rows_get_a_specific_message(churn, change, message):
    loaded, preprocessing = from_file(churn[1])
    with pytest.raises(PredictionError, match=message):
        predict_table(loaded, preprocessing, change(churn[3]))


def test_semicolons_decimal_commas_and_a_bom_train_and_predict():
    rng = np.random.default_rng(3)
    n = 400
    height = rng.normal(170, 10, n)
    weight = 0.9 * (height - 100) + rng.normal(0, 5, n)
    df = pd.DataFrame({"height_cm": np.round(height, 1), "weight_kg": np.round(weight, 1)})
    raw = b"\xef\xbb\xbf" + csv_bytes(df, sep=";", decimal=",")
    dataset = load_csv(raw, target="weight_kg")
    assert dataset.info.task == "regression" and dataset.feature_names == ("height_cm",)
    network, prepared = train(dataset, epochs=60)
    assert prepared.preprocessing.scales_target        # learnt standardised ...
    in_kg = prepared.preprocessing.unscale_target(network.predict(prepared.x_test)[:, 0])
    mse = np.mean((in_kg - prepared.y_test) ** 2)    # ... and reported in kilograms
    trivial = baseline(prepared.y_train, prepared.y_test, "regression")
    assert trivial["name"] == "training mean"
    assert mse < 0.5 * trivial["mse"], (mse, trivial)
    loaded, preprocessing = from_file(network)
    new = read_csv_table(b"\xef\xbb\xbf" + csv_bytes(df.head(5).drop(columns=["weight_kg"]),
                                                      sep=";", decimal=","), min_columns=1)
    predicted = predict_table(loaded, preprocessing, new).table["prediction"].to_numpy()
    np.testing.assert_allclose(predicted, 0.9 * (df["height_cm"].head(5) - 100), atol=12)


def test_dates_in_several_formats_become_usable_features():
    rng = np.random.default_rng(5)
    n = 800
    days = pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.integers(0, 1800, n), unit="D")
    summer = np.isin(days.month, (6, 7, 8)).astype(int)
    df = pd.DataFrame({"iso": days.strftime("%Y-%m-%d"),
                       "day_first": days.strftime("%d.%m.%Y"),
                       "stamp": days.strftime("%Y-%m-%dT%H:%M:%S"),
                       "summer": summer})
    dataset = load_csv(csv_bytes(df), target="summer", task="classification")
    assert sum(name.endswith(": year") for name in dataset.feature_names) == 3
    network, prepared = train(dataset, epochs=60)
    accuracy = network.score(prepared.x_test, prepared.y_test, accuracy=True)
    assert accuracy > baseline(prepared.y_train, prepared.y_test, "classification")["accuracy"] \
        + 0.1
    # New rows, their dates written the same three ways: read from the model file alone.
    loaded, preprocessing = from_file(network)
    later = pd.Timestamp("2024-06-15") + pd.to_timedelta(np.arange(0, 360, 30), unit="D")
    new = pd.DataFrame({"iso": later.strftime("%Y-%m-%d"), "day_first": later.strftime("%d.%m.%Y"),
                        "stamp": later.strftime("%Y-%m-%dT%H:%M:%S")})
    predicted = predict_table(loaded, preprocessing, new).table["prediction"].astype(int)
    truth = np.isin(later.month, (6, 7, 8)).astype(int)
    assert np.mean(predicted.to_numpy() == truth) >= 0.75, (predicted.tolist(), truth.tolist())


def test_a_model_of_a_builtin_table_predicts_rows_by_column_name():
    from data import load_dataset
    dataset = load_dataset("diabetes")
    network, prepared = train(dataset, epochs=30)
    loaded, preprocessing = from_file(network)
    rows = pd.DataFrame(dataset.x[:4], columns=dataset.feature_names)
    predicted = predict_table(loaded, preprocessing, rows).table["prediction"].to_numpy()
    np.testing.assert_allclose(predicted, preprocessing.unscale_target(network.predict(
        preprocessing.transform(dataset.x[:4])))[:, 0], rtol=1e-5)
    assert 25 <= predicted.mean() <= 346            # in the target's units


def test_an_image_model_cannot_predict_table_rows():
    from data import load_dataset
    dataset = load_dataset("digits")
    network, _ = train(dataset, epochs=1)
    loaded, preprocessing = from_file(network)
    with pytest.raises(PredictionError, match="does not read table rows"):
        predict_table(loaded, preprocessing, pd.DataFrame({"a": [1]}))
