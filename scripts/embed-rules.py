#!/usr/bin/env python3
"""Kept for muscle memory: scripts/generate writes every generated file; this runs its embedded rule
pack only. Passes --check through."""
import pathlib
import subprocess
import sys

GENERATE = pathlib.Path(__file__).resolve().parent / "generate"
sys.exit(subprocess.run([sys.executable, str(GENERATE), *sys.argv[1:], "rules"]).returncode)
