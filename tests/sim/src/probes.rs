//! The arg0 structs of nextest's ten probes (nextest-runner/src/usdt.rs), serialized in
//! declaration order exactly as serde_json would, and the firing helpers.

use crate::json::Obj;
use crate::truth::{self, Arg};

pub struct Common<'a> {
    pub attempt_id: &'a str,
    pub run_id: &'a str,
    pub binary_id: &'a str,
    pub test_name: &'a str,
    pub attempt: u32,
    pub total_attempts: u32,
    pub stress_current: Option<u32>,
    pub stress_total: Option<u32>,
}

fn o32(v: Option<u32>) -> Option<u64> {
    v.map(|x| x as u64)
}

pub struct AttemptStart<'a> {
    pub c: &'a Common<'a>,
    pub pid: u32,
    pub program: &'a str,
    pub args: &'a [String],
    pub global_slot: u64,
    pub group_slot: Option<u64>,
    pub test_group: Option<&'a str>,
}

pub fn attempt_start_json(s: &AttemptStart) -> String {
    Obj::new()
        .str("attempt_id", s.c.attempt_id)
        .str("run_id", s.c.run_id)
        .str("binary_id", s.c.binary_id)
        .str("test_name", s.c.test_name)
        .num("pid", s.pid as u64)
        .str("program", s.program)
        .str_list("args", s.args)
        .num("attempt", s.c.attempt as u64)
        .num("total_attempts", s.c.total_attempts as u64)
        .opt_num("stress_current", o32(s.c.stress_current))
        .opt_num("stress_total", o32(s.c.stress_total))
        .num("global_slot", s.global_slot)
        .opt_num("group_slot", s.group_slot)
        .opt_str("test_group", s.test_group)
        .end()
}

pub fn fire_attempt_start(s: &AttemptStart) {
    let j = attempt_start_json(s);
    truth::fire(
        "test-attempt-start",
        &j,
        &[Arg::Str(s.c.attempt_id), Arg::Str(s.c.binary_id), Arg::Str(s.c.test_name), Arg::Num(s.pid as u64)],
    );
}

pub struct AttemptDone<'a> {
    pub c: &'a Common<'a>,
    pub result: &'a str,
    pub exit_code: Option<i32>,
    pub duration_nanos: u64,
    pub leaked: bool,
    pub time_to_close_fds_nanos: Option<u64>,
    pub stdout_len: Option<u64>,
    pub stderr_len: Option<u64>,
}

pub fn attempt_done_json(d: &AttemptDone) -> String {
    Obj::new()
        .str("attempt_id", d.c.attempt_id)
        .str("run_id", d.c.run_id)
        .str("binary_id", d.c.binary_id)
        .str("test_name", d.c.test_name)
        .num("attempt", d.c.attempt as u64)
        .num("total_attempts", d.c.total_attempts as u64)
        .str("result", d.result)
        .opt_int("exit_code", d.exit_code.map(|x| x as i64))
        .num("duration_nanos", d.duration_nanos)
        .bool("leaked", d.leaked)
        .opt_num("time_to_close_fds_nanos", d.time_to_close_fds_nanos)
        .opt_num("stress_current", o32(d.c.stress_current))
        .opt_num("stress_total", o32(d.c.stress_total))
        .opt_num("stdout_len", d.stdout_len)
        .opt_num("stderr_len", d.stderr_len)
        .end()
}

pub fn fire_attempt_done(d: &AttemptDone) {
    let j = attempt_done_json(d);
    truth::fire(
        "test-attempt-done",
        &j,
        &[Arg::Str(d.c.attempt_id), Arg::Str(d.c.binary_id), Arg::Str(d.c.test_name), Arg::Str(d.result), Arg::Num(d.duration_nanos)],
    );
}

pub fn fire_attempt_slow(c: &Common, elapsed_nanos: u64, will_terminate: bool) {
    let j = Obj::new()
        .str("attempt_id", c.attempt_id)
        .str("run_id", c.run_id)
        .str("binary_id", c.binary_id)
        .str("test_name", c.test_name)
        .num("attempt", c.attempt as u64)
        .num("total_attempts", c.total_attempts as u64)
        .num("elapsed_nanos", elapsed_nanos)
        .bool("will_terminate", will_terminate)
        .opt_num("stress_current", o32(c.stress_current))
        .opt_num("stress_total", o32(c.stress_total))
        .end();
    truth::fire(
        "test-attempt-slow",
        &j,
        &[Arg::Str(c.attempt_id), Arg::Str(c.binary_id), Arg::Str(c.test_name), Arg::Num(elapsed_nanos)],
    );
}

pub struct Script<'a> {
    pub id: &'a str,
    pub run_id: &'a str,
    pub script_id: &'a str,
    pub program: &'a str,
    pub args: &'a [String],
    pub stress_current: Option<u32>,
    pub stress_total: Option<u32>,
}

pub fn fire_script_start(s: &Script, pid: u32) {
    let j = Obj::new()
        .str("id", s.id)
        .str("run_id", s.run_id)
        .str("script_id", s.script_id)
        .num("pid", pid as u64)
        .str("program", s.program)
        .str_list("args", s.args)
        .opt_num("stress_current", o32(s.stress_current))
        .opt_num("stress_total", o32(s.stress_total))
        .end();
    truth::fire("setup-script-start", &j, &[Arg::Str(s.id), Arg::Str(s.script_id), Arg::Num(pid as u64)]);
}

pub fn fire_script_slow(s: &Script, elapsed_nanos: u64, will_terminate: bool) {
    let j = Obj::new()
        .str("id", s.id)
        .str("run_id", s.run_id)
        .str("script_id", s.script_id)
        .str("program", s.program)
        .str_list("args", s.args)
        .num("elapsed_nanos", elapsed_nanos)
        .bool("will_terminate", will_terminate)
        .opt_num("stress_current", o32(s.stress_current))
        .opt_num("stress_total", o32(s.stress_total))
        .end();
    truth::fire("setup-script-slow", &j, &[Arg::Str(s.id), Arg::Str(s.script_id), Arg::Num(elapsed_nanos)]);
}

pub fn fire_script_done(s: &Script, result: &str, exit_code: Option<i32>, duration_nanos: u64, stdout_len: Option<u64>, stderr_len: Option<u64>) {
    let j = Obj::new()
        .str("id", s.id)
        .str("run_id", s.run_id)
        .str("script_id", s.script_id)
        .str("program", s.program)
        .str_list("args", s.args)
        .str("result", result)
        .opt_int("exit_code", exit_code.map(|x| x as i64))
        .num("duration_nanos", duration_nanos)
        .opt_num("stress_current", o32(s.stress_current))
        .opt_num("stress_total", o32(s.stress_total))
        .opt_num("stdout_len", stdout_len)
        .opt_num("stderr_len", stderr_len)
        .end();
    truth::fire(
        "setup-script-done",
        &j,
        &[Arg::Str(s.id), Arg::Str(s.script_id), Arg::Str(result), Arg::Num(duration_nanos)],
    );
}

pub struct RunStart<'a> {
    pub run_id: &'a str,
    pub profile: &'a str,
    pub total_tests: usize,
    pub filter_count: usize,
    pub test_threads: usize,
    pub stress_count: Option<u32>,
    pub stress_infinite: bool,
    pub stress_duration_nanos: Option<u64>,
}

pub fn run_start_json(r: &RunStart) -> String {
    Obj::new()
        .str("run_id", r.run_id)
        .str("profile_name", r.profile)
        .num("total_tests", r.total_tests as u64)
        .num("filter_count", r.filter_count as u64)
        .num("test_threads", r.test_threads as u64)
        .opt_num("stress_count", o32(r.stress_count))
        .bool("stress_infinite", r.stress_infinite)
        .opt_num("stress_duration_nanos", r.stress_duration_nanos)
        .end()
}

pub fn fire_run_start(r: &RunStart) {
    truth::fire("run-start", &run_start_json(r), &[Arg::Str(&truth::uuid_arg(r.run_id))]);
}

pub struct RunDone<'a> {
    pub run_id: &'a str,
    pub profile: &'a str,
    pub total_tests: usize,
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    pub duration_nanos: u64,
    pub paused_nanos: u64,
    pub stress_completed: Option<u32>,
    pub stress_success: Option<u32>,
    pub stress_failed: Option<u32>,
}

pub fn run_done_json(r: &RunDone) -> String {
    Obj::new()
        .str("run_id", r.run_id)
        .str("profile_name", r.profile)
        .num("total_tests", r.total_tests as u64)
        .num("passed", r.passed as u64)
        .num("failed", r.failed as u64)
        .num("skipped", r.skipped as u64)
        .num("duration_nanos", r.duration_nanos)
        .num("paused_nanos", r.paused_nanos)
        .opt_num("stress_completed", o32(r.stress_completed))
        .opt_num("stress_success", o32(r.stress_success))
        .opt_num("stress_failed", o32(r.stress_failed))
        .end()
}

pub fn fire_run_done(r: &RunDone) {
    truth::fire("run-done", &run_done_json(r), &[Arg::Str(&truth::uuid_arg(r.run_id))]);
}

pub struct SubRun<'a> {
    pub id: &'a str,
    pub run_id: &'a str,
    pub profile: &'a str,
    pub stress_current: u32,
    pub stress_total: Option<u32>,
    pub elapsed_nanos: u64,
}

pub fn fire_sub_run_start(s: &SubRun) {
    let j = Obj::new()
        .str("stress_sub_run_id", s.id)
        .str("run_id", s.run_id)
        .str("profile_name", s.profile)
        .num("stress_current", s.stress_current as u64)
        .opt_num("stress_total", o32(s.stress_total))
        .num("elapsed_nanos", s.elapsed_nanos)
        .end();
    truth::fire("stress-sub-run-start", &j, &[Arg::Str(s.id), Arg::Num(s.stress_current as u64)]);
}

pub struct SubRunCounts {
    pub sub_run_duration_nanos: u64,
    pub total_tests: usize,
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

pub fn fire_sub_run_done(s: &SubRun, c: &SubRunCounts) {
    let j = Obj::new()
        .str("stress_sub_run_id", s.id)
        .str("run_id", s.run_id)
        .str("profile_name", s.profile)
        .num("stress_current", s.stress_current as u64)
        .opt_num("stress_total", o32(s.stress_total))
        .num("elapsed_nanos", s.elapsed_nanos)
        .num("sub_run_duration_nanos", c.sub_run_duration_nanos)
        .num("total_tests", c.total_tests as u64)
        .num("passed", c.passed as u64)
        .num("failed", c.failed as u64)
        .num("skipped", c.skipped as u64)
        .end();
    truth::fire("stress-sub-run-done", &j, &[Arg::Str(s.id), Arg::Num(s.stress_current as u64)]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_truth_lines() {
        let c = Common {
            attempt_id: "u:pkg::t$a \"b\"#2",
            run_id: "u",
            binary_id: "pkg::t",
            test_name: "a \"b\"",
            attempt: 2,
            total_attempts: 3,
            stress_current: None,
            stress_total: None,
        };
        let args = vec!["--exact".to_string(), "a \"b\"".to_string(), "--nocapture".to_string()];
        let s = AttemptStart { c: &c, pid: 42, program: "/bin/t", args: &args, global_slot: 1, group_slot: Some(0), test_group: Some("serial") };
        assert_eq!(
            attempt_start_json(&s),
            r##"{"attempt_id":"u:pkg::t$a \"b\"#2","run_id":"u","binary_id":"pkg::t","test_name":"a \"b\"","pid":42,"program":"/bin/t","args":["--exact","a \"b\"","--nocapture"],"attempt":2,"total_attempts":3,"stress_current":null,"stress_total":null,"global_slot":1,"group_slot":0,"test_group":"serial"}"##
        );
        let d = AttemptDone { c: &c, result: "fail", exit_code: Some(7), duration_nanos: 5, leaked: true, time_to_close_fds_nanos: None, stdout_len: Some(13), stderr_len: None };
        let line = crate::truth::line("test-attempt-done", 9, 1, &attempt_done_json(&d), &[Arg::Str(c.attempt_id), Arg::Str(c.binary_id), Arg::Str(c.test_name), Arg::Str("fail"), Arg::Num(5)]);
        assert_eq!(
            line,
            concat!(
                r##"{"probe":"test-attempt-done","t_ns":9,"tid":1,"arg0":"{\"ok\":{\"attempt_id\":\"u:pkg::t$a \\\"b\\\"#2\",\"run_id\":\"u\",\"binary_id\":\"pkg::t\",\"test_name\":\"a \\\"b\\\"\",\"attempt\":2,\"total_attempts\":3,\"result\":\"fail\",\"exit_code\":7,\"duration_nanos\":5,\"leaked\":true,\"time_to_close_fds_nanos\":null,\"stress_current\":null,\"stress_total\":null,\"stdout_len\":13,\"stderr_len\":null}}","args":["u:pkg::t$a \"b\"#2","pkg::t","a \"b\"","fail",5]}"##,
                "\n"
            )
        );
        let r = RunStart { run_id: "u", profile: "default", total_tests: 6, filter_count: 3, test_threads: 2, stress_count: None, stress_infinite: true, stress_duration_nanos: None };
        assert_eq!(
            run_start_json(&r),
            r#"{"run_id":"u","profile_name":"default","total_tests":6,"filter_count":3,"test_threads":2,"stress_count":null,"stress_infinite":true,"stress_duration_nanos":null}"#
        );
        assert_eq!(crate::truth::uuid_arg("u"), r#"{"ok":"u"}"#);
    }
}
