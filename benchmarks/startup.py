"""The start-up phase: from `Popen` to the first answer, polled every 10 ms, interleaved across configurations.

The mock is up when `GET /` answers 200: that index is served by the same app as every API, once all five
contracts are compiled and mounted (the phase then checks that it lists five). With two workers it is the first
worker that answers. Prism (five processes, one per contract, started together) is up when all five answer
anything. No probe is loaded here: start-up is measured on the product exactly as shipped.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
from pathlib import Path
from typing import Any

from procstat import CpuWindow, loadavg, wait_for_quiet
from servers import Config, Ports, ServerFailed, http_get, start

_BANNER = re.compile(r"ready in ([0-9.]+)s")


def startup_phase(configs: list[Config], args: argparse.Namespace, ports: Ports, workdir: Path) -> list[dict[str, Any]]:
    """`--startup-runs` starts of each configuration (Prism: at most 3), interleaved."""
    runs: list[dict[str, Any]] = []
    for attempt in range(args.startup_runs):
        order = configs[attempt % len(configs) :] + configs[: attempt % len(configs)]
        for config in order:
            if config.kind == "prism" and attempt >= min(args.startup_runs, 3):
                continue
            quiet = wait_for_quiet(args.quiet_cores, args.max_wait)
            window = CpuWindow()
            window.start()
            deployment = start(config, ports, workdir, args.code_dir, probe=False)
            run: dict[str, Any] = {"config": config.name, "attempt": attempt}
            try:
                window.groups = {"server": deployment.roots()}
                seconds = deployment.wait_ready()
                run.update(startup_s=round(seconds, 3), others_cores_before=round(quiet, 2), loadavg_1m=loadavg())
                if config.kind == "mock":
                    status, body = http_get(deployment.processes[0].port, "/", 5, {"Accept": "application/json"})
                    run["apis_listed"] = len(json.loads(body).get("apis", [])) if status == 200 else 0
                    run["in_process_s"] = _banner_seconds(deployment.processes[0].log)
                run["others_cores_during"] = window.stop()["others_cores"]
            except ServerFailed as exc:
                run["error"] = str(exc)[:600]
            finally:
                deployment.stop()
            runs.append(run)
            shown = f"{run['startup_s']:6.2f} s" if "startup_s" in run else f"FAILED {run.get('error', '')[:200]}"
            inside = f", of which {run['in_process_s']:.2f} s inside `serve`" if run.get("in_process_s") else ""
            print(f"  startup {config.name:8} {shown}{inside}  (others {quiet:.2f} cores before)", flush=True)
    return runs


def _banner_seconds(log: Path) -> float | None:
    """The seconds the mock's banner reports (`serve` called -> app built, before uvicorn binds)."""
    with contextlib.suppress(OSError):
        found = _BANNER.search(log.read_text(errors="replace"))
        if found:
            return float(found.group(1))
    return None
