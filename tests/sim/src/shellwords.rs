//! shell-words 1.1.x `join`/`quote`/`split`, re-implemented (nextest uses it for double-spawn argv).

fn needs_quotes(s: &str) -> (bool, bool) {
    // (special, mixed)
    if s.is_empty() {
        return (true, false);
    }
    let mut special = false;
    let mut mixed = false;
    for c in s.chars() {
        match c {
            '\n' | '\'' => {
                special = true;
                mixed = true;
            }
            '|' | '&' | ';' | '<' | '>' | '(' | ')' | '$' | '`' | '\\' | '"' | ' ' | '\t' | '*' | '?' | '['
            | '#' | '\u{2dc}' | '=' | '%' => special = true,
            _ => {}
        }
    }
    (special, mixed)
}

pub fn quote(s: &str) -> String {
    match needs_quotes(s) {
        (false, _) => s.to_string(),
        (true, false) => format!("'{s}'"),
        (true, true) => {
            let mut q = String::from("'");
            for c in s.chars() {
                if c == '\'' {
                    q.push_str("'\\''");
                } else {
                    q.push(c);
                }
            }
            q.push('\'');
            q
        }
    }
}

pub fn join<S: AsRef<str>>(words: &[S]) -> String {
    words.iter().map(|w| quote(w.as_ref())).collect::<Vec<_>>().join(" ")
}

#[derive(Clone, Copy)]
enum St {
    Delim,
    Backslash,
    Unquoted,
    UnquotedBackslash,
    Single,
    Double,
    DoubleBackslash,
    Comment,
}

/// Splits like shell_words::split; Err on unterminated quotes.
pub fn split(s: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut chars = s.chars();
    let mut st = St::Delim;
    loop {
        let c = chars.next();
        st = match st {
            St::Delim => match c {
                None => break,
                Some('\'') => St::Single,
                Some('"') => St::Double,
                Some('\\') => St::Backslash,
                Some('\t') | Some(' ') | Some('\n') => St::Delim,
                Some('#') => St::Comment,
                Some(c) => {
                    word.push(c);
                    St::Unquoted
                }
            },
            St::Backslash => match c {
                None => {
                    word.push('\\');
                    words.push(std::mem::take(&mut word));
                    break;
                }
                Some('\n') => St::Delim,
                Some(c) => {
                    word.push(c);
                    St::Unquoted
                }
            },
            St::Unquoted => match c {
                None => {
                    words.push(std::mem::take(&mut word));
                    break;
                }
                Some('\'') => St::Single,
                Some('"') => St::Double,
                Some('\\') => St::UnquotedBackslash,
                Some('\t') | Some(' ') | Some('\n') => {
                    words.push(std::mem::take(&mut word));
                    St::Delim
                }
                Some(c) => {
                    word.push(c);
                    St::Unquoted
                }
            },
            St::UnquotedBackslash => match c {
                None => {
                    word.push('\\');
                    words.push(std::mem::take(&mut word));
                    break;
                }
                Some('\n') => St::Unquoted,
                Some(c) => {
                    word.push(c);
                    St::Unquoted
                }
            },
            St::Single => match c {
                None => return Err("missing closing quote".into()),
                Some('\'') => St::Unquoted,
                Some(c) => {
                    word.push(c);
                    St::Single
                }
            },
            St::Double => match c {
                None => return Err("missing closing quote".into()),
                Some('"') => St::Unquoted,
                Some('\\') => St::DoubleBackslash,
                Some(c) => {
                    word.push(c);
                    St::Double
                }
            },
            St::DoubleBackslash => match c {
                None => return Err("missing closing quote".into()),
                Some('\n') => St::Double,
                Some(c @ ('$' | '`' | '"' | '\\')) => {
                    word.push(c);
                    St::Double
                }
                Some(c) => {
                    word.push('\\');
                    word.push(c);
                    St::Double
                }
            },
            St::Comment => match c {
                None => break,
                Some('\n') => St::Delim,
                Some(_) => St::Comment,
            },
        };
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_quotes_like_shell_words() {
        assert_eq!(join(&["--exact", "a::b", "--nocapture"]), "--exact a::b --nocapture");
        assert_eq!(join(&[""]), "''");
        assert_eq!(join(&["a b"]), "'a b'");
        assert_eq!(join(&["it's"]), "'it'\\''s'");
        assert_eq!(join(&["x\ny"]), "'x\ny'");
        assert_eq!(join(&["~home"]), "~home");
        assert_eq!(join(&["\u{2dc}"]), "'\u{2dc}'");
        assert_eq!(join(&["a=b", "50%", "#2", "$HOME", "é🦀"]), "'a=b' '50%' '#2' '$HOME' é🦀");
        assert_eq!(join(&["\u{1}", "\u{7f}"]), "\u{1} \u{7f}");
    }

    #[test]
    fn split_handles_quotes_and_comments() {
        assert_eq!(split("a 'b c' \"d\\\"e\" f\\ g").unwrap(), vec!["a", "b c", "d\"e", "f g"]);
        assert_eq!(split("a #comment\nb").unwrap(), vec!["a", "b"]);
        assert_eq!(split("a#b").unwrap(), vec!["a#b"]);
        assert_eq!(split("\"\\x\"").unwrap(), vec!["\\x"]);
        assert_eq!(split("''").unwrap(), vec![""]);
        assert!(split("'open").is_err());
        assert_eq!(split("x\\").unwrap(), vec!["x\\"]);
    }

    #[test]
    fn roundtrip() {
        let words = ["", "a'b", "c d", "\t", "\\", "\"q\"", "🦀", "$x", "#"];
        assert_eq!(split(&join(&words)).unwrap(), words.to_vec());
    }
}
