"""The README's ``mesa.batch_run`` example runs as a script with two processes: it has the
``if __name__ == "__main__":`` guard (without it, Mesa's spawned workers would start the
batch run again and the script would hang) and seeds runs with ``rng=[...]``."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def batch_run_example() -> str:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    (example,) = [block for block in blocks if "mesa.batch_run(" in block]
    return example


def test_batch_run_example_has_the_guard_and_seeds_with_rng():
    example = batch_run_example()
    assert 'if __name__ == "__main__":' in example
    assert "rng=[" in example and "iterations=" not in example
    assert "number_processes=2" in example


def test_batch_run_example_runs_as_a_script_with_two_processes(tmp_path: Path):
    script = tmp_path / "batch.py"
    script.write_text(batch_run_example(), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "direct_fund" in done.stdout and "status_quo" in done.stdout
    assert "DeprecationWarning" not in done.stderr
