"""A visitor's sweep: one being run, or the results of one opened from a file."""

from dataclasses import dataclass

from studio.sweep.job import SweepJob, SweepSnapshot, SweepStatus


@dataclass
class SweepRecord:
    """What the Sweep page shows.

    ``job`` runs the sweep (None for results opened from a file, which are in
    ``results``); ``task`` is "classification" or "regression"; ``source`` says
    where the results come from ("this server", or the file's name).
    """

    sweep: object                 # studio.sweep.spec.SweepSpec
    task: str
    job: SweepJob | None = None
    results: list | None = None
    source: str = "this server"

    def snapshot(self):
        if self.job is not None:
            return self.job.snapshot()
        return SweepSnapshot(SweepStatus.FINISHED, self.sweep.n_runs, list(self.results or []),
                             message=f"{len(self.results or [])} runs read from {self.source}.")

    def model_bytes(self, index):
        """Run ``index``'s trained model file, or None (not kept, or read from a file)."""
        return self.job.model_bytes(index) if self.job is not None else None

    def cancel(self):
        if self.job is not None:
            self.job.cancel()
