"""The one error type of the dataset pipeline: every problem names its file, record and field."""

from dataclasses import dataclass


@dataclass(frozen=True)
class SeedProblem:
    """One thing wrong with the curated data."""

    file: str
    record: str
    field: str
    message: str

    def __str__(self) -> str:
        if (self.record, self.field) == ("-", "-"):  # about the file as a whole
            return f"{self.file}: {self.message}"
        return f"{self.file}: {self.record}: {self.field}: {self.message}"


class DatasetError(Exception):
    """The curated data is invalid; nothing was written."""

    def __init__(self, problems: list[SeedProblem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in the curated data:\n{lines}")
