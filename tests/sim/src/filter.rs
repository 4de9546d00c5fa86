//! A subset of nextest's filterset language: test(), binary(), binary_id(), package(), kind(),
//! all(), none(), not/!, and/&, or/|/+, `-`, parentheses. Matchers: `=exact`, `~contains`,
//! `#glob`, `/regex/` (approximated as contains); default is contains for test(), glob otherwise.

#[derive(Debug, Clone)]
pub enum Expr {
    All,
    None,
    Test(Matcher),
    Binary(Matcher),
    BinaryId(Matcher),
    Package(Matcher),
    Kind(Matcher),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
}

#[derive(Debug, Clone)]
pub enum Matcher {
    Exact(String),
    Contains(String),
    Glob(String),
}

pub struct Query<'a> {
    pub binary_id: &'a str,
    pub binary_name: &'a str,
    pub package: &'a str,
    pub kind: &'a str,
    pub test_name: &'a str,
}

impl Matcher {
    fn is_match(&self, s: &str) -> bool {
        match self {
            Matcher::Exact(m) => s == m,
            Matcher::Contains(m) => s.contains(m.as_str()),
            Matcher::Glob(g) => glob(g.as_bytes(), s.as_bytes()),
        }
    }
}

fn glob(p: &[u8], s: &[u8]) -> bool {
    match p.first() {
        None => s.is_empty(),
        Some(b'*') => (0..=s.len()).any(|i| glob(&p[1..], &s[i..])),
        Some(b'?') => !s.is_empty() && glob(&p[1..], &s[1..]),
        Some(c) => s.first() == Some(c) && glob(&p[1..], &s[1..]),
    }
}

impl Expr {
    pub fn matches(&self, q: &Query) -> bool {
        match self {
            Expr::All => true,
            Expr::None => false,
            Expr::Test(m) => m.is_match(q.test_name),
            Expr::Binary(m) => m.is_match(q.binary_name),
            Expr::BinaryId(m) => m.is_match(q.binary_id),
            Expr::Package(m) => m.is_match(q.package),
            Expr::Kind(m) => m.is_match(q.kind),
            Expr::Not(e) => !e.matches(q),
            Expr::And(a, b) => a.matches(q) && b.matches(q),
            Expr::Or(a, b) => a.matches(q) || b.matches(q),
        }
    }
}

pub fn parse(s: &str) -> Result<Expr, String> {
    let mut p = P { c: s.chars().collect(), i: 0 };
    let e = p.or()?;
    p.ws();
    if p.i != p.c.len() {
        return Err(format!("unsupported filterset {s:?}"));
    }
    Ok(e)
}

struct P {
    c: Vec<char>,
    i: usize,
}

impl P {
    fn ws(&mut self) {
        while self.c.get(self.i).is_some_and(|c| c.is_whitespace()) {
            self.i += 1;
        }
    }
    fn word(&mut self, w: &str) -> bool {
        self.ws();
        let end = self.i + w.chars().count();
        if end <= self.c.len() && self.c[self.i..end].iter().collect::<String>() == w {
            let next = self.c.get(end);
            if w.chars().all(|c| c.is_alphabetic()) && next.is_some_and(|c| c.is_alphanumeric() || *c == '_') {
                return false;
            }
            self.i = end;
            return true;
        }
        false
    }
    fn or(&mut self) -> Result<Expr, String> {
        let mut e = self.and()?;
        while self.word("|") || self.word("+") || self.word("or") {
            e = Expr::Or(Box::new(e), Box::new(self.and()?));
        }
        Ok(e)
    }
    fn and(&mut self) -> Result<Expr, String> {
        let mut e = self.unary()?;
        loop {
            if self.word("&") || self.word("and") {
                e = Expr::And(Box::new(e), Box::new(self.unary()?));
            } else if self.word("-") {
                e = Expr::And(Box::new(e), Box::new(Expr::Not(Box::new(self.unary()?))));
            } else {
                return Ok(e);
            }
        }
    }
    fn unary(&mut self) -> Result<Expr, String> {
        if self.word("not") || self.word("!") {
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if self.word("(") {
            let e = self.or()?;
            if !self.word(")") {
                return Err("missing )".into());
            }
            return Ok(e);
        }
        self.ws();
        let s = self.i;
        while self.c.get(self.i).is_some_and(|c| c.is_alphanumeric() || *c == '_') {
            self.i += 1;
        }
        let name: String = self.c[s..self.i].iter().collect();
        if !self.word("(") {
            return Err(format!("expected ( after {name:?}"));
        }
        let mut depth = 0;
        let s = self.i;
        while let Some(&c) = self.c.get(self.i) {
            if c == '(' {
                depth += 1;
            } else if c == ')' {
                if depth == 0 {
                    break;
                }
                depth -= 1;
            }
            self.i += 1;
        }
        let arg: String = self.c[s..self.i].iter().collect::<String>().trim().to_string();
        if !self.word(")") {
            return Err("missing )".into());
        }
        let m = |default_glob: bool| -> Matcher {
            if let Some(r) = arg.strip_prefix('=') {
                Matcher::Exact(r.into())
            } else if let Some(r) = arg.strip_prefix('~') {
                Matcher::Contains(r.into())
            } else if let Some(r) = arg.strip_prefix('#') {
                Matcher::Glob(r.into())
            } else if arg.len() >= 2 && arg.starts_with('/') && arg.ends_with('/') {
                Matcher::Contains(arg[1..arg.len() - 1].into())
            } else if default_glob {
                Matcher::Glob(arg.clone())
            } else {
                Matcher::Contains(arg.clone())
            }
        };
        Ok(match name.as_str() {
            "all" => Expr::All,
            "none" => Expr::None,
            "test" => Expr::Test(m(false)),
            "binary" => Expr::Binary(m(true)),
            "binary_id" => Expr::BinaryId(m(true)),
            "package" => Expr::Package(m(true)),
            "kind" => Expr::Kind(m(false)),
            _ => return Err(format!("unsupported filterset function {name}()")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evaluates() {
        let q = Query { binary_id: "p::t", binary_name: "t", package: "p", kind: "test", test_name: "a::group_x" };
        assert!(parse("test(group_)").unwrap().matches(&q));
        assert!(parse("all()").unwrap().matches(&q));
        assert!(!parse("not all()").unwrap().matches(&q));
        assert!(parse("binary(t) & test(=a::group_x)").unwrap().matches(&q));
        assert!(parse("binary_id(p::*) - test(zzz)").unwrap().matches(&q));
        assert!(!parse("package(q) | test(zzz)").unwrap().matches(&q));
    }
}
