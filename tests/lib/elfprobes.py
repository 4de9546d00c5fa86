"""elfprobes: which USDT probes bpftrace finds in an ELF object.

Owns: `bpftrace -l usdt:<path>:<provider>:*`, read back as probe names — the contract
test's listing check (tests/contract) and the choice of a native-probe runner
(tests/native/finder.py) ask it the same way.
"""
import subprocess


def bpftrace_list(path, provider="nextest", timeout=120):
    """(bpftrace's exit code, [probe names, sorted, repeats kept], its stderr) for the
    probes of `provider` that bpftrace lists in the ELF object at the absolute `path`.
    Raises OSError or subprocess.TimeoutExpired when bpftrace cannot run."""
    p = subprocess.run(["bpftrace", "-l", f"usdt:{path}:{provider}:*"], capture_output=True,
                       text=True, errors="replace", timeout=timeout)
    names = sorted(line.strip().rsplit(":", 1)[-1] for line in p.stdout.splitlines()
                   if f":{provider}:" in line)
    return p.returncode, names, p.stderr
