"""A sweep's results as a CSV file: written by the command line, opened on the Sweep page.

The first line is ``# mlp-studio sweep {json}`` (the sweep's specification and
task); then one row per run::

    run,seed,<varied settings...>,status,error,val_metric,val_loss,loss,epochs,
    seconds,samples,loss_curve,val_loss_curve,val_metric_curve

The curves are JSON lists (``null`` where an epoch has no value).
"""

import csv
import io
import json
import math

from studio.sweep.spec import SweepError, SweepSpec

HEADER_PREFIX = "# mlp-studio sweep "
CURVES = ("loss", "val_loss", "val_metric")
MAX_RESULTS_BYTES = 20 * 2**20


def last_value(values):
    """The last value of a per-epoch list that is not None (None if there is none)."""
    return next((v for v in reversed(values or []) if v is not None), None)


def result_row(result, sweep):
    """One CSV row (a dict) from a run's result dict."""
    row = {"run": result["index"], "seed": result["seed"]}
    row.update({a.setting: result["values"].get(a.setting) for a in sweep.axes})
    row.update(status=result["status"], error=result.get("error", ""),
               val_metric=last_value(result.get("val_metric")),
               val_loss=last_value(result.get("val_loss")), loss=last_value(result.get("loss")),
               epochs=len(result.get("loss") or []), seconds=round(result.get("seconds", 0.0), 3),
               samples=result.get("samples", 0))
    row.update({f"{c}_curve": json.dumps(result.get(c) or []) for c in CURVES})
    return row


def columns(sweep):
    return (["run", "seed", *[a.setting for a in sweep.axes], "status", "error", "val_metric",
             "val_loss", "loss", "epochs", "seconds", "samples"]
            + [f"{c}_curve" for c in CURVES])


def results_csv(sweep, results, task):
    """The results file's text."""
    out = io.StringIO()
    out.write(HEADER_PREFIX + json.dumps({"sweep": sweep.to_dict(), "task": task}) + "\n")
    writer = csv.DictWriter(out, fieldnames=columns(sweep), lineterminator="\n")
    writer.writeheader()
    for result in sorted((r for r in results if r.get("index") is not None),
                         key=lambda r: r["index"]):
        writer.writerow(result_row(result, sweep))
    return out.getvalue()


def _number(text, name, line):
    if text in ("", "None"):
        return None
    try:
        value = float(text)
    except ValueError:
        raise SweepError(f"Line {line}: {name} {text!r} is not a number.") from None
    return value if math.isfinite(value) else None


def read_results(data):
    """(SweepSpec, result dicts, task) from a results file's bytes or text.

    Raises SweepError naming the line for anything that is not such a file.
    """
    if isinstance(data, (bytes, bytearray)):
        if len(data) > MAX_RESULTS_BYTES:
            raise SweepError(f"This results file is {len(data) / 2**20:.1f} MB; the limit is "
                             f"{MAX_RESULTS_BYTES // 2**20} MB.")
        try:
            data = bytes(data).decode("utf-8")
        except UnicodeDecodeError:
            raise SweepError("This is not a sweep results file (it is not UTF-8 text).") from None
    first, _, rest = data.partition("\n")
    if not first.startswith(HEADER_PREFIX):
        raise SweepError("This is not a sweep results file: its first line should start with "
                         f"{HEADER_PREFIX.strip()!r} (files written by python -m studio.sweep "
                         "or the Sweep page's download).")
    try:
        header = json.loads(first[len(HEADER_PREFIX):])
        sweep = SweepSpec.from_dict(header["sweep"])
        task = header["task"]
    except (ValueError, KeyError, TypeError) as exc:
        raise SweepError(f"Line 1: the sweep's description cannot be read ({exc}).") from None
    if task not in ("classification", "regression"):
        raise SweepError(f"Line 1: unknown task {task!r}.")
    reader = csv.DictReader(io.StringIO(rest))
    missing = set(columns(sweep)) - set(reader.fieldnames or [])
    if missing:
        raise SweepError(f"Line 2: columns missing: {', '.join(sorted(missing))}.")
    points = {p.index: p for p in sweep.points()}
    results = []
    for line, row in enumerate(reader, start=3):
        try:
            index = int(row["run"])
            point = points[index]
            curves = {c: json.loads(row[f"{c}_curve"]) for c in CURVES}
        except (ValueError, KeyError):
            raise SweepError(f"Line {line}: run {row.get('run')!r} is not a run of this "
                             "sweep, or its curves are not JSON lists.") from None
        if not all(isinstance(v, list) for v in curves.values()):
            raise SweepError(f"Line {line}: the curves must be JSON lists.")
        results.append({"index": index, "seed": point.seed, "values": dict(point.values),
                        "status": row["status"], "error": row["error"],
                        "seconds": _number(row["seconds"], "seconds", line) or 0.0,
                        "samples": int(_number(row["samples"], "samples", line) or 0),
                        **curves})
    return sweep, results, task
