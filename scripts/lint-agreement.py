#!/usr/bin/env python3
"""Agreement between komply's rules and other linters' labelled suites in ../shared/corpus.

    python3 scripts/lint-agreement.py [--komply .build/debug/komply] [--corpus ../shared/corpus] [--verbose]

Each komply rule names the checks that mean the same in its `equivalents` (polaris, kube-linter,
datree). For every mapped check this runs komply with only the mapped rules over the check's
labelled samples and prints precision and recall per check:

- polaris-checks/<check>/: each file is a sample; `failure.*` must fire, `success.*` must not.
- kube-linter-checks/<check>.yml: each object is a sample; objects named `dont-fire*` must not fire.
- datree-rules/tests/<id>/{fail,pass}/: each file is a sample.

Each sample is linted on its own (kube-linter files as a whole), so cross-object rules see exactly
the objects the other tool saw. Samples where komply's policy deliberately differs are listed in
DOCUMENTED with the reason, excluded from the figures and printed. Exit status 1 when a mapped check
is below --target (default 0.95) in precision or recall.
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys
from collections import defaultdict

ROOT = pathlib.Path(__file__).resolve().parent.parent

# (tool, check, sample) -> why komply deliberately disagrees. A sample is a file path relative to
# the check's folder (polaris, datree) or "kind/name@file" (kube-linter).
FIELD_AT_WRONG_LEVEL = ("the field sits in the Deployment's own spec, where Kubernetes ignores it (the API server's schema "
                        "rejects it); komply checks the pod template, which is what runs")
LABEL_BY_NAME = ("the corpus labels every object not named dont-fire* as firing, but this object is the check's compliant "
                 "reference in the upstream test")
DOCUMENTED = {
    # Policy: Pod Security "restricted" requires dropping ALL; a long explicit drop list still leaves the rest.
    ("polaris", "insecureCapabilities", "success.yaml"): "komply requires drop: [ALL] (Pod Security restricted); an explicit list of 15 is not enough",
    ("polaris", "insecureCapabilities", "success.case.yaml"): "komply requires drop: [ALL] (Pod Security restricted); an explicit list is not enough",
    ("polaris", "insecureCapabilities", "success.pod.yaml"): "komply requires drop: [ALL] (Pod Security restricted); an explicit list is not enough",
    # Policy: an absent minReplicas defaults to 1 in Kubernetes.
    ("polaris", "hpaMinAvailability", "success.minReplicaAbsent.yaml"): "minReplicas defaults to 1, so an HPA without it can scale to one pod",
    # Policy: deny-all plus allows; a policy type with no rules denies that direction, which is isolation.
    ("polaris", "missingNetworkPolicy", "failure.netpol_missing_egress_rules.yaml"):
        "the pod is selected for Ingress and Egress; Egress with no rules denies all egress, which komply counts as covered",
    ("polaris", "missingNetworkPolicy", "failure.netpol_missing_ingress_rules.yaml"):
        "the pod is selected for Ingress and Egress; Ingress with no rules denies all ingress, which komply counts as covered",
    ("kube-linter", "non-isolated-pod", "Deployment/dont-fire@non-isolated-pod.yml"):
        "komply requires egress isolation too (DESIGN: deny-all ingress and egress); this pod is isolated for ingress only",
    ("kube-linter", "non-isolated-pod", "DeploymentConfig/dont-fire@non-isolated-pod.yml"):
        "komply requires egress isolation too (DESIGN: deny-all ingress and egress); this pod is isolated for ingress only",
    # Policy: a PodDisruptionBudget only matters for replicated workloads; single-replica ones get single-replica.
    **{("polaris", "missingPodDisruptionBudget", f): "a single-replica Deployment is flagged by single-replica instead; a budget cannot protect one pod"
       for f in ["failure.bad-name.yaml", "failure.empty-labels.yaml", "failure.no-labels.yaml", "failure.no-metadata.yaml",
                 "failure.wrong-place.yaml", "failure.yaml"]},
    # Policy: the minimum is a parameter; komply's default is 2 (kube-linter's is 3).
    ("kube-linter", "hpa-minimum-three-replicas", "HorizontalPodAutoscaler/app@hpa-minimum-three-replicas.yml"):
        "komply's default minimum is 2 (set params to 3 to match); this HPA has minReplicas 2",
    # Policy: Pod Security restricted allows GID 0 and OpenShift images rely on it; run-as-root is about the user.
    ("kube-linter", "run-as-non-root", "Deployment/group-zero@run-as-non-root.yml"): "runAsUser 1001 is not root; komply does not flag GID 0 (allowed by Pod Security restricted)",
    ("kube-linter", "run-as-non-root", "DeploymentConfig/group-zero@run-as-non-root.yml"): "runAsUser 1001 is not root; komply does not flag GID 0 (allowed by Pod Security restricted)",
    # Policy: SYS_TIME sets the node's clock for every pod.
    ("datree", "49", "pass/49-pass.yaml"): "komply treats SYS_TIME as dangerous: it changes the clock of the whole node",
    # Policy: the rule is about pods; a ServiceAccount alone mounts nothing.
    ("datree", "53", "fail/53-fail.yaml"): "komply checks pods (with their ServiceAccount's setting); a ServiceAccount on its own mounts no token",
    # Policy: an empty verb grants nothing.
    ("datree", "48", "fail/48-fail.yaml"): "verbs: [\"\"] grants nothing, so the role cannot exec into pods",
    # Data: fields placed where Kubernetes ignores them.
    ("datree", "26", "fail/26-fail.yaml"): "hostPID: " + FIELD_AT_WRONG_LEVEL,
    ("datree", "28", "fail/28-fail.yaml"): "hostNetwork: " + FIELD_AT_WRONG_LEVEL,
    ("datree", "30", "fail/30-fail.yaml"): "volumes: " + FIELD_AT_WRONG_LEVEL,
    ("datree", "30", "fail/30-fail-1.yaml"): "volumes: " + FIELD_AT_WRONG_LEVEL,
    ("datree", "83", "fail/83-fail.yaml"): "the second anti-affinity term spreads over kubernetes.io/hostname; datree flags the first term, which lacks a topologyKey (a schema error)",
    # Data: labels inferred from object names in kube-linter's multi-object test files.
    ("kube-linter", "job-ttl-seconds-after-finished", "Job/good-job@job-ttl-seconds-after-finished.yaml"): LABEL_BY_NAME + " (it sets ttlSecondsAfterFinished)",
    ("kube-linter", "pdb-max-unavailable", "PodDisruptionBudget/baz@pdb-max-unavailable.yaml"): LABEL_BY_NAME + " (maxUnavailable: 1)",
    ("kube-linter", "dangling-hpa", "HorizontalPodAutoscaler/RELEASE-NAME-mychart@dangling-hpa.yml"): LABEL_BY_NAME + " (its target is in the file)",
    ("polaris", "nakedPod", "success.yaml"): "the success and failure files are both bare Pods that differ only in a label; Polaris's test relies on a controller outside the file",
}


def run_komply(komply, paths, rules):
    args = [komply, "lint", *paths, "--format", "json", "--fail-on", "error"]
    for rule in rules:
        args += ["--rule", rule]
    proc = subprocess.run(args, capture_output=True, text=True)
    if proc.returncode not in (0, 1, 2):
        raise SystemExit(f"komply failed ({proc.returncode}): {' '.join(args)}\n{proc.stderr}")
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        raise SystemExit(f"komply printed no JSON for {' '.join(args)}\n{proc.stderr}")
    return report


def samples_polaris(corpus, check):
    folder = corpus / "polaris-checks" / check
    if not folder.is_dir():
        return None
    out = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith("success."):
            out.append((path.name, [path], False, None))
        elif path.name.startswith("failure."):
            out.append((path.name, [path], True, None))
    return out


def samples_datree(corpus, check):
    folder = corpus / "datree-rules" / "tests" / check
    if not folder.is_dir():
        return None
    out = []
    for label, positive in (("fail", True), ("pass", False)):
        for path in sorted((folder / label).glob("*")):
            if path.suffix in (".yaml", ".yml", ".json"):
                out.append((f"{label}/{path.name}", [path], positive, None))
    return out


def kube_linter_objects(path):
    """(kind, name) of each document, read with a tiny scanner (no PyYAML needed)."""
    objects = []
    for doc in path.read_text().split("\n---"):
        kind = name = None
        in_metadata = False
        for line in doc.splitlines():
            if line.startswith("kind:"):
                kind = line.split(":", 1)[1].strip().strip("\"'")
            elif line.startswith("metadata:"):
                in_metadata = True
            elif in_metadata and line.startswith("  name:") and name is None:
                name = line.split(":", 1)[1].strip().strip("\"'")
            elif line and not line.startswith(" ") and not line.startswith("#"):
                in_metadata = line.startswith("metadata:")
        if kind and name:
            objects.append((kind, name))
    return objects


def samples_kube_linter(corpus, check, kinds):
    # Objects of kinds the rule does not look at (the Deployment a Service points at) are context, not samples.
    for suffix in (".yml", ".yaml"):
        path = corpus / "kube-linter-checks" / (check + suffix)
        if path.exists():
            return [(f"{kind}/{name}@{path.name}", [path], not name.startswith("dont-fire"), (kind, name))
                    for kind, name in kube_linter_objects(path) if kind in kinds]
    return None


WORKLOAD_KINDS = {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob",
                  "DeploymentConfig", "Rollout"}


LOADERS = {"polaris": lambda c, k, _: samples_polaris(c, k), "kube-linter": samples_kube_linter,
           "datree": lambda c, k, _: samples_datree(c, k)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--komply", default=str(ROOT / ".build/debug/komply"))
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared/corpus"))
    parser.add_argument("--target", type=float, default=0.95)
    parser.add_argument("--verbose", action="store_true", help="print every disagreement")
    args = parser.parse_args()
    corpus = pathlib.Path(args.corpus)

    rules = json.loads(subprocess.run([args.komply, "rules", "list", "--format", "json"], capture_output=True, text=True, check=True).stdout)
    mapping = defaultdict(list)  # (tool, check) -> [rule ids]
    kinds_of = {r["id"]: set(r["kinds"]) if r.get("kinds") else WORKLOAD_KINDS for r in rules}
    for rule in rules:
        for tool, checks in (rule.get("equivalents") or {}).items():
            for check in checks:
                mapping[(tool, check)].append(rule["id"])

    rows, documented, failures = [], [], []
    for (tool, check), rule_ids in sorted(mapping.items()):
        samples = LOADERS[tool](corpus, check, set().union(*(kinds_of[r] for r in rule_ids)))
        if not samples:
            rows.append((tool, check, rule_ids, None))
            continue
        tp = fp = fn = tn = 0
        cache = {}
        disagreements = []
        for sample, paths, positive, obj in samples:
            key = tuple(map(str, paths))
            if key not in cache:
                cache[key] = run_komply(args.komply, [str(p) for p in paths], rule_ids)
            report = cache[key]
            findings = [f for f in report["findings"] if f["rule"] in rule_ids]
            if obj:
                findings = [f for f in findings if (f["object"]["kind"], f["object"]["name"]) == obj]
            fired = bool(findings)
            if (tool, check, sample) in DOCUMENTED:
                documented.append((tool, check, sample, positive, fired, DOCUMENTED[(tool, check, sample)]))
                continue
            if report.get("problems") and not findings:
                disagreements.append(f"{sample}: komply refused the file: {report['problems'][0]['message']}")
            if positive and fired:
                tp += 1
            elif positive:
                fn += 1
                disagreements.append(f"{sample}: expected to fire, komply did not")
            elif fired:
                fp += 1
                disagreements.append(f"{sample}: komply fired: {findings[0]['message']}")
            else:
                tn += 1
        # With no positive samples left (all documented), recall is undefined: printed as n/a, not 1.00.
        precision = tp / (tp + fp) if tp + fp else None
        recall = tp / (tp + fn) if tp + fn else None
        rows.append((tool, check, rule_ids, (tp, fp, fn, tn, precision, recall, disagreements)))
        if (precision is not None and precision < args.target) or (recall is not None and recall < args.target):
            failures.append((tool, check))

    print(f"{'tool':<12} {'check':<42} {'komply rule(s)':<44} {'TP':>3} {'FP':>3} {'FN':>3} {'TN':>3} {'prec':>5} {'recall':>6}")
    for tool, check, rule_ids, stats in rows:
        ids = ",".join(rule_ids)
        if stats is None:
            print(f"{tool:<12} {check:<42} {ids:<44}   (no labelled samples in the corpus)")
            continue
        tp, fp, fn, tn, p, r, dis = stats
        mark = "  <-- below target" if (p is not None and p < args.target) or (r is not None and r < args.target) else ""
        ps = f"{p:>5.2f}" if p is not None else "  n/a"
        rs = f"{r:>6.2f}" if r is not None else "   n/a"
        print(f"{tool:<12} {check:<42} {ids:<44} {tp:>3} {fp:>3} {fn:>3} {tn:>3} {ps} {rs}{mark}")
        if args.verbose or mark:
            for d in dis:
                print(f"{'':<14}- {d}")
    measured = [s for *_, s in rows if s]
    tp = sum(s[0] for s in measured); fp = sum(s[1] for s in measured); fn = sum(s[2] for s in measured)
    print(f"\n{len(measured)} mapped checks measured; overall precision {tp / max(1, tp + fp):.3f}, recall {tp / max(1, tp + fn):.3f}")
    if documented:
        print(f"\nDocumented policy differences ({len(documented)} samples, excluded above):")
        for tool, check, sample, positive, fired, why in documented:
            print(f"  {tool} {check} {sample} (labelled {'fire' if positive else 'pass'}, komply {'fires' if fired else 'passes'}): {why}")
    if failures:
        print(f"\n{len(failures)} mapped check(s) below {args.target}: " + ", ".join(f"{t}:{c}" for t, c in failures))
        sys.exit(1)


if __name__ == "__main__":
    main()
