//! Reaping like tokio 1.53: a pidfd (pidfd_open, PIDFD_NONBLOCK) polled on a thread other than the
//! spawner, then `Child::try_wait` (waitpid WNOHANG). The older SIGCHLD reaper: a sigaction
//! handler, and a waitpid(WNOHANG) poll of every live child after each SIGCHLD.

use crate::sys;
use std::os::fd::OwnedFd;
use std::process::{Child, ExitStatus};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Once};

static SIGCHLD_GEN: AtomicU64 = AtomicU64::new(0);
static INSTALL: Once = Once::new();

extern "C" fn on_sigchld(_: i32) {
    SIGCHLD_GEN.fetch_add(1, Ordering::SeqCst);
}

pub struct Reaper {
    /// Set once the exit status has been consumed (tokio's `child.id()` is then None).
    pub reaped: Arc<AtomicBool>,
}

impl Reaper {
    /// kill(-pgid or pid, sig) unless the child has already been reaped.
    pub fn kill(&self, target: i32, sig: i32) {
        if !self.reaped.load(Ordering::SeqCst) {
            unsafe { sys::kill(target, sig) };
        }
    }
}

/// Opens the pidfd (tokio's `build_child`, on the spawning thread right after spawn); None in
/// SIGCHLD mode or when pidfd_open fails (then tokio falls back to the signal reaper).
pub fn open(child: &Child, sigchld: bool) -> Option<OwnedFd> {
    if sigchld {
        None
    } else {
        sys::pidfd_open(child.id()).ok()
    }
}

/// Starts reaping `child` on its own thread; the exit status goes to `tx` through `wrap`.
/// `pidfd` is polled, not owned: the unit's `Fds` owns it and closes it when it takes the exit
/// status, which this thread sends only after its last poll.
pub fn start<E: Send + 'static>(mut child: Child, pidfd: Option<i32>, tx: Sender<E>, wrap: fn(std::io::Result<ExitStatus>) -> E) -> Reaper {
    let reaped = Arc::new(AtomicBool::new(false));
    if pidfd.is_none() {
        INSTALL.call_once(|| sys::install_handler(sys::SIGCHLD, on_sigchld));
    }
    let raw = pidfd;
    let flag = reaped.clone();
    std::thread::Builder::new()
        .name("nextest-sim-reaper".into())
        .spawn(move || {
            let res = match raw {
                Some(fd) => loop {
                    let r = sys::poll_fds(&[fd], -1);
                    if r[0] != 0 {
                        match child.try_wait() {
                            Ok(Some(st)) => break Ok(st),
                            Ok(None) => continue,
                            Err(e) => break Err(e),
                        }
                    }
                },
                None => {
                    let mut seen = SIGCHLD_GEN.load(Ordering::SeqCst);
                    loop {
                        match child.try_wait() {
                            Ok(Some(st)) => break Ok(st),
                            Ok(None) => {}
                            Err(e) => break Err(e),
                        }
                        // Wait for the next SIGCHLD (any child's), then poll again.
                        loop {
                            let now = SIGCHLD_GEN.load(Ordering::SeqCst);
                            if now != seen {
                                seen = now;
                                break;
                            }
                            std::thread::sleep(std::time::Duration::from_micros(500));
                        }
                    }
                }
            };
            flag.store(true, Ordering::SeqCst);
            let _ = tx.send(wrap(res));
        })
        .expect("spawn reaper thread");
    Reaper { reaped }
}
