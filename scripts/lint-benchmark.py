#!/usr/bin/env python3
"""Benchmark `komply lint` against peers on one generated corpus (not part of `swift test`).

    swift build -c release
    python3 scripts/lint-benchmark.py [--komply .build/release/komply] [--files 1000] [--objects 10]
                                      [--runs 3] [--skip-peers] [--keep DIR]

Generates FILES manifest files of OBJECTS objects each (Deployments, StatefulSets, Jobs, Services,
ConfigMaps, NetworkPolicies, PDBs, HPAs, Ingresses, Roles spread over 50 namespaces, some compliant,
some not), then measures on the same files (wall time, plus CPU time and peak RSS from each child's
own rusage):

- komply lint (all built-in rules, JSON report to /dev/null) and komply's parse-only time
  (`lint --parse-only`: read and parse every file into objects, lint nothing), RUNS times each,
  interleaved, medians reported; then both again pinned to one CPU (at least 3 runs each);
- checkov --framework kubernetes (installed into .venv with pip when missing), once;
- kubernetes-validate (schema validation only; installed into .venv when missing), once.

Prints one row per tool, then the ratios issue 4 sets targets for: lint / parse-only (at most 2) and
checkov / komply lint (at least 100), and kubernetes-validate / komply lint. See docs/lint-benchmark.md.
"""
import argparse
import os
import pathlib
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
PEERS = {"checkov": "checkov==3.3.30", "kubernetes-validate": "kubernetes-validate==1.37.0"}


def deployment(i, ns, good, kind="Deployment"):
    sc = ("          securityContext:\n            runAsNonRoot: true\n            allowPrivilegeEscalation: false\n"
          "            readOnlyRootFilesystem: true\n            capabilities: {drop: [ALL]}\n"
          "            seccompProfile: {type: RuntimeDefault}\n") if good else "          securityContext:\n            privileged: true\n"
    probes = ("          livenessProbe: {httpGet: {path: /healthz, port: http}}\n"
              "          readinessProbe: {httpGet: {path: /ready, port: http}}\n") if good else ""
    res = ("          resources:\n            requests: {cpu: 100m, memory: 128Mi}\n            limits: {cpu: 500m, memory: 256Mi}\n"
           if good else "")
    image = f"registry.example.com/team/app{i}:1.{i % 10}.0" if good else f"nginx:latest"
    return (f"apiVersion: apps/v1\nkind: {kind}\nmetadata:\n  name: app{i}\n  namespace: {ns}\n  labels:\n"
            f"    app.kubernetes.io/name: app{i}\nspec:\n  replicas: {2 if good else 1}\n"
            + (f"  serviceName: app{i}\n" if kind == "StatefulSet" else "")
            + f"  selector:\n    matchLabels:\n      app.kubernetes.io/name: app{i}\n"
            f"  template:\n    metadata:\n      labels:\n        app.kubernetes.io/name: app{i}\n    spec:\n"
            f"      automountServiceAccountToken: false\n      containers:\n        - name: app\n          image: {image}\n"
            f"          ports:\n            - name: http\n              containerPort: 8080\n"
            f"          env:\n            - name: LOG_LEVEL\n              value: info\n"
            + ("" if good else "            - name: DB_PASSWORD\n              value: hunter2\n")
            + sc + probes + res)


def objects(i, rng):
    ns = f"team-{i % 50}"
    good = rng.random() < 0.6
    yield deployment(i, ns, good, "StatefulSet" if i % 7 == 0 else "Deployment")
    yield (f"apiVersion: v1\nkind: Service\nmetadata:\n  name: app{i}\n  namespace: {ns}\nspec:\n"
           f"  selector:\n    app.kubernetes.io/name: app{i if good or i % 3 else i + 1}\n  ports:\n    - port: 80\n      targetPort: http\n")
    yield (f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app{i}\n  namespace: {ns}\ndata:\n  LOG_LEVEL: info\n"
           + ("" if good else "  API_TOKEN: s3cr3t\n"))
    yield (f"apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: app{i}\n  namespace: {ns}\nspec:\n"
           f"  maxUnavailable: {1 if good else 0}\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: app{i}\n")
    yield (f"apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: app{i}\n  namespace: {ns}\nspec:\n"
           f"  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: app{i}}}\n  minReplicas: {2 if good else 1}\n  maxReplicas: 6\n")
    yield (f"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: app{i}\n  namespace: {ns}\nspec:\n"
           f"  podSelector:\n    matchLabels:\n      app.kubernetes.io/name: app{i}\n  policyTypes: [Ingress, Egress]\n"
           f"  ingress:\n    - ports: [{{port: 8080}}]\n  egress:\n    - ports: [{{port: 53, protocol: UDP}}]\n")
    yield (f"apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: app{i}\n  namespace: {ns}\nspec:\n"
           + (f"  tls:\n    - hosts: [app{i}.example.com]\n      secretName: app{i}-tls\n" if good else "")
           + f"  rules:\n    - host: app{i}.example.com\n      http:\n        paths:\n          - path: /\n            pathType: Prefix\n"
           f"            backend:\n              service:\n                name: app{i}\n                port: {{number: 80}}\n")
    yield (f"apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate{i}\n  namespace: {ns}\nspec:\n"
           + ("  ttlSecondsAfterFinished: 600\n" if good else "")
           + f"  template:\n    spec:\n      restartPolicy: Never\n      containers:\n        - name: migrate\n"
           f"          image: registry.example.com/team/migrate:1.0\n          args: [\"-Xmx{2048 if not good else 256}m\"]\n"
           f"          resources:\n            limits: {{memory: 1Gi}}\n")
    yield (f"apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: app{i}\n  namespace: {ns}\nrules:\n"
           f"  - apiGroups: [\"\"]\n    resources: [{'configmaps' if good else 'secrets'}]\n    verbs: [get, list]\n")
    yield f"apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app{i}\n  namespace: {ns}\nautomountServiceAccountToken: false\n"


def generate(folder, files, per_file):
    rng = random.Random(42)
    count = 0
    for f in range(files):
        docs = []
        i = f
        while len(docs) < per_file:
            docs.extend(objects(i * 1000 + len(docs), rng))
        docs = docs[:per_file]
        count += len(docs)
        (folder / f"app-{f:04d}.yaml").write_text("---\n".join(docs))
    return count


def measured(command, timeout=3600, cpus=None):
    """Wall seconds, CPU seconds (user + system) and peak RSS (MiB) of one run of `command`, CPU and
    RSS from the child's own rusage (wait4), so no wrapper process is measured. `cpus` pins the
    child to those CPUs."""
    start = time.perf_counter()
    pin = (lambda: os.sched_setaffinity(0, cpus)) if cpus else None
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=pin)
    stderr_chunks = []
    # Drain stderr while waiting so a chatty child cannot block on a full pipe.
    os.set_blocking(proc.stderr.fileno(), False)
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        try:
            chunk = proc.stderr.read()
            if chunk:
                stderr_chunks.append(chunk)
        except BlockingIOError:
            pass
        if pid:
            break
        if time.perf_counter() - start > timeout:
            proc.kill()
            raise SystemExit(f"{command[0]} timed out after {timeout} s")
        time.sleep(0.002)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stderr.close()
    if proc.returncode not in (0, 1):
        stderr = b"".join(stderr_chunks).decode(errors="replace")
        raise SystemExit(f"{command[0]} failed ({proc.returncode}): {stderr[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def measure(commands, runs, cpus=None):
    """Median wall and CPU seconds and the highest peak RSS of each command; the commands run
    interleaved (A B A B …) so that a change in machine load affects them alike."""
    samples = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            samples[name].append(measured(command, cpus=cpus))
    return {
        name: (statistics.median(s[0] for s in got), statistics.median(s[1] for s in got), max(s[2] for s in got))
        for name, got in samples.items()
    }


def ensure_peer(name):
    exe = VENV / "bin" / name
    if exe.exists():
        return str(exe)
    if not (VENV / "bin" / "pip").exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(VENV / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", PEERS[name]], check=True)
    return str(exe)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--komply", default=str(ROOT / ".build/release/komply"))
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--objects", type=int, default=10, help="objects per file")
    parser.add_argument("--runs", type=int, default=3, help="runs of each komply command (peers run once)")
    parser.add_argument("--skip-peers", action="store_true", help="measure komply only (checkov takes minutes)")
    parser.add_argument("--keep", metavar="DIR", help="write the corpus to DIR/manifests and keep it (for profiling)")
    args = parser.parse_args()
    if not os.path.exists(args.komply):
        raise SystemExit(f"{args.komply} not found; run swift build -c release first")

    work = pathlib.Path(args.keep) if args.keep else pathlib.Path(tempfile.mkdtemp(prefix="komply-bench-"))
    try:
        corpus = work / "manifests"
        corpus.mkdir(parents=True, exist_ok=True)
        total = generate(corpus, args.files, args.objects)
        size = sum(p.stat().st_size for p in corpus.iterdir()) / 1e6
        load = os.getloadavg()
        print(f"corpus: {args.files} files, {total} objects, {size:.1f} MB; cpus: {os.cpu_count()}; "
              f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}\n")
        komply = {
            "lint": [args.komply, "lint", str(corpus), "--format", "json", "--fail-on", "error"],
            "parse": [args.komply, "lint", str(corpus), "--parse-only"],
        }
        figures = measure(komply, args.runs)
        rows = [("komply lint (all rules, JSON report)", *figures["lint"]), ("komply parse only", *figures["parse"])]
        if not args.skip_peers:
            checkov = [ensure_peer("checkov"), "-d", str(corpus), "--framework", "kubernetes", "--quiet", "--compact", "-o", "json"]
            rows.append(("checkov --framework kubernetes", *measured(checkov)))
            files = sorted(str(p) for p in corpus.iterdir())
            kv = [ensure_peer("kubernetes-validate"), "--quiet", *files]
            rows.append(("kubernetes-validate (schema only)", *measured(kv)))
        lint, parse = figures["lint"][0], figures["parse"][0]
        print(f"{'tool':<38} {'wall s':>8} {'cpu s':>8} {'peak RSS MiB':>13} {'÷ komply lint':>14}")
        for name, wall, cpu, rss in rows:
            print(f"{name:<38} {wall:>8.2f} {cpu:>8.2f} {rss:>13.0f} {wall / lint:>14.2f}")
        print(f"\nkomply lint: {total / lint:,.0f} objects/s (median of {args.runs} runs of each komply command, interleaved)")
        ratio = lint / parse
        print(f"lint / parse-only wall time: {ratio:.2f} (target at most 2): {'met' if ratio <= 2 else 'NOT met'}")
        # The same two commands on one CPU (a pre-commit hook in a one-CPU container): lint must not
        # wait on work that only another CPU would pick up.
        single = measure(komply, max(3, args.runs // 2), cpus={min(os.sched_getaffinity(0))})
        print(f"on one CPU: komply lint {single['lint'][0]:.2f} s, parse only {single['parse'][0]:.2f} s, "
              f"ratio {single['lint'][0] / single['parse'][0]:.2f}")
        for name, wall, _, _ in rows[2:]:
            tool = name.split()[0]
            if tool == "checkov":
                print(f"checkov / komply lint wall time: {wall / lint:.1f} (target at least 100): "
                      f"{'met' if wall / lint >= 100 else 'NOT met'}")
            else:
                print(f"{tool} / komply lint wall time: {wall / lint:.1f}")
        load = os.getloadavg()
        print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
