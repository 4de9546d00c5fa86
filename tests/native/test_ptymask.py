"""test_ptymask: the PTY masks of run_native.py on the `Nextest run ID` line as real
nextest draws it (`nextest-runner/src/reporter/displayer/imp.rs`, cargo-nextest 0.9.143):
two runs' lines mask to the same bytes and the same width, whether the run id is plain or
has its unique prefix highlighted; what does not vary is left as it was."""

import run_native
import ptyrun

A = "6a9012bd-cafe-4bee-8d0f-0123456789ab"
B = "e1f2a3b4-0c9d-4e8f-a7b6-c5d4e3f2a1b0"
HBAR = b"\x1b[32m" + "\u2500".encode() * 12 + b"\x1b[0m\n"


def plain(run_id, profile=b"default"):
    """RunStarted as 0.9.143 writes it without a recording: the id in the count style."""
    return (HBAR + b"\x1b[32;1m Nextest run\x1b[0m ID \x1b[1m" + run_id.encode() + b"\x1b[0m"
            b" with nextest profile: \x1b[1m" + profile + b"\x1b[0m\n")


def highlighted(run_id, prefix_len):
    """The same with a recording: the shortest unique prefix in one style, the rest in
    another (run_id_prefix, run_id_rest)."""
    return (HBAR + b"\x1b[32;1m Nextest run\x1b[0m ID \x1b[35;1m" + run_id[:prefix_len].encode()
            + b"\x1b[0m\x1b[90m" + run_id[prefix_len:].encode() + b"\x1b[0m"
            b" with nextest profile: \x1b[1mdefault\x1b[0m\n")


def test_plain_run_ids_mask_alike():
    # hex letters vary as much as digits: masking only digits left `#a####bd-cafe-…`
    a, b = run_native.pty_mask(plain(A)), run_native.pty_mask(plain(B))
    assert a == b
    assert b"#" * 8 + b"-" + b"#" * 4 in a
    assert ptyrun.render(a, 80) == ptyrun.render(b, 80)


def test_highlighted_prefixes_of_any_length_mask_alike():
    forms = {run_native.pty_mask(highlighted(rid, n)) for rid in (A, B) for n in (1, 2, 5)}
    assert len(forms) == 1
    rendered = ptyrun.render(forms.pop(), 80)
    assert b"Nextest run ID " + b"#" * 8 + b"-" in rendered


def test_masked_line_keeps_its_width():
    for data in (plain(A), highlighted(B, 3)):
        masked = ptyrun.render(run_native.pty_mask(data), 80).split(b"\n")
        assert [len(x) for x in masked] == [len(x) for x in ptyrun.render(data, 80).split(b"\n")]


def test_what_does_not_vary_is_kept():
    # the profile name differs: that difference must survive the masks
    assert run_native.pty_mask(plain(A, b"default")) != run_native.pty_mask(plain(A, b"ci"))
    # hex-looking words next to colours are no UUID: left alone
    text = b"\x1b[1mface\x1b[0m\x1b[1mbead\x1b[0m 12 cafe\n"
    assert run_native.pty_mask(text) == text


def test_run_id_of_either_form():
    assert run_native.run_id_of(plain(A)) == A
    assert run_native.run_id_of(highlighted(B, 2)) == B
    assert run_native.run_id_of(b"Starting 3 tests\n") is None
