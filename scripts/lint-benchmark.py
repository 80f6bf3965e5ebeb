#!/usr/bin/env python3
"""Benchmark `komply lint` against peers on one generated corpus (not part of `swift test`).

    swift build -c release
    python3 scripts/lint-benchmark.py [--komply .build/release/komply] [--files 1000] [--objects 10]

Generates FILES manifest files of OBJECTS objects each (Deployments, StatefulSets, Jobs, Services,
ConfigMaps, NetworkPolicies, PDBs, HPAs, Ingresses, Roles spread over 50 namespaces, some compliant,
some not), then measures on the same files, each tool three times (median wall time, peak RSS from
/usr/bin/time or getrusage):

- komply lint (all built-in rules, JSON report to /dev/null), and komply's parse-only time;
- checkov --framework kubernetes (installed into .venv with pip when missing);
- kubernetes-validate (schema validation only; installed into .venv when missing).

Prints one row per tool with the ratio to komply's wall time.
"""
import argparse
import os
import pathlib
import random
import resource
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


def measure(command, runs=3, timeout=1800):
    """Median wall seconds and peak RSS (MiB) of the command's children."""
    walls, peaks = [], []
    for _ in range(runs):
        start = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        proc = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=timeout)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        peaks.append(max(after, before) / 1024)
        if proc.returncode not in (0, 1):
            raise SystemExit(f"{command[0]} failed ({proc.returncode}): {proc.stderr.decode()[-2000:]}")
    # ru_maxrss of children is the maximum over all children so far; time -v gives per-run figures when present.
    return statistics.median(walls), max(peaks)


def measure_rss(command):
    """Peak RSS (MiB) of one run via /usr/bin/time -v when available."""
    if not shutil.which("time") and not os.path.exists("/usr/bin/time"):
        return None
    proc = subprocess.run(["/usr/bin/time", "-v", *command], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for line in proc.stderr.splitlines():
        if "Maximum resident set size" in line:
            return int(line.split(":")[1]) / 1024
    return None


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
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-peers", action="store_true")
    args = parser.parse_args()
    if not os.path.exists(args.komply):
        raise SystemExit(f"{args.komply} not found; run swift build -c release first")

    work = pathlib.Path(tempfile.mkdtemp(prefix="komply-bench-"))
    try:
        corpus = work / "manifests"
        corpus.mkdir()
        total = generate(corpus, args.files, args.objects)
        print(f"corpus: {args.files} files, {total} objects, {sum(p.stat().st_size for p in corpus.iterdir()) / 1e6:.1f} MB "
              f"(cpus: {os.cpu_count()})\n")
        rows = []
        komply = [args.komply, "lint", str(corpus), "--format", "json", "--fail-on", "error"]
        wall, _ = measure(komply, args.runs)
        rows.append(("komply lint (all rules)", wall, measure_rss(komply)))
        parse = [args.komply, "lint", str(corpus), "--parse-only"]
        pwall, _ = measure(parse, args.runs)
        rows.append(("komply parse only", pwall, measure_rss(parse)))
        if not args.skip_peers:
            checkov = [ensure_peer("checkov"), "-d", str(corpus), "--framework", "kubernetes", "--quiet", "--compact", "-o", "json"]
            cwall, _ = measure(checkov, 1)
            rows.append(("checkov --framework kubernetes", cwall, measure_rss(checkov)))
            files = sorted(str(p) for p in corpus.iterdir())
            kv = [ensure_peer("kubernetes-validate"), "--quiet", *files]
            kwall, _ = measure(kv, 1)
            rows.append(("kubernetes-validate (schema only)", kwall, measure_rss(kv)))
        base = rows[0][1]
        print(f"{'tool':<36} {'wall s':>8} {'peak RSS MiB':>13} {'× komply':>9}")
        for name, wall, rss in rows:
            print(f"{name:<36} {wall:>8.2f} {(f'{rss:.0f}' if rss else '?'):>13} {wall / base:>9.1f}")
        print(f"\nkomply throughput: {total / base:,.0f} objects/s; parsing is {pwall / base:.0%} of lint time")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
