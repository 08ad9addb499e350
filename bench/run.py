"""`make bench`: runs every benchmark script bench/*.py (except this one), one after another;
`make bench BENCH="http_load soak"` (or `bench/run.py http_load soak`) only the ones named.

Each script is standalone (it sets DJANGO_SETTINGS_MODULE itself and prints its own table); this
runner only starts them in order, with the same Python, and prints their output as it comes.
It exits non-zero if any of them failed, after running the others.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent


def scripts(names: list[str] | None = None) -> list[Path]:
    found = sorted(
        path
        for path in BENCH_DIR.glob("*.py")
        if path.name not in {"run.py", "__init__.py"} and not path.name.startswith("_")
    )
    if not names:
        return found
    wanted = [name.removesuffix(".py") for name in names]
    unknown = set(wanted) - {path.stem for path in found}
    if unknown:
        raise SystemExit(f"No benchmark named {', '.join(sorted(unknown))} in bench/")
    return [path for path in found if path.stem in wanted]


def main() -> int:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "bourse.settings")
    env.setdefault("SECRET_KEY", "bench-only-secret-key")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    failed = []
    for script in scripts(sys.argv[1:]):
        print(f"=== bench/{script.name} ===", flush=True)
        start = time.perf_counter()
        result = subprocess.run([sys.executable, str(script)], cwd=ROOT, env=env, check=False)
        elapsed = time.perf_counter() - start
        status = "ok" if result.returncode == 0 else f"FAILED (exit {result.returncode})"
        print(f"=== bench/{script.name}: {status} in {elapsed:.0f} s ===\n", flush=True)
        if result.returncode != 0:
            failed.append(script.name)
    if failed:
        print("Failed: " + ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
