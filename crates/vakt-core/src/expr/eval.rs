//! Evaluation: a walk over the resolved tree, three-valued (null-aware). Text borrows from the row
//! and the rule; only the text functions (`lower`, `upper`, `trim`) allocate.
//!
//! Text compares as people read it: without leading and trailing spaces and ignoring case, with
//! Unicode case folding (`Bodø` equals `BODØ`), and ordering agrees with equality (equal texts are
//! neither less nor greater). Date arithmetic stays within the years 1 to 9999; beyond is unknown.

use super::{BinOp, ColumnRef, Node};
use std::borrow::Cow;
use std::cmp::Ordering;

/// A runtime value. Text borrows from the row or the rule where it can.
#[derive(Debug, Clone, PartialEq)]
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
    /// Text, from the row, the rule, or a text function.
    Text(Cow<'a, str>),
}

impl Val<'_> {
    /// The value without a borrow, for keeping past the row: every value but text, which may
    /// borrow from the row.
    pub fn scalar(&self) -> Option<Val<'static>> {
        match self {
            Val::Text(_) => None,
            Val::Null => Some(Val::Null),
            Val::Bool(b) => Some(Val::Bool(*b)),
            Val::Num(n) => Some(Val::Num(*n)),
            Val::Date(d) => Some(Val::Date(*d)),
            Val::Code(c) => Some(Val::Code(*c)),
        }
    }
}

/// Where column values come from.
pub trait Env<'a> {
    /// The value of a column of the row (or of a related row).
    fn column(&self, r: &ColumnRef) -> Val<'a>;

    /// A value worked out by `compute` from the row of relation `rel` alone: an environment may
    /// keep it in cache slot `slot` (below the expression's `cache_slots`) and give it again for
    /// later rows with the same related row. By default it is worked out every time.
    fn cached(&self, rel: usize, slot: usize, compute: &dyn Fn() -> Val<'a>) -> Val<'a> {
        let _ = (rel, slot);
        compute()
    }
}

/// A node's value, read here when it is a leaf (a column or a literal: most operands are one)
/// and evaluated otherwise. Parents take their operands through this, so a leaf costs no frame of
/// [`Node::eval`], whose many arms make each call dear; [`Node::eval`] of a leaf comes here too,
/// so a leaf has one reading.
#[inline(always)]
fn operand<'a, E: Env<'a> + ?Sized>(node: &'a Node, env: &E) -> Val<'a> {
    match node {
        Node::Null | Node::Range => Val::Null,
        Node::Bool(b) => Val::Bool(*b),
        Node::Number(n) => Val::Num(*n),
        Node::Text(s) => Val::Text(Cow::Borrowed(s)),
        Node::Date(d) => Val::Date(*d),
        Node::Code(c) => Val::Code(*c),
        Node::Column(r) => env.column(r),
        inner => inner.eval(env),
    }
}

/// [`operand`] of a node known to be a leaf, out of line, for [`Node::eval`] of a leaf (a
/// condition that is one column or literal): the parents read their leaves in place.
#[inline(never)]
fn operand_leaf<'a, E: Env<'a> + ?Sized>(node: &'a Node, env: &E) -> Val<'a> {
    operand(node, env)
}

impl Node {
    /// Evaluates the node. Text literals of the tree and text cells of the row share one lifetime.
    pub(crate) fn eval<'a, E: Env<'a> + ?Sized>(&'a self, env: &E) -> Val<'a> {
        match self {
            Node::Null
            | Node::Range
            | Node::Bool(_)
            | Node::Number(_)
            | Node::Text(_)
            | Node::Date(_)
            | Node::Code(_)
            | Node::Column(_) => operand_leaf(self, env),
            Node::Not(a) => match operand(a, env) {
                Val::Bool(b) => Val::Bool(!b),
                _ => Val::Null,
            },
            Node::Neg(a) => match operand(a, env) {
                Val::Num(n) => Val::Num(-n),
                _ => Val::Null,
            },
            Node::IsNull(a, negated) => Val::Bool(matches!(operand(a, env), Val::Null) != *negated),
            Node::Call(f, args) => call(*f, args, env),
            Node::CodeText(a, codes) => match operand(a, env) {
                Val::Code(c) => codes.get(c as usize).map_or(Val::Null, |t| Val::Text(Cow::Borrowed(t))),
                other => other,
            },
            Node::Matches(a, re) => match operand(a, env) {
                Val::Text(t) => Val::Bool(re.is_match(crate::value::text::trim(&t))),
                _ => Val::Null,
            },
            Node::InRange(a, lo, hi, negated) => match operand(a, env) {
                Val::Num(n) => Val::Bool((n >= *lo && n <= *hi) != *negated),
                _ => Val::Null,
            },
            Node::InList(a, items, negated) => {
                let v = operand(a, env);
                if matches!(v, Val::Null) {
                    return Val::Null;
                }
                let found = items.iter().any(|i| literal_eq(&v, i));
                Val::Bool(found != *negated)
            }
            Node::Binary(op, a, b) => binary(*op, a, b, env),
            Node::Attr(a, map) => match operand(a, env) {
                Val::Code(c) => map.get(c as usize).copied().flatten().map_or(Val::Null, Val::Code),
                _ => Val::Null,
            },
            Node::Cached { rel, slot, node } => env.cached(*rel, *slot, &|| node.eval(env)),
        }
    }
}

/// A function call, out of [`Node::eval`]'s body: its argument list is the largest thing on the
/// stack, and every node evaluated would otherwise pay for it on entry. Up to four arguments
/// (every function but a long `min`, `max` or `coalesce`) are evaluated into an array on the
/// stack, as expressions run once per row.
#[inline(never)]
fn call<'a, E: Env<'a> + ?Sized>(f: super::functions::Func, args: &'a [Node], env: &E) -> Val<'a> {
    let code_text = |v: &Val<'a>| match v {
        Val::Text(t) => Some(t.clone()),
        _ => None,
    };
    let mut few = [Val::Null, Val::Null, Val::Null, Val::Null];
    if let Some(slots) = few.get_mut(..args.len()) {
        for (slot, a) in slots.iter_mut().zip(args) {
            *slot = operand(a, env);
        }
        return super::functions::apply(f, slots, &code_text);
    }
    let mut many: Vec<Val<'a>> = args.iter().map(|a| operand(a, env)).collect();
    super::functions::apply(f, &mut many, &code_text)
}

fn literal_eq(v: &Val<'_>, node: &Node) -> bool {
    match (v, node) {
        (Val::Text(t), Node::Text(s)) => text_cmp(t, s) == Ordering::Equal,
        (Val::Num(a), Node::Number(b)) => a == b,
        (Val::Code(a), Node::Code(b)) => a == b,
        (Val::Date(a), Node::Date(b)) => a == b,
        (Val::Bool(a), Node::Bool(b)) => a == b,
        _ => false,
    }
}

fn binary<'a, E: Env<'a> + ?Sized>(op: BinOp, a: &'a Node, b: &'a Node, env: &E) -> Val<'a> {
    match op {
        BinOp::And => match operand(a, env) {
            Val::Bool(false) => Val::Bool(false),
            l => match (l, operand(b, env)) {
                (_, Val::Bool(false)) => Val::Bool(false),
                (Val::Bool(true), Val::Bool(true)) => Val::Bool(true),
                _ => Val::Null,
            },
        },
        BinOp::Or => match operand(a, env) {
            Val::Bool(true) => Val::Bool(true),
            l => match (l, operand(b, env)) {
                (_, Val::Bool(true)) => Val::Bool(true),
                (Val::Bool(false), Val::Bool(false)) => Val::Bool(false),
                _ => Val::Null,
            },
        },
        _ => {
            let (l, r) = (operand(a, env), operand(b, env));
            if matches!(l, Val::Null) || matches!(r, Val::Null) {
                return Val::Null;
            }
            match op {
                BinOp::Eq => Val::Bool(equal(&l, &r)),
                BinOp::Ne => Val::Bool(!equal(&l, &r)),
                BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => match order(&l, &r) {
                    Some(o) => Val::Bool(match op {
                        BinOp::Lt => o.is_lt(),
                        BinOp::Le => o.is_le(),
                        BinOp::Gt => o.is_gt(),
                        _ => o.is_ge(),
                    }),
                    None => Val::Null,
                },
                BinOp::Contains => match (&l, &r) {
                    (Val::Text(h), Val::Text(n)) => Val::Bool(fold(h).contains(&fold(n))),
                    _ => Val::Null,
                },
                BinOp::Add => match (l, r) {
                    (Val::Num(x), Val::Num(y)) => Val::Num(x + y),
                    (Val::Date(d), Val::Num(n)) => shift(d, n),
                    _ => Val::Null,
                },
                BinOp::Sub => match (l, r) {
                    (Val::Num(x), Val::Num(y)) => Val::Num(x - y),
                    (Val::Date(d), Val::Num(n)) => shift(d, -n),
                    (Val::Date(x), Val::Date(y)) => Val::Num(f64::from(x) - f64::from(y)),
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

fn equal(l: &Val<'_>, r: &Val<'_>) -> bool {
    match (l, r) {
        (Val::Text(a), Val::Text(b)) => text_cmp(a, b) == Ordering::Equal,
        (a, b) => a == b,
    }
}

fn order(l: &Val<'_>, r: &Val<'_>) -> Option<Ordering> {
    match (l, r) {
        (Val::Num(a), Val::Num(b)) => a.partial_cmp(b),
        (Val::Date(a), Val::Date(b)) => Some(a.cmp(b)),
        (Val::Text(a), Val::Text(b)) => Some(text_cmp(a, b)),
        _ => None,
    }
}

/// Text as compared: trimmed, each character lower-cased (Unicode), compared one by one. Equality
/// and ordering both come from here, so they agree.
pub(crate) fn text_cmp(a: &str, b: &str) -> Ordering {
    let folded = |s: &str| {
        crate::value::text::trim(s)
            .chars()
            .flat_map(char::to_lowercase)
            .collect::<Vec<char>>()
    };
    if a.is_ascii() && b.is_ascii() {
        let (a, b) = (
            crate::value::text::trim(a).as_bytes(),
            crate::value::text::trim(b).as_bytes(),
        );
        return a
            .iter()
            .map(u8::to_ascii_lowercase)
            .cmp(b.iter().map(u8::to_ascii_lowercase));
    }
    folded(a).cmp(&folded(b))
}

/// Text folded for `contains`, `starts_with` and `ends_with`: trimmed and lower-cased.
pub(crate) fn fold(s: &str) -> String {
    crate::value::text::trim(s)
        .chars()
        .flat_map(char::to_lowercase)
        .collect()
}

/// A date moved by a number of days; out of the years 1 to 9999 (or not a number of days) it is
/// unknown, never a wrapped date.
fn shift<'a>(d: i32, days: f64) -> Val<'a> {
    const FIRST: f64 = -719_162.0; // 0001-01-01
    const LAST: f64 = 2_932_896.0; // 9999-12-31
    let moved = f64::from(d) + days.trunc();
    if days.is_finite() && (FIRST..=LAST).contains(&moved) {
        Val::Date(moved as i32)
    } else {
        Val::Null
    }
}
