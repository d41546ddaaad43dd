"""The harness phase: the default `contract-test run` of each of the five contracts against one mock, one after
the other, as the README shows (`contract-test run --spec <name> --base-url http://127.0.0.1:<port>/<name>`).

Wall time is measured around each `contract-test` process (its own start-up included: that is what a user waits
for); the case count, seed and failures come from the summary line the harness prints. `--quick` adds
`--max-examples 5`, which is no longer the default run: its times say only that the phase works.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from servers import MOCK_1W, Ports, ServerFailed, mock_environment, prism_specs, serving

_SPEC_LINE = re.compile(r"^== (\S+) \(.*\) seed (\d+): (.*)$", re.M)
_SENT = re.compile(r"(\d+) of (\d+) cases reached|(\d+) cases in")
_JUDGED = re.compile(r"(\d+) judged")
_SECONDS = re.compile(r"in ([0-9.]+)s")
_FAILURES = re.compile(r"(\d+) failure\(s\)")
_RESULT = re.compile(r"^Result: (.+); exit code (\d+)", re.M)


def harness_phase(args: argparse.Namespace, ports: Ports, workdir: Path, results_dir: Path) -> dict[str, Any]:
    """Each contract in turn; the output of a failing run is kept in `results/<stamp>-harness-<spec>.txt`."""
    runs: list[dict[str, Any]] = []
    extra = ["--phases", "examples,fuzzing", "--max-examples", "3"] if args.quick else []
    executable = Path(sys.executable).with_name("contract-test")
    try:
        with serving(MOCK_1W, ports, workdir, args.code_dir, probe=False) as (deployment, _):
            port = deployment.processes[0].port
            for spec in prism_specs():
                command = [
                    str(executable),
                    "run",
                    "--spec",
                    spec,
                    "--base-url",
                    f"http://127.0.0.1:{port}/{spec}",
                    "--progress",
                    "off",
                    *extra,
                ]
                started = time.perf_counter()
                done = subprocess.run(
                    command,
                    env=mock_environment(args.code_dir),
                    cwd=workdir,
                    capture_output=True,
                    text=True,
                    check=False,
                    timeout=1800,
                )
                wall = time.perf_counter() - started
                runs.append(_parse(spec, done, wall))
                run = runs[-1]
                if run["exit_code"] != 0 or run.get("failures"):
                    out = results_dir / f"{args.stamp}-harness-{spec}.txt"
                    out.write_text(done.stdout + "\n--- stderr ---\n" + done.stderr)
                    run["output"] = out.name
                print(
                    f"  harness {spec:26} {wall:6.1f} s wall, {run.get('cases', '?')} cases "
                    f"({run.get('cases_per_s', 0):.1f}/s), {run.get('failures', '?')} failure(s), exit "
                    f"{run['exit_code']}" + (f"  see {run['output']}" if "output" in run else ""),
                    flush=True,
                )
    except ServerFailed as exc:
        return {"runs": runs, "error": str(exc)[:600], "quick": bool(args.quick)}
    return {
        "runs": runs,
        "total_wall_s": round(sum(r["wall_s"] for r in runs), 1),
        "quick": bool(args.quick),
        "options": extra,
    }


def _parse(spec: str, done: subprocess.CompletedProcess[str], wall: float) -> dict[str, Any]:
    """The figures of the contract's summary line: `N of M cases reached the implementation, J judged, in Ts`
    (older harnesses: `N cases in Ts`), failures, seed. Cases per second are per wall second."""
    run: dict[str, Any] = {"spec": spec, "wall_s": round(wall, 1), "exit_code": done.returncode}
    line = _SPEC_LINE.search(done.stdout)
    sent = _SENT.search(line.group(3)) if line else None
    failures = _FAILURES.search(line.group(3)) if line else None
    if line and sent and failures:
        cases = int(sent.group(2) or sent.group(3))
        judged, seconds = _JUDGED.search(line.group(3)), _SECONDS.search(line.group(3))
        run.update(
            seed=line.group(2),
            cases=cases,
            failures=int(failures.group(1)),
            cases_per_s=round(cases / wall, 1) if wall else 0,
        )
        if sent.group(1):
            run["reached"] = int(sent.group(1))
        if judged:
            run["judged"] = int(judged.group(1))
        if seconds:
            run["harness_s"] = float(seconds.group(1))
    else:
        run["parse_error"] = (done.stdout[-400:] + done.stderr[-400:]).strip()
    result = _RESULT.search(done.stdout)
    if result:
        run["verdict"] = result.group(1)
    return run
