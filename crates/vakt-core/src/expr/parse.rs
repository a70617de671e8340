//! Tokenizer and recursive-descent parser for row expressions. Every node keeps its byte span so
//! errors can point at the exact text in the pack.

use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Contains,
    Add,
    Sub,
    Mul,
    Div,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Contains => "contains",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
        }
    }
}

/// The untyped syntax tree.
#[derive(Debug, Clone, PartialEq)]
pub enum Ast {
    Null(Range<usize>),
    Bool(bool, Range<usize>),
    Number(f64, Range<usize>),
    Text(String, Range<usize>),
    Range(f64, f64, Range<usize>),
    /// `name` or `scope.name`.
    Ident(Option<String>, String, Range<usize>),
    Not(Box<Ast>, Range<usize>),
    Neg(Box<Ast>, Range<usize>),
    IsNull(Box<Ast>, bool, Range<usize>),
    Call(String, Vec<Ast>, Range<usize>),
    List(Vec<Ast>, Range<usize>),
    In(Box<Ast>, Box<Ast>, bool, Range<usize>),
    Binary(BinOp, Box<Ast>, Box<Ast>, Range<usize>),
}

impl Ast {
    pub fn span(&self) -> Range<usize> {
        match self {
            Ast::Null(s)
            | Ast::Bool(_, s)
            | Ast::Number(_, s)
            | Ast::Text(_, s)
            | Ast::Range(_, _, s)
            | Ast::Ident(_, _, s)
            | Ast::Not(_, s)
            | Ast::Neg(_, s)
            | Ast::IsNull(_, _, s)
            | Ast::Call(_, _, s)
            | Ast::List(_, s)
            | Ast::In(_, _, _, s)
            | Ast::Binary(_, _, _, s) => s.clone(),
        }
    }
}

/// A syntax error, with the byte span it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    /// What is wrong.
    pub message: String,
    /// Byte range in the expression's source.
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Str(String),
    Word(String),
    Sym(&'static str),
}

fn tokenize(src: &str) -> Result<Vec<(Tok, Range<usize>)>, ExprError> {
    let b = src.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        if c.is_ascii_digit() {
            while i < b.len()
                && (b[i].is_ascii_digit() || (b[i] == b'.' && i + 1 < b.len() && b[i + 1].is_ascii_digit()))
            {
                i += 1;
            }
            let n: f64 = src[start..i].parse().map_err(|_| ExprError {
                message: "bad number".into(),
                span: start..i,
            })?;
            out.push((Tok::Num(n), start..i));
        } else if c == b'"' || c == b'\'' {
            i += 1;
            while i < b.len() && b[i] != c {
                i += 1;
            }
            if i >= b.len() {
                return Err(ExprError {
                    message: "unterminated string".into(),
                    span: start..b.len(),
                });
            }
            out.push((Tok::Str(src[start + 1..i].to_string()), start..i + 1));
            i += 1;
        } else if c.is_ascii_alphabetic() || c == b'_' {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push((Tok::Word(src[start..i].to_string()), start..i));
        } else {
            let two = src.get(i..i + 2).unwrap_or("");
            let sym: &'static str = match two {
                "==" => "==",
                "!=" => "!=",
                "<=" => "<=",
                ">=" => ">=",
                "&&" => "&&",
                "||" => "||",
                ".." => "..",
                _ => match c {
                    b'<' => "<",
                    b'>' => ">",
                    b'+' => "+",
                    b'-' => "-",
                    b'*' => "*",
                    b'/' => "/",
                    b'(' => "(",
                    b')' => ")",
                    b'[' => "[",
                    b']' => "]",
                    b',' => ",",
                    b'.' => ".",
                    b'!' => "!",
                    _ => {
                        let ch = src[i..].chars().next().unwrap_or('?');
                        return Err(ExprError {
                            message: format!("unexpected `{ch}`"),
                            span: i..i + ch.len_utf8(),
                        });
                    }
                },
            };
            i += sym.len();
            out.push((Tok::Sym(sym), start..i));
        }
    }
    Ok(out)
}

struct Parser<'a> {
    toks: Vec<(Tok, Range<usize>)>,
    pos: usize,
    src: &'a str,
    depth: usize,
    nodes: usize,
}

/// Nesting of parentheses, `not` and unary minus an expression may have.
pub const MAX_DEPTH: usize = 64;
/// Operators and values an expression may have. Trees are evaluated and dropped by recursion, so
/// both bounds keep the stack small for any pack.
pub const MAX_NODES: usize = 2_000;

/// Parses an expression.
pub fn parse(src: &str) -> Result<Ast, ExprError> {
    let toks = tokenize(src)?;
    if toks.is_empty() {
        return Err(ExprError {
            message: "empty expression".into(),
            span: 0..src.len(),
        });
    }
    let mut p = Parser {
        toks,
        pos: 0,
        src,
        depth: 0,
        nodes: 0,
    };
    let ast = p.or()?;
    if let Some((_, span)) = p.toks.get(p.pos) {
        return Err(ExprError {
            message: "unexpected text after the expression".into(),
            span: span.clone(),
        });
    }
    Ok(ast)
}

impl Parser<'_> {
    /// One level deeper; an error past [`MAX_DEPTH`].
    fn enter(&mut self) -> Result<(), ExprError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ExprError {
                message: format!("the expression nests more than {MAX_DEPTH} levels deep"),
                span: self.span_here(),
            });
        }
        Ok(())
    }

    /// One more node; an error past [`MAX_NODES`].
    fn node(&mut self) -> Result<(), ExprError> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(ExprError {
                message: format!("the expression has more than {MAX_NODES} parts; split the rule"),
                span: self.span_here(),
            });
        }
        Ok(())
    }

    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.0)
    }

    fn span_here(&self) -> Range<usize> {
        self.toks
            .get(self.pos)
            .map(|t| t.1.clone())
            .unwrap_or(self.src.len()..self.src.len())
    }

    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(x)) if x == w)
    }

    fn is_sym(&self, s: &str) -> bool {
        matches!(self.peek(), Some(Tok::Sym(x)) if *x == s)
    }

    fn expect_sym(&mut self, s: &str) -> Result<Range<usize>, ExprError> {
        if self.is_sym(s) {
            let sp = self.span_here();
            self.pos += 1;
            Ok(sp)
        } else {
            Err(ExprError {
                message: format!("expected `{s}`"),
                span: self.span_here(),
            })
        }
    }

    fn or(&mut self) -> Result<Ast, ExprError> {
        let mut lhs = self.and()?;
        while self.is_word("or") || self.is_sym("||") {
            self.pos += 1;
            let rhs = self.and()?;
            self.node()?;
            let span = lhs.span().start..rhs.span().end;
            lhs = Ast::Binary(BinOp::Or, Box::new(lhs), Box::new(rhs), span);
        }
        Ok(lhs)
    }

    fn and(&mut self) -> Result<Ast, ExprError> {
        let mut lhs = self.not()?;
        while self.is_word("and") || self.is_sym("&&") {
            self.pos += 1;
            let rhs = self.not()?;
            self.node()?;
            let span = lhs.span().start..rhs.span().end;
            lhs = Ast::Binary(BinOp::And, Box::new(lhs), Box::new(rhs), span);
        }
        Ok(lhs)
    }

    fn not(&mut self) -> Result<Ast, ExprError> {
        if self.is_word("not") || self.is_sym("!") {
            let start = self.span_here().start;
            self.pos += 1;
            self.enter()?;
            self.node()?;
            let inner = self.not()?;
            self.depth -= 1;
            let span = start..inner.span().end;
            return Ok(Ast::Not(Box::new(inner), span));
        }
        self.cmp()
    }

    fn cmp(&mut self) -> Result<Ast, ExprError> {
        let lhs = self.add()?;
        let start = lhs.span().start;
        if self.is_word("is") {
            self.pos += 1;
            let negated = self.is_word("not");
            if negated {
                self.pos += 1;
            }
            if !self.is_word("null") {
                return Err(ExprError {
                    message: "expected `null` after `is`".into(),
                    span: self.span_here(),
                });
            }
            let end = self.span_here().end;
            self.pos += 1;
            return Ok(Ast::IsNull(Box::new(lhs), negated, start..end));
        }
        let negated_in =
            self.is_word("not") && matches!(self.toks.get(self.pos + 1), Some((Tok::Word(w), _)) if w == "in");
        if self.is_word("in") || negated_in {
            self.pos += if negated_in { 2 } else { 1 };
            let rhs = self.in_target()?;
            let span = start..rhs.span().end;
            return Ok(Ast::In(Box::new(lhs), Box::new(rhs), negated_in, span));
        }
        let op = match self.peek() {
            Some(Tok::Sym("==")) => BinOp::Eq,
            Some(Tok::Sym("!=")) => BinOp::Ne,
            Some(Tok::Sym("<")) => BinOp::Lt,
            Some(Tok::Sym("<=")) => BinOp::Le,
            Some(Tok::Sym(">")) => BinOp::Gt,
            Some(Tok::Sym(">=")) => BinOp::Ge,
            Some(Tok::Word(w)) if w == "contains" => BinOp::Contains,
            _ => return Ok(lhs),
        };
        self.pos += 1;
        let rhs = self.add()?;
        let span = start..rhs.span().end;
        Ok(Ast::Binary(op, Box::new(lhs), Box::new(rhs), span))
    }

    fn in_target(&mut self) -> Result<Ast, ExprError> {
        if self.is_sym("[") {
            let start = self.expect_sym("[")?.start;
            let mut items = Vec::new();
            while !self.is_sym("]") {
                self.node()?;
                items.push(self.add()?);
                if !self.is_sym("]") {
                    self.expect_sym(",")?;
                }
            }
            let end = self.expect_sym("]")?.end;
            return Ok(Ast::List(items, start..end));
        }
        let start = self.span_here().start;
        let lo = self.signed_number()?;
        self.expect_sym("..")?;
        let hi = self.signed_number()?;
        let end = self.toks.get(self.pos - 1).map_or(start, |t| t.1.end);
        Ok(Ast::Range(lo, hi, start..end))
    }

    fn signed_number(&mut self) -> Result<f64, ExprError> {
        let neg = self.is_sym("-");
        if neg {
            self.pos += 1;
        }
        match self.peek() {
            Some(Tok::Num(n)) => {
                let n = *n;
                self.pos += 1;
                Ok(if neg { -n } else { n })
            }
            _ => Err(ExprError {
                message: "expected a number".into(),
                span: self.span_here(),
            }),
        }
    }

    fn add(&mut self) -> Result<Ast, ExprError> {
        let mut lhs = self.mul()?;
        loop {
            let op = if self.is_sym("+") {
                BinOp::Add
            } else if self.is_sym("-") {
                BinOp::Sub
            } else {
                return Ok(lhs);
            };
            self.pos += 1;
            let rhs = self.mul()?;
            self.node()?;
            let span = lhs.span().start..rhs.span().end;
            lhs = Ast::Binary(op, Box::new(lhs), Box::new(rhs), span);
        }
    }

    fn mul(&mut self) -> Result<Ast, ExprError> {
        let mut lhs = self.unary()?;
        loop {
            let op = if self.is_sym("*") {
                BinOp::Mul
            } else if self.is_sym("/") {
                BinOp::Div
            } else {
                return Ok(lhs);
            };
            self.pos += 1;
            let rhs = self.unary()?;
            self.node()?;
            let span = lhs.span().start..rhs.span().end;
            lhs = Ast::Binary(op, Box::new(lhs), Box::new(rhs), span);
        }
    }

    fn unary(&mut self) -> Result<Ast, ExprError> {
        if self.is_sym("-") {
            let start = self.span_here().start;
            self.pos += 1;
            self.enter()?;
            self.node()?;
            let inner = self.unary()?;
            self.depth -= 1;
            let span = start..inner.span().end;
            return Ok(Ast::Neg(Box::new(inner), span));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Ast, ExprError> {
        let span = self.span_here();
        let Some(tok) = self.peek().cloned() else {
            return Err(ExprError {
                message: "expected a value".into(),
                span,
            });
        };
        self.pos += 1;
        self.node()?;
        match tok {
            Tok::Num(n) => Ok(Ast::Number(n, span)),
            Tok::Str(s) => Ok(Ast::Text(s, span)),
            Tok::Sym("(") => {
                self.enter()?;
                let inner = self.or()?;
                self.depth -= 1;
                self.expect_sym(")")?;
                Ok(inner)
            }
            Tok::Word(w) => match w.as_str() {
                "null" => Ok(Ast::Null(span)),
                "true" => Ok(Ast::Bool(true, span)),
                "false" => Ok(Ast::Bool(false, span)),
                "and" | "or" | "not" | "in" | "is" | "contains" => Err(ExprError {
                    message: format!("expected a value, found `{w}`"),
                    span,
                }),
                _ if self.is_sym("(") => {
                    self.pos += 1;
                    self.enter()?;
                    let mut args = Vec::new();
                    while !self.is_sym(")") {
                        args.push(self.or()?);
                        if !self.is_sym(")") {
                            self.expect_sym(",")?;
                        }
                    }
                    self.depth -= 1;
                    let end = self.expect_sym(")")?.end;
                    Ok(Ast::Call(w, args, span.start..end))
                }
                _ if self.is_sym(".") => {
                    self.pos += 1;
                    match self.peek().cloned() {
                        Some(Tok::Word(field)) => {
                            let end = self.span_here().end;
                            self.pos += 1;
                            Ok(Ast::Ident(Some(w), field, span.start..end))
                        }
                        _ => Err(ExprError {
                            message: "expected a column name after `.`".into(),
                            span: self.span_here(),
                        }),
                    }
                }
                _ => Ok(Ast::Ident(None, w, span)),
            },
            Tok::Sym(s) => Err(ExprError {
                message: format!("expected a value, found `{s}`"),
                span,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_or_long_expressions_are_errors_not_stack_overflows() {
        let deep = format!("{}x{}", "(".repeat(100_000), ")".repeat(100_000));
        assert!(parse(&deep).unwrap_err().message.contains("nests more than"));
        assert!(parse(&format!("{}x", "not ".repeat(100_000))).is_err());
        assert!(parse(&format!("{}1", "-".repeat(100_000))).is_err());
        let long = vec!["a"; 200_000].join(" + ");
        assert!(parse(&long).unwrap_err().message.contains("more than"));
        let chain = vec!["a == 1"; 200_000].join(" and ");
        assert!(parse(&chain).is_err());
        assert!(parse(&format!("{}x{}", "(".repeat(60), ")".repeat(60))).is_ok());
    }

    #[test]
    fn precedence_and_spans() {
        let a = parse("a >= b and not c or d == 1 + 2 * 3").unwrap();
        let Ast::Binary(BinOp::Or, l, r, _) = a else {
            panic!("or at the top")
        };
        assert!(matches!(*l, Ast::Binary(BinOp::And, ..)));
        assert!(matches!(*r, Ast::Binary(BinOp::Eq, ..)));
        let b = parse("year(submission.reference_date) - birth_year in 16..100").unwrap();
        assert!(matches!(b, Ast::In(_, ref r, false, _) if matches!(**r, Ast::Range(16.0, 100.0, _))));
        assert!(matches!(parse("x is not null").unwrap(), Ast::IsNull(_, true, _)));
        assert!(matches!(
            parse("x not in [\"A\", \"B\"]").unwrap(),
            Ast::In(_, _, true, _)
        ));
    }

    #[test]
    fn errors_point_at_the_text() {
        let e = parse("end_date >= && start_date").unwrap_err();
        assert_eq!(e.span, 12..14);
        let e = parse("a == \"x").unwrap_err();
        assert!(e.message.contains("unterminated"));
        let e = parse("a b").unwrap_err();
        assert_eq!(e.span, 2..3);
    }
}
