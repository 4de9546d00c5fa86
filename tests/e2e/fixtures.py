"""Building the fixture workspace and naming its test binaries the way nextest does.

Owns: the fixture paths, `cargo test --no-run` (offline, target dir under build/) and the
binary-id rule (nextest-metadata: lib/proc-macro -> `pkg`, integration test ->
`pkg::target`, other kinds -> `pkg::kind/target`).
"""

import json
import os
import subprocess

E2E = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(E2E, "..", ".."))
WORKSPACE = os.path.join(REPO, "tests", "fixtures", "workspace")
TARGET = os.environ.get("FIXTURES_TARGET", os.path.join(REPO, "build", "fixtures-target"))


def binary_id(package, kind, target):
    if kind in ("lib", "proc-macro", "rlib", "dylib", "cdylib", "staticlib"):
        return package
    if kind == "test":
        return f"{package}::{target}"
    return f"{package}::{kind}/{target}"


def package_name(package_id):
    """Name from a cargo package id: "path+file:///…/dir#name@0.1.0", "path+file:///…/name#0.1.0"
    (name = directory) or the old "name 0.1.0 (path+file:///…)"."""
    if "#" not in package_id:
        return package_id.split(" ")[0]
    url, frag = package_id.rsplit("#", 1)
    return frag.split("@")[0] if "@" in frag else os.path.basename(url)


def build():
    """Builds the fixtures' test binaries; returns [{binary_id, path, kind, package}]."""
    env = dict(os.environ, CARGO_TARGET_DIR=TARGET)
    p = subprocess.run(["cargo", "test", "--no-run", "--offline", "--workspace",
                        "--message-format", "json-render-diagnostics"],
                       cwd=WORKSPACE, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        raise RuntimeError("fixture build failed:\n" + p.stderr.decode(errors="replace")[-4000:])
    out = []
    for line in p.stdout.decode().splitlines():
        msg = json.loads(line)
        if msg.get("reason") != "compiler-artifact" or not msg.get("profile", {}).get("test"):
            continue
        if not msg.get("executable"):
            continue
        target = msg["target"]
        kind = target["kind"][0]
        name = package_name(msg["package_id"])
        out.append({"binary_id": binary_id(name, kind, target["name"]), "path": msg["executable"],
                    "kind": kind, "package": name})
    return out
