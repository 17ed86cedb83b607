"""Resident memory of one server while visitors build MNIST networks, and after they leave.

Streamlit runs every visitor's session in one server process; AppTest runs every
visitor's script in this one process the same way (the server-wide caches, the
dataset store and the session registry are shared exactly as on a server). Each
visitor opens the app, selects MNIST, sets a seed and a validation share of their
own, builds the network and opens the Evaluate page (predictions on every split).
Then every visitor closes the tab: their sessions are marked disconnected, and the
server's janitor releases what they held after its grace period, as it does on a
real server. Resident memory (this process and any children) is printed after the
start, after each visitor, and every few seconds after they leave.

Targets (Streamlit Community Cloud's smallest box restarts the app at about 690 MB):
  * 8 visitors: under 690 MB; 20 visitors: under 1 GB;
  * within two minutes of leaving: back within 100 MB of the one-visitor level.

Example (from the repository root):
  python benchmarks/serve_memory.py --data-dir ../shared/datasets
  python benchmarks/serve_memory.py --visitors 8 --quick
"""

import gc
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import common  # noqa: E402

ENTRY = str(common.REPO_ROOT / "streamlit_app.py")
TARGETS_MB = {8: 690.0, 20: 1024.0}
RETURN_MB = 100.0
RETURN_SECONDS = 120.0


def parse(argv=None):
    parser = common.make_parser(__doc__, quick_help="smoke test: 3 visitors, 6 s wait")
    parser.add_argument("--visitors", type=common.positive_int, default=20, metavar="N",
                        help="visitors in all (default 20; the 8-visitor target is read on "
                             "the way)")
    parser.add_argument("--wait", type=float, default=RETURN_SECONDS + 30, metavar="S",
                        help="seconds to watch memory after the visitors leave")
    args = common.parse_args(parser, argv)
    if args.quick:
        args.visitors, args.wait = min(args.visitors, 3), min(args.wait, 6.0)
        args.reduced = True
    return args


def settle():
    """Collect garbage and give freed pages back before reading the resident size."""
    gc.collect()
    return common.tree_rss_mb()


def visit(seed, val_fraction):
    """One visitor: MNIST with their seed and validation share, built, evaluated."""
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(ENTRY, default_timeout=300)
    at.context["url"] = "http://localhost:8501"
    at.run()
    at.selectbox(key="build.dataset").set_value("mnist").run()
    at.number_input(key="build.seed").set_value(seed)
    at.slider(key="build.val_fraction").set_value(val_fraction).run()
    at.button(key="build_button").click().run()
    at.switch_page("app_pages/evaluate.py").run()
    if at.exception:
        raise SystemExit(f"visitor {seed} met an exception: {at.exception[0].value}")
    if at.session_state["workspace"].model is None:
        raise SystemExit(f"visitor {seed} has no model: {[e.value for e in at.error]}")
    return at


def leave(registry):
    """Every visitor closes the tab: the registry sees their sessions disconnected.

    (AppTest gives every visitor the same session id, so all leave at once.)
    """
    registry.is_connected = lambda session_id: False


def main(argv=None) -> int:
    args = parse(argv)
    common.require_data(args, ("mnist",))
    os.environ["MLP_STUDIO_DATA"] = str(Path(args.data_dir).expanduser())
    if args.skip_checksums:
        import dataclasses
        from data import MNIST_FILES
        for role, f in list(MNIST_FILES.items()):  # in place: the app reads the same dict
            MNIST_FILES[role] = dataclasses.replace(f, count=None, md5=None, raw_md5=None)
    from studio.ui import state
    rows, visitors = [], []
    start = settle()
    rows.append(["server started (imports)", "0", f"{start:.0f}", "", "", ""])
    one_visitor = None
    for n in range(1, args.visitors + 1):
        common.progress(f"serve_memory: visitor {n} ...")
        began = time.perf_counter()
        visitors.append(visit(seed=n, val_fraction=round(0.05 + 0.05 * (n % 6), 2)))
        seconds = time.perf_counter() - began
        rss = settle()
        one_visitor = rss if n == 1 else one_visitor
        target = TARGETS_MB.get(n)
        rows.append([f"after visitor {n}", str(n), f"{rss:.0f}", f"{seconds:.1f}",
                     f"< {target:.0f}" if target else "",
                     common.verdict(rss < target, not args.reduced) if target else ""])
    peak = common.tree_rss_mb()
    registry = state.sessions()
    leave(registry)
    left_at = time.monotonic()
    returned = None
    while time.monotonic() - left_at < args.wait:
        time.sleep(5)
        rss = settle()
        elapsed = time.monotonic() - left_at
        rows.append([f"{elapsed:.0f} s after they left", str(len(registry)), f"{rss:.0f}",
                     "", "", ""])
        if returned is None and rss <= one_visitor + RETURN_MB:
            returned = elapsed
    ok = returned is not None and returned <= RETURN_SECONDS
    rows.append(["back within 100 MB of one visitor", "",
                 f"{one_visitor + RETURN_MB:.0f}",
                 "never" if returned is None else f"{returned:.0f} s",
                 f"<= {RETURN_SECONDS:.0f} s", common.verdict(ok, not args.reduced)])
    notes = [f"MB = 2^20 bytes: the resident set of this process and its children after a "
             f"garbage collection. Each visitor: MNIST, seed n, validation share 0.05-0.30, "
             f"Build, then Evaluate. Peak after the last visitor: {peak:.0f} MB.",
             "After leaving, 'visitors' counts the workspaces the server still holds; the "
             f"janitor releases one {state.RELEASE_GRACE_SECONDS:.0f} s after its tab closed.",
             "AppTest keeps each visitor's last page (figures included) in memory too, which a "
             "real server does not: the numbers err on the high side."]
    if args.reduced:
        notes.append("REDUCED RUN (--quick): targets not judged.")
    common.print_tables([common.Table(
        "Server memory: visitors building MNIST, then leaving",
        ["moment", "visitors", "resident (MB)", "seconds", "target", "met"], rows, notes,
        timed=False)], args.markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
