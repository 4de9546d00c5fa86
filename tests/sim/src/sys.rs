//! The few libc functions and constants std does not expose (declared with extern "C").

#![allow(non_camel_case_types)]

use std::os::raw::{c_int, c_long, c_void};

pub type pid_t = i32;

#[repr(C)]
#[derive(Clone, Copy)]
pub struct SigSet {
    pub bits: [u64; 16],
}

#[repr(C)]
pub struct PollFd {
    pub fd: c_int,
    pub events: i16,
    pub revents: i16,
}

#[repr(C)]
pub struct SigAction {
    pub handler: usize,
    pub mask: SigSet,
    pub flags: c_int,
    pub restorer: usize,
}

#[repr(C)]
pub struct Timespec {
    pub sec: i64,
    pub nsec: i64,
}

extern "C" {
    fn pthread_sigmask(how: c_int, set: *const SigSet, old: *mut SigSet) -> c_int;
    fn sigemptyset(set: *mut SigSet) -> c_int;
    fn sigaddset(set: *mut SigSet, sig: c_int) -> c_int;
    pub fn kill(pid: pid_t, sig: c_int) -> c_int;
    pub fn raise(sig: c_int) -> c_int;
    pub fn poll(fds: *mut PollFd, n: u64, timeout: c_int) -> c_int;
    pub fn syscall(num: c_long, ...) -> c_long;
    fn sigaction(sig: c_int, act: *const SigAction, old: *mut SigAction) -> c_int;
    pub fn read(fd: c_int, buf: *mut c_void, n: usize) -> isize;
    fn fcntl(fd: c_int, cmd: c_int, ...) -> c_int;
    fn clock_gettime(clk: c_int, ts: *mut Timespec) -> c_int;
    fn getrandom(buf: *mut c_void, n: usize, flags: u32) -> isize;
    fn isatty(fd: c_int) -> c_int;
    fn sem_init(s: *mut Sem, pshared: c_int, value: u32) -> c_int;
    fn sem_post(s: *mut Sem) -> c_int;
    fn sem_wait(s: *mut Sem) -> c_int;
    fn __errno_location() -> *mut c_int;
}

pub const SIGHUP: c_int = 1;
pub const SIGINT: c_int = 2;
pub const SIGQUIT: c_int = 3;
pub const SIGKILL: c_int = 9;
pub const SIGUSR1: c_int = 10;
pub const SIGTERM: c_int = 15;
pub const SIGCHLD: c_int = 17;
pub const SIGCONT: c_int = 18;
pub const SIGSTOP: c_int = 19;
pub const SIGTSTP: c_int = 20;
pub const POLLIN: i16 = 0x1;
#[cfg(target_arch = "x86_64")]
const SYS_GETTID: c_long = 186;
// aarch64 uses the generic syscall table (186 is semget there).
#[cfg(target_arch = "aarch64")]
const SYS_GETTID: c_long = 178;
const SYS_PIDFD_OPEN: c_long = 434;
const O_NONBLOCK: c_int = 0o4000;
const SA_RESTART: c_int = 0x1000_0000;
const SA_SIGINFO: c_int = 4;

fn one_sig(sig: c_int) -> SigSet {
    let mut s = SigSet { bits: [0; 16] };
    unsafe {
        sigemptyset(&mut s);
        sigaddset(&mut s, sig);
    }
    s
}

/// pthread_sigmask(SIG_BLOCK, {sig}) on the calling thread.
pub fn block_signal(sig: c_int) {
    let s = one_sig(sig);
    unsafe { pthread_sigmask(0, &s, std::ptr::null_mut()) };
}

/// pthread_sigmask(SIG_UNBLOCK, {sig}) on the calling thread.
pub fn unblock_signal(sig: c_int) {
    let s = one_sig(sig);
    unsafe { pthread_sigmask(1, &s, std::ptr::null_mut()) };
}

pub fn gettid() -> i64 {
    unsafe { syscall(SYS_GETTID) as i64 }
}

/// pidfd_open(pid, PIDFD_NONBLOCK) through glibc's syscall(), like tokio's PidfdReaper.
pub fn pidfd_open(pid: u32) -> std::io::Result<std::os::fd::OwnedFd> {
    use std::os::fd::FromRawFd;
    let r = unsafe { syscall(SYS_PIDFD_OPEN, pid as c_long, O_NONBLOCK as c_long) };
    if r < 0 {
        Err(std::io::Error::last_os_error())
    } else {
        Ok(unsafe { std::os::fd::OwnedFd::from_raw_fd(r as c_int) })
    }
}

pub fn set_nonblocking(fd: c_int) {
    unsafe {
        let fl = fcntl(fd, 3);
        fcntl(fd, 4, fl | O_NONBLOCK);
    }
}

/// poll() on a list of (fd, events); returns revents per entry. timeout_ms < 0 = forever.
pub fn poll_fds(fds: &[c_int], timeout_ms: i32) -> Vec<i16> {
    let mut v: Vec<PollFd> = fds.iter().map(|&fd| PollFd { fd, events: POLLIN, revents: 0 }).collect();
    loop {
        let r = unsafe { poll(v.as_mut_ptr(), v.len() as u64, timeout_ms) };
        if r >= 0 {
            return v.iter().map(|p| p.revents).collect();
        }
        if std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
            return vec![0; fds.len()];
        }
    }
}

pub fn read_fd(fd: c_int, buf: &mut [u8]) -> isize {
    unsafe { read(fd, buf.as_mut_ptr() as *mut c_void, buf.len()) }
}

pub fn monotonic_ns() -> u64 {
    let mut ts = Timespec { sec: 0, nsec: 0 };
    unsafe { clock_gettime(1, &mut ts) };
    ts.sec as u64 * 1_000_000_000 + ts.nsec as u64
}

pub fn random_bytes(buf: &mut [u8]) {
    let mut off = 0;
    while off < buf.len() {
        let r = unsafe { getrandom(buf[off..].as_mut_ptr() as *mut c_void, buf.len() - off, 0) };
        if r > 0 {
            off += r as usize;
        }
    }
}

pub fn is_tty(fd: c_int) -> bool {
    unsafe { isatty(fd) == 1 }
}

/// Installs a signal handler the way tokio's signal driver (signal-hook-registry) does:
/// sigaction with SA_SIGINFO | SA_RESTART (flags 0x10000004 observed on real nextest by the
/// protocol check). The handler only looks at its first argument.
pub fn install_handler(sig: c_int, handler: extern "C" fn(c_int)) {
    let act = SigAction { handler: handler as usize, mask: SigSet { bits: [0; 16] }, flags: SA_SIGINFO | SA_RESTART, restorer: 0 };
    unsafe { sigaction(sig, &act, std::ptr::null_mut()) };
}

/// An unnamed POSIX semaphore (glibc's sem_t: 32 bytes on 64-bit targets).
#[repr(C, align(8))]
pub struct Sem([u8; 32]);

impl Sem {
    pub const ZERO: Sem = Sem([0; 32]);
}

pub fn sem_init_private(s: *mut Sem) -> bool {
    unsafe { sem_init(s, 0, 0) == 0 }
}

/// sem_post from a signal handler: async-signal-safe, errno preserved.
pub fn sem_post_keep_errno(s: *mut Sem) {
    unsafe {
        let e = *__errno_location();
        sem_post(s);
        *__errno_location() = e;
    }
}

/// Waits for one post (retrying when a signal interrupts the wait).
pub fn sem_wait_one(s: *mut Sem) -> bool {
    loop {
        if unsafe { sem_wait(s) } == 0 {
            return true;
        }
        if std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
            return false;
        }
    }
}
