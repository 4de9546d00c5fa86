//! crashes: each test dies by a signal in a known function (binary id `xcrash::crashes`).
//! Used by tests/extras/run_extras.py to check crash backtraces and that the runner sees
//! the same outcome with and without the library.

use std::hint::black_box;

#[inline(never)]
fn xc_recurse_forever(depth: u64, pad: &mut [u8; 256]) -> u64 {
    pad[(depth % 256) as usize] = depth as u8;
    let mut next = [0u8; 256];
    // Not a tail call: the result is used after the recursive call returns.
    black_box(xc_recurse_forever(black_box(depth + 1), &mut next)) + pad[0] as u64
}

#[test]
fn xc_stack_overflow() {
    let mut pad = [0u8; 256];
    let n = xc_recurse_forever(0, &mut pad);
    println!("unreachable {n}");
}

#[inline(never)]
fn xc_illegal_instruction() {
    // SAFETY: none; ud2 (udf on aarch64) raises SIGILL on purpose.
    #[cfg(target_arch = "x86_64")]
    unsafe { std::arch::asm!("ud2") };
    #[cfg(target_arch = "aarch64")]
    unsafe { std::arch::asm!("udf #0") };
}

#[test]
fn xc_sigill() {
    xc_illegal_instruction();
}

#[inline(never)]
fn xc_divide_by_zero() {
    // SAFETY: none; dividing by zero in hardware raises SIGFPE on purpose.
    #[cfg(target_arch = "x86_64")]
    unsafe { std::arch::asm!("xor edx, edx", "xor eax, eax", "xor ecx, ecx", "div ecx", out("eax") _, out("edx") _, out("ecx") _) };
    // aarch64's integer division does not trap: the signal is sent instead.
    #[cfg(target_arch = "aarch64")]
    {
        extern "C" {
            fn raise(sig: i32) -> i32;
        }
        // SAFETY: raise(3) with SIGFPE.
        unsafe { raise(8) };
    }
}

#[test]
fn xc_sigfpe() {
    xc_divide_by_zero();
}

#[inline(never)]
fn xc_segv_in_worker() {
    let p = black_box(24usize) as *mut u64;
    // SAFETY: none; the fault is the point.
    unsafe { p.write_volatile(1) };
}

#[test]
fn xc_segv_thread() {
    let h = std::thread::Builder::new().name("xc-worker".into()).spawn(xc_segv_in_worker).unwrap();
    let _ = h.join();
}

#[test]
fn xc_pass() {
    assert_eq!(black_box(2) + 2, 4);
}
