//! Evaluation: a walk over the resolved tree, three-valued (null-aware), without allocation.

use super::{BinOp, ColumnRef, Node};

/// A runtime value. Text borrows from the row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Val<'a> {
    /// Unknown: a missing value, or a comparison with one.
    Null,
    /// True or false.
    Bool(bool),
    /// A number.
    Num(f64),
    /// A date, as days since 1970-01-01.
    Date(i32),
    /// An entry of a code list, by index.
    Code(u32),
    /// Text, borrowed from the row or the expression.
    Text(&'a str),
}

/// Where column values come from.
pub trait Env<'a> {
    /// The value of a column of the row (or of a related row).
    fn column(&self, r: &ColumnRef) -> Val<'a>;
}

impl Node {
    /// Evaluates the node. Text literals of the tree and text cells of the row share one lifetime.
    pub(crate) fn eval<'a>(&'a self, env: &dyn Env<'a>) -> Val<'a> {
        match self {
            Node::Null => Val::Null,
            Node::Bool(b) => Val::Bool(*b),
            Node::Number(n) => Val::Num(*n),
            Node::Text(s) => Val::Text(s),
            Node::Range => Val::Null,
            Node::Date(d) => Val::Date(*d),
            Node::Code(c) => Val::Code(*c),
            Node::Column(r) => env.column(r),
            Node::Not(a) => match a.eval(env) {
                Val::Bool(b) => Val::Bool(!b),
                _ => Val::Null,
            },
            Node::Neg(a) => match a.eval(env) {
                Val::Num(n) => Val::Num(-n),
                _ => Val::Null,
            },
            Node::IsNull(a, negated) => Val::Bool((a.eval(env) == Val::Null) != *negated),
            Node::Year(a) => match a.eval(env) {
                Val::Date(d) => Val::Num(f64::from(crate::value::Date(d).year())),
                _ => Val::Null,
            },
            Node::InRange(a, lo, hi, negated) => match a.eval(env) {
                Val::Num(n) => Val::Bool((n >= *lo && n <= *hi) != *negated),
                _ => Val::Null,
            },
            Node::InList(a, items, negated) => {
                let v = a.eval(env);
                if v == Val::Null {
                    return Val::Null;
                }
                let found = items.iter().any(|i| literal_eq(v, i));
                Val::Bool(found != *negated)
            }
            Node::Binary(op, a, b) => binary(*op, a, b, env),
            Node::Attr(a, map) => match a.eval(env) {
                Val::Code(c) => map.get(c as usize).copied().flatten().map_or(Val::Null, Val::Code),
                _ => Val::Null,
            },
        }
    }
}

fn literal_eq(v: Val<'_>, node: &Node) -> bool {
    match (v, node) {
        (Val::Text(t), Node::Text(s)) => crate::value::text::trim(t).eq_ignore_ascii_case(s),
        (Val::Num(a), Node::Number(b)) => a == *b,
        (Val::Code(a), Node::Code(b)) => a == *b,
        (Val::Date(a), Node::Date(b)) => a == *b,
        (Val::Bool(a), Node::Bool(b)) => a == *b,
        _ => false,
    }
}

fn binary<'a>(op: BinOp, a: &'a Node, b: &'a Node, env: &dyn Env<'a>) -> Val<'a> {
    match op {
        BinOp::And => match a.eval(env) {
            Val::Bool(false) => Val::Bool(false),
            l => match (l, b.eval(env)) {
                (_, Val::Bool(false)) => Val::Bool(false),
                (Val::Bool(true), Val::Bool(true)) => Val::Bool(true),
                _ => Val::Null,
            },
        },
        BinOp::Or => match a.eval(env) {
            Val::Bool(true) => Val::Bool(true),
            l => match (l, b.eval(env)) {
                (_, Val::Bool(true)) => Val::Bool(true),
                (Val::Bool(false), Val::Bool(false)) => Val::Bool(false),
                _ => Val::Null,
            },
        },
        _ => {
            let (l, r) = (a.eval(env), b.eval(env));
            if l == Val::Null || r == Val::Null {
                return Val::Null;
            }
            match op {
                BinOp::Eq => Val::Bool(equal(l, r)),
                BinOp::Ne => Val::Bool(!equal(l, r)),
                BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => match order(l, r) {
                    Some(o) => Val::Bool(match op {
                        BinOp::Lt => o.is_lt(),
                        BinOp::Le => o.is_le(),
                        BinOp::Gt => o.is_gt(),
                        _ => o.is_ge(),
                    }),
                    None => Val::Null,
                },
                BinOp::Contains => match (l, r) {
                    (Val::Text(h), Val::Text(n)) => Val::Bool(contains_ci(h, n)),
                    _ => Val::Null,
                },
                BinOp::Add => match (l, r) {
                    (Val::Num(x), Val::Num(y)) => Val::Num(x + y),
                    (Val::Date(d), Val::Num(n)) => Val::Date(d + n as i32),
                    _ => Val::Null,
                },
                BinOp::Sub => match (l, r) {
                    (Val::Num(x), Val::Num(y)) => Val::Num(x - y),
                    (Val::Date(d), Val::Num(n)) => Val::Date(d - n as i32),
                    (Val::Date(x), Val::Date(y)) => Val::Num(f64::from(x - y)),
                    _ => Val::Null,
                },
                BinOp::Mul => match (l, r) {
                    (Val::Num(x), Val::Num(y)) => Val::Num(x * y),
                    _ => Val::Null,
                },
                BinOp::Div => match (l, r) {
                    (Val::Num(x), Val::Num(y)) if y != 0.0 => Val::Num(x / y),
                    _ => Val::Null,
                },
                BinOp::And | BinOp::Or => Val::Null,
            }
        }
    }
}

fn equal(l: Val<'_>, r: Val<'_>) -> bool {
    match (l, r) {
        (Val::Text(a), Val::Text(b)) => crate::value::text::trim(a).eq_ignore_ascii_case(crate::value::text::trim(b)),
        (a, b) => a == b,
    }
}

fn order(l: Val<'_>, r: Val<'_>) -> Option<std::cmp::Ordering> {
    match (l, r) {
        (Val::Num(a), Val::Num(b)) => a.partial_cmp(&b),
        (Val::Date(a), Val::Date(b)) => Some(a.cmp(&b)),
        (Val::Text(a), Val::Text(b)) => Some(a.cmp(b)),
        _ => None,
    }
}

fn contains_ci(hay: &str, needle: &str) -> bool {
    if needle.is_ascii() {
        let n = needle.as_bytes();
        hay.as_bytes()
            .windows(n.len().max(1))
            .any(|w| w.eq_ignore_ascii_case(n))
    } else {
        hay.to_lowercase().contains(&needle.to_lowercase())
    }
}
