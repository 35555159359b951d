"""Coded errors (in the spirit of spaCy's): each names what the user can fix, with a code to look
up and the exit code of the command line."""
from __future__ import annotations


class PipelineError(Exception):
    code = "E000"
    exit_code = 1

    def __str__(self) -> str:
        return f"[{self.code}] {super().__str__()}"


class BadInput(PipelineError, ValueError):
    """An input folder, file or sidecar the pipeline cannot read."""
    code, exit_code = "E001", 2


class BadRuleFile(PipelineError, ValueError):
    """A rule file (pipeline/data/*.toml) that does not load: the message names the file and entry."""
    code, exit_code = "E002", 3


class BadOption(PipelineError, ValueError):
    """An option value that makes no sense (an unknown entity mode, --workers 0)."""
    code, exit_code = "E003", 2


class OutputBusy(PipelineError, RuntimeError):
    """Another run is writing the same output folder."""
    code, exit_code = "E004", 4
