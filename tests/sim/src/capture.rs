//! Reading a child's output like nextest's ChildAccumulator: Split pipes are non-blocking and
//! read 4 KiB at a time by the unit's own thread; a Combined pipe is read with blocking reads on a
//! separate thread (tokio::fs::File on the blocking pool). The unit also waits for the reaper here.

use crate::sys;
use std::os::fd::{AsRawFd, OwnedFd};
use std::process::ExitStatus;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::time::{Duration, Instant};

pub const CHUNK: usize = 4096;
const TICK: Duration = Duration::from_millis(20);

pub enum Ev {
    Exited(std::io::Result<ExitStatus>),
    Data(usize, Vec<u8>),
    Eof(usize),
    ReadErr(usize),
}

pub enum Wait {
    Ev(Ev),
    Timeout,
    Tick,
}

pub struct Fds {
    split: [Option<OwnedFd>; 2],
    done: [bool; 3],
    combined: bool,
    pending_combined: Option<OwnedFd>,
    release: Option<Sender<()>>,
    reader: Option<std::thread::JoinHandle<()>>,
    pub out: [Vec<u8>; 3],
    pub errors: usize,
    pub pidfd: Option<i32>,
    pidfd_owned: Option<OwnedFd>,
    pub reaped: bool,
    pub sigchld: bool,
    /// Set while a unit supervises its test: `wait` ticks every signals::UNIT_LOOK so the unit
    /// sees a request about at once.
    pub watch: bool,
    /// The next `wait` returns Tick at once (a request made before the unit waited).
    pub kick: bool,
}

impl Fds {
    /// `stdout`/`stderr` are Split read ends (already non-blocking);
    /// `combined` is kept until `start_reading` hands it to a blocking reader thread.
    pub fn new(stdout: Option<OwnedFd>, stderr: Option<OwnedFd>, combined: Option<OwnedFd>, pidfd_owned: Option<OwnedFd>, sigchld: bool) -> Fds {
        let pidfd = pidfd_owned.as_ref().map(|f| f.as_raw_fd());
        let done = [stdout.is_none(), stderr.is_none(), combined.is_none()];
        // (the Split ends were made non-blocking by spawn::spawn, as tokio does)
        let is_combined = combined.is_some();
        Fds { split: [stdout, stderr], done, combined: is_combined, pending_combined: combined, release: None, reader: None, out: [Vec::new(), Vec::new(), Vec::new()], errors: 0, pidfd, pidfd_owned, reaped: false, sigchld, watch: false, kick: false }
    }

    /// Starts the Combined reader thread (reads begin when the unit is first polled in nextest).
    pub fn start_reading(&mut self, tx: &Sender<Ev>) {
        if let Some(fd) = self.pending_combined.take() {
            let (rel_tx, rel_rx) = std::sync::mpsc::channel::<()>();
            self.release = Some(rel_tx);
            let tx = tx.clone();
            self.reader = Some(
                std::thread::Builder::new()
                    .name("nextest-sim-blocking".into())
                    .spawn(move || combined_reader(fd, tx, rel_rx))
                    .expect("reader thread"),
            );
        }
    }

    pub fn is_done(&self) -> bool {
        self.done.iter().all(|d| *d)
    }

    /// Bytes read: Split → (stdout, stderr); Combined → (total, None); none → (None, None).
    pub fn lens(&self) -> (Option<u64>, Option<u64>) {
        if self.combined {
            (Some(self.out[2].len() as u64), None)
        } else if self.split[0].is_some() || self.split[1].is_some() {
            (Some(self.out[0].len() as u64), Some(self.out[1].len() as u64))
        } else {
            (None, None)
        }
    }

    pub fn apply(&mut self, ev: &Ev) {
        match ev {
            Ev::Data(i, d) => self.out[*i].extend_from_slice(d),
            Ev::Eof(i) => self.done[*i] = true,
            Ev::ReadErr(i) => {
                self.done[*i] = true;
                self.errors += 1;
            }
            // The pidfd is closed as soon as the exit status is taken, before the read ends:
            // tokio's pidfd reaper drops it when the wait completes, so real nextest closes it
            // right after waitpid, on the task's thread (protocol check; tokio 1.53
            // `process/unix/pidfd_reaper.rs`).
            Ev::Exited(_) => {
                self.reaped = true;
                self.pidfd = None;
                drop(self.pidfd_owned.take());
            }
        }
    }

    /// Waits for the next event (output, EOF, exit), the deadline, or a tick (to check signals).
    /// `read_output` = false waits for the exit only (nextest's `break child.wait().await`).
    pub fn wait(&mut self, rx: &Receiver<Ev>, deadline: Option<Instant>, read_output: bool) -> Wait {
        loop {
            match rx.try_recv() {
                Ok(ev) => return Wait::Ev(ev),
                Err(TryRecvError::Empty) | Err(TryRecvError::Disconnected) => {}
            }
            if std::mem::take(&mut self.kick) {
                return Wait::Tick;
            }
            let now = Instant::now();
            let mut timeout = TICK;
            if let Some(d) = deadline {
                if d <= now {
                    return Wait::Timeout;
                }
                timeout = timeout.min(d - now);
            }
            if self.sigchld && !self.reaped {
                timeout = timeout.min(Duration::from_millis(1));
            }
            let mut fds: Vec<(i32, Option<usize>)> = Vec::new();
            if read_output {
                for i in 0..2 {
                    if !self.done[i] {
                        if let Some(f) = &self.split[i] {
                            fds.push((f.as_raw_fd(), Some(i)));
                        }
                    }
                }
            }
            if !self.reaped {
                if let Some(p) = self.pidfd {
                    fds.push((p, None));
                }
            }
            if fds.is_empty() {
                match rx.recv_timeout(timeout) {
                    Ok(ev) => return Wait::Ev(ev),
                    Err(RecvTimeoutError::Timeout) => {
                        if deadline.is_some_and(|d| d <= Instant::now()) {
                            return Wait::Timeout;
                        }
                        return Wait::Tick;
                    }
                    Err(RecvTimeoutError::Disconnected) => return Wait::Tick,
                }
            }
            let raw: Vec<i32> = fds.iter().map(|f| f.0).collect();
            if self.watch {
                timeout = timeout.min(crate::signals::UNIT_LOOK);
            }
            let ms = timeout.as_micros().div_ceil(1000) as i32;
            let rev = sys::poll_fds(&raw, ms);
            let mut any = false;
            for (k, (fd, which)) in fds.iter().enumerate() {
                if rev[k] == 0 {
                    continue;
                }
                any = true;
                match which {
                    Some(i) => {
                        let mut buf = vec![0u8; CHUNK];
                        let n = sys::read_fd(*fd, &mut buf);
                        if n > 0 {
                            buf.truncate(n as usize);
                            return Wait::Ev(Ev::Data(*i, buf));
                        } else if n == 0 {
                            return Wait::Ev(Ev::Eof(*i));
                        } else {
                            let e = std::io::Error::last_os_error();
                            if e.kind() != std::io::ErrorKind::WouldBlock && e.kind() != std::io::ErrorKind::Interrupted {
                                return Wait::Ev(Ev::ReadErr(*i));
                            }
                        }
                    }
                    None => {
                        // The pidfd is readable: the reaper thread is collecting the status now.
                        if let Ok(ev) = rx.recv() {
                            return Wait::Ev(ev);
                        }
                    }
                }
            }
            if !any {
                if deadline.is_some_and(|d| d <= Instant::now()) {
                    return Wait::Timeout;
                }
                return Wait::Tick;
            }
        }
    }

    /// Drops the read ends (nextest drops the accumulator at the end of the attempt).
    /// The Combined read end is closed before this returns once its reader saw EOF (real nextest
    /// closes it there, after the reap; protocol check); a reader still blocked in read (a leak)
    /// closes it whenever that read returns, as a blocking-pool read does.
    pub fn close(self) {
        drop(self.split);
        drop(self.pending_combined);
        drop(self.release);
        if self.done[2] {
            if let Some(h) = self.reader {
                let _ = h.join();
            }
        }
    }
}

fn combined_reader(fd: OwnedFd, tx: Sender<Ev>, release: Receiver<()>) {
    let raw = fd.as_raw_fd();
    loop {
        let mut buf = vec![0u8; CHUNK];
        let n = sys::read_fd(raw, &mut buf);
        if n > 0 {
            buf.truncate(n as usize);
            if tx.send(Ev::Data(2, buf)).is_err() {
                break;
            }
            if matches!(release.try_recv(), Err(TryRecvError::Disconnected)) {
                break;
            }
        } else if n == 0 {
            let _ = tx.send(Ev::Eof(2));
            let _ = release.recv();
            break;
        } else {
            let e = std::io::Error::last_os_error();
            if e.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            let _ = tx.send(Ev::ReadErr(2));
            let _ = release.recv();
            break;
        }
    }
    drop(fd);
}
