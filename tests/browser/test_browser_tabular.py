"""A real CSV in a real browser: upload, train with the defaults, then predict new rows."""

import csv
import io

import pytest
from fake_data import churn_csv

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]


def test_a_csv_trains_and_its_model_predicts_and_downloads_new_rows(open_studio):
    s = open_studio("/")
    s.choose("Dataset", "Your own CSV file")
    s.upload("CSV file", {"name": "churn.csv", "mimeType": "text/csv", "buffer": churn_csv()})
    s.wait_for(s.main.get_by_text("What was done to the file"), "the notes on the file")
    s.set_number("Epochs", 15)
    s.click("Build network", timeout=60_000)
    s.expect_alert("Success", "Network built.")
    s.go("Train")
    s.click("Start")
    s.wait_until(lambda: "finished · epoch 15/15" in s.sidebar_text(), "training finished",
                 timeout=120_000, interval=0.5)
    s.go("Evaluate")
    rows = s.wait_until(lambda: s.table_rows(s.main.locator('[data-testid="stDataFrame"]').first),
                        "the accuracy table has rows")
    header = rows[0]
    assert "baseline accuracy" in header, header
    test = {row[header.index("split")]: row for row in rows[1:]}["test"]
    assert float(test[header.index("accuracy")].rstrip("%")) > \
        float(test[header.index("baseline accuracy")].rstrip("%")) + 10, test
    s.upload("Rows to predict (.csv)", {"name": "new.csv", "mimeType": "text/csv",
                                        "buffer": churn_csv(50, seed=9)})
    accuracy = s.metric("Accuracy on these rows")
    assert float(accuracy.rstrip("%")) > 70, accuracy
    with s.page.expect_download() as download:
        s.button("Download the predictions (.csv)").click()
    table = list(csv.DictReader(io.StringIO(open(download.value.path()).read())))
    assert len(table) == 50
    assert {row["prediction"] for row in table} <= {"no", "yes"}
    assert abs(float(table[0]["P(no)"]) + float(table[0]["P(yes)"]) - 1) < 1e-5
    s.assert_no_errors("Evaluate with predictions")
