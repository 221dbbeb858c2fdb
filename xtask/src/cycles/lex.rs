//! A Rust tokenizer just good enough to find module declarations, item names and paths:
//! comments, strings, chars and lifetimes are dropped, so a path inside a doc example or a
//! string literal is never read as an import.

/// One token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok {
    /// An identifier or keyword (raw identifiers lose their `r#`).
    Ident(String),
    /// `::`.
    PathSep,
    /// Any other single punctuation character.
    Punct(char),
    /// A string literal's text as written between its quotes (escapes left as they are).
    Str(String),
    /// Any other literal or a lifetime: neither a name nor a delimiter.
    Other,
}

/// A token and the 1-based line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The token.
    pub tok: Tok,
    /// Its line.
    pub line: usize,
}

/// The tokens of `src`.
pub fn tokens(src: &str) -> Vec<Token> {
    let s: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let mut line = 1;
    while i < s.len() {
        let c = s[i];
        let start_line = line;
        let at = |k: usize| s.get(i + k).copied().unwrap_or('\0');
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && at(1) == '/' {
            while i < s.len() && s[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(1) == '*' {
            i = block_comment(&s, i, &mut line);
        } else if let Some(start) = string_start(&s, i) {
            let end = string(&s, start, &mut line);
            let close = end - start.1.saturating_sub(1) - 1;
            out.push(Token {
                tok: Tok::Str(s[start.0 + 1..close.max(start.0 + 1)].iter().collect()),
                line: start_line,
            });
            i = end;
        } else if c == '\'' || (c == 'b' && at(1) == '\'') {
            i = quote(&s, if c == 'b' { i + 1 } else { i });
            out.push(Token {
                tok: Tok::Other,
                line: start_line,
            });
        } else if c == 'r' && at(1) == '#' && is_ident_start(at(2)) {
            let (name, end) = ident(&s, i + 2);
            out.push(Token {
                tok: Tok::Ident(name),
                line,
            });
            i = end;
        } else if is_ident_start(c) {
            let (name, end) = ident(&s, i);
            out.push(Token {
                tok: Tok::Ident(name),
                line,
            });
            i = end;
        } else if c.is_ascii_digit() {
            while i < s.len() && (s[i].is_alphanumeric() || s[i] == '_' || s[i] == '.') {
                // `1..2` and `x.0.1`: a dot followed by a dot or a non-digit ends the number.
                if s[i] == '.' && !s.get(i + 1).is_some_and(char::is_ascii_digit) {
                    break;
                }
                i += 1;
            }
            out.push(Token {
                tok: Tok::Other,
                line,
            });
        } else if c == ':' && at(1) == ':' {
            out.push(Token {
                tok: Tok::PathSep,
                line,
            });
            i += 2;
        } else {
            out.push(Token {
                tok: Tok::Punct(c),
                line,
            });
            i += 1;
        }
    }
    out
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn ident(s: &[char], mut i: usize) -> (String, usize) {
    let start = i;
    while i < s.len() && (s[i].is_alphanumeric() || s[i] == '_') {
        i += 1;
    }
    (s[start..i].iter().collect(), i)
}

/// Past the end of a (nested) block comment starting at `i`.
fn block_comment(s: &[char], mut i: usize, line: &mut usize) -> usize {
    let mut depth = 0;
    while i < s.len() {
        if s[i] == '/' && s.get(i + 1) == Some(&'*') {
            depth += 1;
            i += 2;
        } else if s[i] == '*' && s.get(i + 1) == Some(&'/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            if s[i] == '\n' {
                *line += 1;
            }
            i += 1;
        }
    }
    i
}

/// If a string literal starts at `i` (`"`, `b"`, `c"`, `r"`, `r#"`, `br##"`...), the index of
/// its opening quote and its number of `#`s.
fn string_start(s: &[char], i: usize) -> Option<(usize, usize)> {
    let mut j = i;
    if matches!(s.get(j), Some('b' | 'c')) {
        j += 1;
    }
    let raw = s.get(j) == Some(&'r');
    if raw {
        j += 1;
    }
    let mut hashes = 0;
    while raw && s.get(j) == Some(&'#') {
        hashes += 1;
        j += 1;
    }
    // A plain `b` / `r` / `c` must be followed by the quote itself to start a literal.
    if s.get(j) == Some(&'"') && (j == i || raw || j == i + 1) {
        Some((j, if raw { hashes + 1 } else { 0 }))
    } else {
        None
    }
}

/// Past the end of the string whose opening quote is at `start.0`; `start.1` is 0 for an
/// escaped string, else 1 + the number of `#`s of a raw one.
fn string(s: &[char], (quote, raw): (usize, usize), line: &mut usize) -> usize {
    let mut i = quote + 1;
    while i < s.len() {
        match s[i] {
            '\\' if raw == 0 => i += 2,
            '"' => {
                let hashes = raw.saturating_sub(1);
                if (1..=hashes).all(|k| s.get(i + k) == Some(&'#')) {
                    return i + 1 + hashes;
                }
                i += 1;
            }
            c => {
                if c == '\n' {
                    *line += 1;
                }
                i += 1;
            }
        }
    }
    i
}

/// Past a char literal or a lifetime starting at `i` (a `'`).
fn quote(s: &[char], i: usize) -> usize {
    if s.get(i + 1) == Some(&'\\') {
        // An escaped char: up to the closing quote.
        let mut j = i + 2;
        while j < s.len() && s[j] != '\'' {
            j += 1;
        }
        return j + 1;
    }
    if s.get(i + 2) == Some(&'\'') {
        return i + 3;
    }
    // A lifetime or a label.
    let mut j = i + 1;
    while j < s.len() && (s[j].is_alphanumeric() || s[j] == '_') {
        j += 1;
    }
    j
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idents(src: &str) -> Vec<String> {
        tokens(src)
            .into_iter()
            .filter_map(|t| match t.tok {
                Tok::Ident(s) => Some(s),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn comments_strings_chars_and_lifetimes_hide_their_text() {
        let src = "/// use crate::a;\n// crate::b\n/* crate::c /* nested */ crate::d */\n\
                   let s = \"crate::e\\\"\"; let r = r#\"crate::f\"#; let b = b'\\''; \
                   fn f<'a>(x: &'a str) -> char { 'x' } use crate::g;";
        assert_eq!(
            idents(src),
            [
                "let", "s", "let", "r", "let", "b", "fn", "f", "x", "str", "char", "use", "crate",
                "g"
            ]
        );
        let last = tokens(src).pop().map(|t| t.line);
        assert_eq!(last, Some(4));
    }

    #[test]
    fn raw_identifiers_and_path_separators() {
        let t: Vec<Tok> = tokens("r#type::x").into_iter().map(|t| t.tok).collect();
        assert_eq!(
            t,
            [
                Tok::Ident("type".into()),
                Tok::PathSep,
                Tok::Ident("x".into())
            ]
        );
    }

    #[test]
    fn tuple_fields_and_ranges_are_not_swallowed() {
        assert_eq!(idents("x.0.y; 1..n"), ["x", "y", "n"]);
    }
}
