//! A TOML subset parser for `.config/nextest.toml`: tables, arrays of tables, strings, integers,
//! booleans, arrays and inline tables. Comments and blank lines are skipped.

#[derive(Clone, Debug, PartialEq)]
pub enum Toml {
    Str(String),
    Int(i64),
    Bool(bool),
    Arr(Vec<Toml>),
    Table(Vec<(String, Toml)>),
}

impl Toml {
    pub fn get(&self, key: &str) -> Option<&Toml> {
        match self {
            Toml::Table(kv) => kv.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    pub fn path(&self, keys: &[&str]) -> Option<&Toml> {
        let mut cur = self;
        for k in keys {
            cur = cur.get(k)?;
        }
        Some(cur)
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Toml::Str(s) => Some(s),
            _ => None,
        }
    }
    pub fn entries(&self) -> &[(String, Toml)] {
        match self {
            Toml::Table(kv) => kv,
            _ => &[],
        }
    }
    pub fn items(&self) -> &[Toml] {
        match self {
            Toml::Arr(a) => a,
            _ => &[],
        }
    }
    fn table_mut(&mut self, key: &str) -> &mut Toml {
        let Toml::Table(kv) = self else { panic!("not a table") };
        if let Some(i) = kv.iter().position(|(k, _)| k == key) {
            return &mut kv[i].1;
        }
        kv.push((key.to_string(), Toml::Table(Vec::new())));
        &mut kv.last_mut().unwrap().1
    }
}

pub fn parse(src: &str) -> Result<Toml, String> {
    let mut root = Toml::Table(Vec::new());
    let mut current: Vec<String> = Vec::new();
    let mut p = P { c: src.chars().collect(), i: 0, line: 1 };
    loop {
        p.skip_ws_nl();
        let Some(c) = p.peek() else { break };
        if c == '[' {
            p.i += 1;
            let array = p.peek() == Some('[');
            if array {
                p.i += 1;
            }
            let keys = p.key_path(']')?;
            p.expect(']')?;
            if array {
                p.expect(']')?;
                let (last, parents) = keys.split_last().ok_or("empty header")?;
                let mut t = &mut root;
                for k in parents {
                    t = descend(t, k)?;
                }
                let Toml::Table(kv) = t else { return Err("bad array of tables".into()) };
                let idx = match kv.iter().position(|(k, _)| k == last) {
                    Some(i) => i,
                    None => {
                        kv.push((last.clone(), Toml::Arr(Vec::new())));
                        kv.len() - 1
                    }
                };
                if let Toml::Arr(a) = &mut kv[idx].1 {
                    a.push(Toml::Table(Vec::new()));
                } else {
                    return Err(format!("{last} is not an array of tables"));
                }
            } else {
                let mut t = &mut root;
                for k in &keys {
                    t = descend(t, k)?;
                }
            }
            current = keys;
            p.end_of_line()?;
            continue;
        }
        let keys = p.key_path('=')?;
        p.expect('=')?;
        let v = p.value()?;
        p.end_of_line()?;
        let mut t = &mut root;
        for k in &current {
            t = descend(t, k)?;
        }
        let (last, parents) = keys.split_last().ok_or("empty key")?;
        for k in parents {
            t = t.table_mut(k);
        }
        if let Toml::Table(kv) = t {
            kv.push((last.clone(), v));
        }
    }
    Ok(root)
}

/// Walks into `key`, entering the last element when it is an array of tables.
fn descend<'a>(t: &'a mut Toml, key: &str) -> Result<&'a mut Toml, String> {
    let next = t.table_mut(key);
    match next {
        Toml::Arr(a) => a.last_mut().ok_or_else(|| format!("empty array {key}")),
        other => Ok(other),
    }
}

struct P {
    c: Vec<char>,
    i: usize,
    line: usize,
}

impl P {
    fn peek(&self) -> Option<char> {
        self.c.get(self.i).copied()
    }
    fn err<T>(&self, m: &str) -> Result<T, String> {
        Err(format!("nextest.toml line {}: {m}", self.line))
    }
    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(' ') | Some('\t')) {
            self.i += 1;
        }
    }
    fn skip_ws_nl(&mut self) {
        loop {
            match self.peek() {
                Some(' ') | Some('\t') | Some('\r') => self.i += 1,
                Some('\n') => {
                    self.line += 1;
                    self.i += 1
                }
                Some('#') => {
                    while !matches!(self.peek(), None | Some('\n')) {
                        self.i += 1;
                    }
                }
                _ => break,
            }
        }
    }
    fn expect(&mut self, c: char) -> Result<(), String> {
        self.skip_ws();
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            self.err(&format!("expected {c:?}"))
        }
    }
    fn end_of_line(&mut self) -> Result<(), String> {
        self.skip_ws();
        match self.peek() {
            None | Some('\n') | Some('#') | Some('\r') => Ok(()),
            _ => self.err("trailing characters"),
        }
    }
    fn key(&mut self) -> Result<String, String> {
        self.skip_ws();
        match self.peek() {
            Some('"') | Some('\'') => self.string(),
            _ => {
                let s = self.i;
                while matches!(self.peek(), Some(c) if c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                    self.i += 1;
                }
                if s == self.i {
                    return self.err("expected a key");
                }
                Ok(self.c[s..self.i].iter().collect())
            }
        }
    }
    fn key_path(&mut self, _end: char) -> Result<Vec<String>, String> {
        let mut keys = vec![self.key()?];
        loop {
            self.skip_ws();
            if self.peek() == Some('.') {
                self.i += 1;
                keys.push(self.key()?);
            } else {
                return Ok(keys);
            }
        }
    }
    fn string(&mut self) -> Result<String, String> {
        let q = self.peek().unwrap();
        self.i += 1;
        let mut out = String::new();
        loop {
            let Some(c) = self.peek() else { return self.err("unterminated string") };
            self.i += 1;
            if c == q {
                return Ok(out);
            }
            if c == '\n' {
                return self.err("newline in string");
            }
            if c == '\\' && q == '"' {
                let Some(e) = self.peek() else { return self.err("bad escape") };
                self.i += 1;
                match e {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    '"' => out.push('"'),
                    '\\' => out.push('\\'),
                    'u' => {
                        let h: String = self.c[self.i..(self.i + 4).min(self.c.len())].iter().collect();
                        self.i += 4;
                        let cp = u32::from_str_radix(&h, 16).map_err(|_| "bad \\u".to_string())?;
                        out.push(char::from_u32(cp).unwrap_or('\u{fffd}'));
                    }
                    _ => return self.err("bad escape"),
                }
            } else {
                out.push(c);
            }
        }
    }
    fn value(&mut self) -> Result<Toml, String> {
        self.skip_ws();
        match self.peek() {
            Some('"') | Some('\'') => Ok(Toml::Str(self.string()?)),
            Some('[') => {
                self.i += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_ws_nl();
                    if self.peek() == Some(']') {
                        self.i += 1;
                        return Ok(Toml::Arr(items));
                    }
                    items.push(self.value()?);
                    self.skip_ws_nl();
                    match self.peek() {
                        Some(',') => self.i += 1,
                        Some(']') => {}
                        _ => return self.err("bad array"),
                    }
                }
            }
            Some('{') => {
                self.i += 1;
                let mut kv = Vec::new();
                loop {
                    self.skip_ws();
                    if self.peek() == Some('}') {
                        self.i += 1;
                        return Ok(Toml::Table(kv));
                    }
                    let k = self.key()?;
                    self.expect('=')?;
                    let v = self.value()?;
                    kv.push((k, v));
                    self.skip_ws();
                    match self.peek() {
                        Some(',') => self.i += 1,
                        Some('}') => {}
                        _ => return self.err("bad inline table"),
                    }
                }
            }
            _ => {
                let s = self.i;
                while matches!(self.peek(), Some(c) if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '+') {
                    self.i += 1;
                }
                let w: String = self.c[s..self.i].iter().collect();
                match w.as_str() {
                    "true" => Ok(Toml::Bool(true)),
                    "false" => Ok(Toml::Bool(false)),
                    _ => w.replace('_', "").parse().map(Toml::Int).or_else(|_| self.err(&format!("bad value {w:?}"))),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_nextest_config_shapes() {
        let t = parse(
            "experimental = [\"setup-scripts\"]\n[profile.default]\nslow-timeout = { period = \"1s\", terminate-after = 2 }\n\
             retries = 3 # c\n[[profile.g.overrides]]\nfilter = 'test(a)'\n[[profile.g.overrides]]\nfilter = 'test(b)'\n",
        )
        .unwrap();
        assert_eq!(t.path(&["profile", "default", "retries"]), Some(&Toml::Int(3)));
        assert_eq!(t.path(&["profile", "default", "slow-timeout", "period"]).and_then(|v| v.as_str()), Some("1s"));
        assert_eq!(t.path(&["profile", "g", "overrides"]).unwrap().items().len(), 2);
        assert_eq!(t.get("experimental").unwrap().items()[0].as_str(), Some("setup-scripts"));
    }
}
