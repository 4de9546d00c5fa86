//! Run IDs: random v4 UUIDs (lowercase, hyphenated), or `__NEXTEST_FORCE_RUN_ID`.

pub fn new_run_id() -> String {
    if let Ok(forced) = std::env::var("__NEXTEST_FORCE_RUN_ID") {
        if !forced.is_empty() {
            return forced.to_lowercase();
        }
    }
    let mut b = [0u8; 16];
    crate::sys::random_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}
