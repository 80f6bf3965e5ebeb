#!/usr/bin/env python3
"""Measures real CPU and memory usage of servers under load, for komply's history fixtures.

Starts nginx, redis and PostgreSQL on loopback (127.0.0.1 only), each in its own cgroup (v1
`cpuacct` + `memory`, or v2), drives them with wrk, redis-benchmark and pgbench following a
seeded schedule of load "days", and samples every server's cgroup every INTERVAL seconds:

  cpu_cores    = Δ cpuacct.usage (ns) / Δt / 1e9          (v2: Δ cpu.stat usage_usec)
  memory_bytes = memory.usage_in_bytes - total_inactive_file  (the kubelet's working set;
                 v2: memory.current - inactive_file)

A fourth server, `sessions` (redis with a 64 MiB cgroup memory limit and a growing data set),
is OOM-killed by the kernel at its peaks for real; the script records each kill (`oom_killed`) and restarts it,
as a restart policy would.

Writes into OUT: samples.csv (time,service,container,cpu_cores,memory_bytes), events.jsonl and
run.json (versions, schedule, host). Every loop is bounded in time; all traffic stays on 127.0.0.1.

Usage: sudo scripts/measure-usage.py --out fixtures/history/measured --days 6 --day-seconds 300
Needs (Debian): nginx wrk redis-server redis-tools postgresql postgresql-contrib.
"""
import argparse, json, os, random, shutil, signal, subprocess, sys, threading, time
from datetime import datetime, timezone

WORK = "/tmp/komply-measure"
SERVICES = ["web", "cache", "db", "sessions"]
PORTS = {"web": 18080, "cache": 16379, "db": 15432, "sessions": 16380}


def utc(t):
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class Cgroup:
    """One cgroup per server: v1 cpuacct + memory hierarchies, or one v2 group."""

    def __init__(self, name, memory_limit=None):
        self.name = name
        own = {}
        for line in open("/proc/self/cgroup"):
            _, controllers, path = line.strip().split(":", 2)
            for c in controllers.split(","):
                own[c] = path
        if os.path.exists("/sys/fs/cgroup/cgroup.controllers"):
            self.v2 = True
            self.dirs = [f"/sys/fs/cgroup{own.get('', '/')}/komply-{name}".replace("//", "/")]
        else:
            self.v2 = False
            self.cpu = f"/sys/fs/cgroup/cpuacct{own.get('cpuacct', '/')}/komply-{name}".replace("//", "/")
            self.mem = f"/sys/fs/cgroup/memory{own.get('memory', '/')}/komply-{name}".replace("//", "/")
            self.dirs = [self.cpu, self.mem]
        for d in self.dirs:
            os.makedirs(d, exist_ok=True)
        if memory_limit:
            if self.v2:
                open(f"{self.dirs[0]}/memory.max", "w").write(str(memory_limit))
            else:
                open(f"{self.mem}/memory.limit_in_bytes", "w").write(str(memory_limit))

    def wrap(self, argv):
        """argv run inside the cgroup: a shell joins it, then execs the server."""
        joins = "; ".join(f"echo $$ > {d}/cgroup.procs" for d in self.dirs)
        return ["sh", "-c", f'{joins}; exec "$@"', "sh"] + argv

    def cpu_seconds(self):
        if self.v2:
            for line in open(f"{self.dirs[0]}/cpu.stat"):
                if line.startswith("usage_usec "):
                    return int(line.split()[1]) / 1e6
            return 0.0
        return int(open(f"{self.cpu}/cpuacct.usage").read()) / 1e9

    def working_set(self):
        if self.v2:
            usage = int(open(f"{self.dirs[0]}/memory.current").read())
            key = "inactive_file"
            stat = f"{self.dirs[0]}/memory.stat"
        else:
            usage = int(open(f"{self.mem}/memory.usage_in_bytes").read())
            key = "total_inactive_file"
            stat = f"{self.mem}/memory.stat"
        inactive = 0
        for line in open(stat):
            name, value = line.split()
            if name == key:
                inactive = int(value)
        return max(0, usage - inactive)

    def remove(self):
        for d in self.dirs:
            try:
                os.rmdir(d)
            except OSError:
                pass


def run(argv, **kw):
    return subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)


def start_servers(groups):
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(f"{WORK}/www", exist_ok=True)
    rng = random.Random(7)
    for name, size in [("index.html", 2_000), ("app.js", 180_000), ("hero.jpg", 900_000)]:
        open(f"{WORK}/www/{name}", "wb").write(bytes(rng.getrandbits(8) for _ in range(size)))
    open(f"{WORK}/nginx.conf", "w").write(f"""
daemon off; worker_processes 2; pid {WORK}/nginx.pid; error_log {WORK}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{ access_log off; sendfile on; gzip on; gzip_types application/javascript;
  server {{ listen 127.0.0.1:{PORTS['web']}; root {WORK}/www; }} }}
""")
    procs = {"web": subprocess.Popen(groups["web"].wrap(["nginx", "-c", f"{WORK}/nginx.conf"]))}
    procs["cache"] = subprocess.Popen(groups["cache"].wrap(
        ["redis-server", "--port", str(PORTS["cache"]), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]),
        stdout=subprocess.DEVNULL)
    procs["sessions"] = start_sessions(groups)
    pgdata = f"{WORK}/pgdata"
    os.makedirs(pgdata)
    shutil.chown(WORK, "postgres")
    shutil.chown(pgdata, "postgres")
    bindir = sorted(p for p in os.listdir("/usr/lib/postgresql"))[-1]
    pg = f"/usr/lib/postgresql/{bindir}/bin"
    run(["runuser", "-u", "postgres", "--", f"{pg}/initdb", "-D", pgdata, "-A", "trust"])
    procs["db"] = subprocess.Popen(groups["db"].wrap(
        ["runuser", "-u", "postgres", "--", f"{pg}/postgres", "-D", pgdata, "-p", str(PORTS["db"]),
         "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={WORK}",
         "-c", "shared_buffers=128MB", "-c", "max_connections=50"]),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(60):
        if subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", str(PORTS["db"])],
                          stdout=subprocess.DEVNULL).returncode == 0:
            break
        time.sleep(0.5)
    run(["pgbench", "-i", "-s", "20", "-h", "127.0.0.1", "-p", str(PORTS["db"]), "-U", "postgres", "postgres"])
    return procs


def start_sessions(groups):
    return subprocess.Popen(groups["sessions"].wrap(
        ["redis-server", "--port", str(PORTS["sessions"]), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]),
        stdout=subprocess.DEVNULL)


def load_command(service, level, seconds):
    """The load generator for one service at level 0 (idle) … 3 (peak), bounded to `seconds`."""
    if level == 0:
        return None
    if service == "web":
        conns = {1: 4, 2: 16, 3: 64}[level]
        return ["wrk", "-t", "1", "-c", str(conns), "-d", f"{seconds}s", f"http://127.0.0.1:{PORTS['web']}/app.js"]
    if service == "cache":
        keys = {1: 20_000, 2: 60_000, 3: 120_000}[level]
        return ["timeout", str(seconds), "redis-benchmark", "-p", str(PORTS["cache"]), "-q", "-l",
                "-c", str(4 * level), "-r", str(keys), "-d", "256", "-t", "set,get,incr,lpush"]
    if service == "sessions":
        return ["timeout", str(seconds), "redis-benchmark", "-p", str(PORTS["sessions"]), "-q", "-l",
                "-c", "2", "-r", str(12_000 * level), "-d", "2048", "-t", "set"]
    if service == "db":
        clients = {1: 2, 2: 6, 3: 16}[level]
        return ["pgbench", "-h", "127.0.0.1", "-p", str(PORTS["db"]), "-U", "postgres", "-c", str(clients),
                "-j", "1", "-T", str(seconds), "-n", "postgres"]


def schedule(days, day_seconds, seed):
    """Per service, a list of (start offset, seconds, level): each day idles, ramps, peaks, eases."""
    rng = random.Random(seed)
    plan = {s: [] for s in SERVICES}
    shape = [(0.15, 0), (0.30, 1), (0.30, 3), (0.25, 2)]
    for day in range(days):
        for service in SERVICES:
            offset = day * day_seconds
            for fraction, level in shape:
                seconds = int(day_seconds * fraction)
                # Vary each day's intensity a little, as traffic does.
                if level and rng.random() < 0.3:
                    level = max(1, min(3, level + rng.choice([-1, 1])))
                plan[service].append((offset, seconds, level))
                offset += seconds
    return plan


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--days", type=int, default=6)
    parser.add_argument("--day-seconds", type=int, default=300)
    parser.add_argument("--interval", type=float, default=2.0)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    groups = {s: Cgroup(s, memory_limit=64 << 20 if s == "sessions" else None) for s in SERVICES}
    procs = start_servers(groups)
    plan = schedule(args.days, args.day_seconds, args.seed)
    stop = threading.Event()
    events = []
    lock = threading.Lock()
    t0 = time.time()

    def drive(service):
        for offset, seconds, level in plan[service]:
            while not stop.is_set() and time.time() - t0 < offset:
                time.sleep(0.2)
            command = load_command(service, level, seconds)
            if stop.is_set():
                return
            if command is None:
                time.sleep(seconds)
                continue
            subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=seconds + 30)

    def watch_sessions():
        while not stop.is_set():
            proc = procs["sessions"]
            code = proc.poll()
            if code is not None and not stop.is_set():
                now = time.time()
                with lock:
                    events.append({"type": "event", "service": "sessions", "container": "sessions", "time": utc(now),
                                   "kind": "oom_killed" if code in (-9, 137) else "restart",
                                   "value": 64 << 20, "detail": f"exit {code}; cgroup memory limit 64Mi"})
                time.sleep(5)  # restart back-off
                procs["sessions"] = start_sessions(groups)
            time.sleep(0.5)

    drivers = [threading.Thread(target=drive, args=(s,)) for s in SERVICES]
    watcher = threading.Thread(target=watch_sessions)
    for t in drivers + [watcher]:
        t.start()
    total = args.days * args.day_seconds
    rows = []
    last = {s: (time.time(), groups[s].cpu_seconds()) for s in SERVICES}
    try:
        while time.time() - t0 < total:
            time.sleep(args.interval)
            for s in SERVICES:
                now, cpu = time.time(), groups[s].cpu_seconds()
                prev_t, prev_cpu = last[s]
                last[s] = (now, cpu)
                rows.append((utc(now), s, s, max(0.0, (cpu - prev_cpu) / (now - prev_t)), groups[s].working_set()))
    finally:
        stop.set()
        for t in drivers:
            t.join(timeout=60)
        watcher.join(timeout=10)
        for proc in procs.values():
            proc.send_signal(signal.SIGTERM)
        for proc in procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        time.sleep(1)
        for g in groups.values():
            g.remove()
    with open(f"{args.out}/samples.csv", "w") as f:
        f.write("time,service,container,cpu_cores,memory_bytes\n")
        for t, s, c, cpu, mem in rows:
            f.write(f"{t},{s},{c},{cpu:.4f},{mem}\n")
    with open(f"{args.out}/events.jsonl", "w") as f:
        for e in events:
            f.write(json.dumps(e, sort_keys=True) + "\n")
    versions = {}
    for name, argv in {"nginx": ["nginx", "-v"], "redis": ["redis-server", "--version"], "wrk": ["wrk", "-v"],
                       "postgres": ["pgbench", "--version"]}.items():
        p = subprocess.run(argv, capture_output=True, text=True)
        versions[name] = (p.stdout + p.stderr).strip().splitlines()[0] if (p.stdout + p.stderr).strip() else ""
    json.dump({"started": utc(t0), "days": args.days, "day_seconds": args.day_seconds, "interval": args.interval,
               "seed": args.seed, "cores": os.cpu_count(), "cgroup": "v2" if groups["web"].v2 else "v1",
               "versions": versions, "schedule": plan, "samples": len(rows), "events": len(events)},
              open(f"{args.out}/run.json", "w"), indent=1, sort_keys=True)
    print(f"{len(rows)} samples, {len(events)} events → {args.out}")


if __name__ == "__main__":
    main()
