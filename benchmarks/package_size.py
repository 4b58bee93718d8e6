"""The size of each function's deployment package after `sam build` (unzipped), and zipped.

aws-sam-cli pins its own libraries, so it lives in `.venv-sam` (made here if missing). The build
goes to benchmarks/.work/sam-build (gitignored), offline against the package registry.
"""

from __future__ import annotations

import os
import subprocess
import zipfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAM = ROOT / ".venv-sam" / "bin" / "sam"
BUILD = ROOT / "benchmarks" / ".work" / "sam-build"
LIMIT_UNZIPPED = 250 * 1024 * 1024  # Lambda's limit for a function and its layers, unzipped


def _ensure_sam() -> None:
    if SAM.exists():
        return
    subprocess.run(["python3.11", "-m", "venv", str(ROOT / ".venv-sam")], check=True)
    subprocess.run(
        [str(ROOT / ".venv-sam" / "bin" / "pip"), "install", "--quiet", "aws-sam-cli"], check=True
    )


def _sizes(folder: Path) -> tuple[int, int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    raw = sum(p.stat().st_size for p in files)
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for p in files:
            archive.write(p, p.relative_to(folder))
    return raw, len(buffer.getvalue()), len(files)


def main() -> list[str]:
    _ensure_sam()
    env = {**os.environ, "SAM_CLI_TELEMETRY": "0"}
    run = subprocess.run(
        [str(SAM), "build", "--build-dir", str(BUILD), "--template-file", "template.yaml"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    lines = ["## Deployment packages after `sam build` (each function's folder)", ""]
    if run.returncode != 0:
        return [
            *lines,
            "`sam build` failed:",
            "",
            "```",
            run.stdout[-2000:],
            run.stderr[-2000:],
            "```",
        ]
    lines += [
        "| function | unzipped | zipped (deflate) | files | of Lambda's 250 MB unzipped limit |",
        "|---|---|---|---|---|",
    ]
    for folder in sorted(p for p in BUILD.iterdir() if p.is_dir()):
        raw, zipped, count = _sizes(folder)
        lines.append(
            f"| {folder.name} | {raw / 1e6:.1f} MB | {zipped / 1e6:.1f} MB | {count:,} | "
            f"{raw / LIMIT_UNZIPPED:.0%} |"
        )
    first = next(p for p in sorted(BUILD.iterdir()) if p.is_dir())
    biggest = sorted(
        (
            (sum(f.stat().st_size for f in d.rglob("*") if f.is_file()), d.name)
            for d in first.iterdir()
        ),
        reverse=True,
    )[:6]
    lines += [
        "",
        "Largest parts of a package: "
        + ", ".join(f"`{name}` {size / 1e6:.1f} MB" for size, name in biggest)
        + ".",
    ]
    return lines


if __name__ == "__main__":
    print("\n".join(main()))
