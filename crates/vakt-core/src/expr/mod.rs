//! The row-expression language of rule packs: `when` and `assert` conditions over a row's columns,
//! values of related rows (`group.start_date`, `submission.reference_date`) and literals.
//!
//! ```text
//! end_date >= start_date
//! group.group_format == "CLOSED" and start_date < group.start_date
//! year(submission.reference_date) - birth_year in 16..100
//! duration_cat == "OPEN_ENDED" and planned_sessions is not null
//! setting == "HOSP" and unit_name contains "DPS"
//! cotherapy == (n_therapists >= 2)
//! ```
//!
//! Expressions are parsed and type-checked once, when the pack loads, against the pack's columns:
//! a misspelt column, a code that is not in the column's code list, or comparing a date with a
//! number is a pack error with a span into the TOML. Evaluation walks a tree whose columns are
//! already indices and whose code literals are already code-list entries, and allocates nothing.
//! A part that reads one related row alone and calls a function (`year(submission.reference_date)`)
//! is marked when compiled; a rule may keep its value for the next rows with the same related row
//! ([`Env::cached`]), so a return's patients work their submission's year out once.
//!
//! Missing values are `null`. A comparison with `null` is `null`; `and`/`or` follow three-valued
//! logic; a `when` that is not true skips the row, and an `assert` that is `null` passes: a missing
//! value is the required-check's business, not every rule's.

mod eval;
mod functions;
mod parse;

pub use eval::{Env, Val};
pub use functions::{documentation as functions, FunctionDoc};
pub use parse::{parse, ExprError};
pub(crate) use parse::{Ast, BinOp};

/// The static type of an expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// A number (integers and decimals alike).
    Number,
    /// A date.
    Date,
    /// True or false.
    Bool,
    /// Text.
    Text,
    /// A value of the code list with this index in the pack.
    Code(usize),
    /// The null literal, or an expression that is always null.
    Null,
    /// A range literal `a..b`.
    Range,
}

impl Ty {
    /// The type's name in messages.
    pub fn name(self) -> &'static str {
        match self {
            Ty::Number => "number",
            Ty::Date => "date",
            Ty::Bool => "boolean",
            Ty::Text => "text",
            Ty::Code(_) => "code",
            Ty::Null => "null",
            Ty::Range => "range",
        }
    }
}

/// A column an expression may read: in the row itself (`scope` None) or in a related row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnRef {
    /// The relation name (`group`), or None for the row's own table.
    pub scope: Option<String>,
    /// Index of the column in its table.
    pub column: usize,
    /// Index of the relation in the row's table, for related columns.
    pub relation: Option<usize>,
    /// Position of the value among the related row's stored values.
    pub slot: usize,
}

/// What the type checker needs to know about names.
pub trait Schema {
    /// Resolves `name` or `scope.name` to a column reference and its type.
    fn column(&self, scope: Option<&str>, name: &str) -> Result<(ColumnRef, Ty), String>;
    /// Resolves a string literal compared with a code column to its entry index.
    fn code(&self, list: usize, literal: &str) -> Result<u32, String>;
    /// For `attr(column, "name")` compared with a code of list `target`: the target entry for each
    /// entry of the column's list, through the column's code-list attribute `name`.
    fn attr_map(&self, column_ty: Ty, attribute: &str, target: usize) -> Result<Vec<Option<u32>>, String>;
    /// The codes of a code list, by entry: text functions see a code column's value as its code.
    fn code_names(&self, _list: usize) -> Vec<String> {
        Vec::new()
    }
}

/// A compiled expression: a typed tree whose columns are indices and whose code literals are
/// code-list entries.
#[derive(Debug, Clone)]
pub struct Expr {
    root: Node,
    /// Its type: boolean, or null for a condition that is never known.
    pub ty: Ty,
    /// Cache slots its evaluation may use ([`Env::cached`]): one per part worked out from a
    /// related row alone.
    pub cache_slots: usize,
}

impl Expr {
    /// Evaluates the expression on one row.
    pub fn eval<'a, E: Env<'a> + ?Sized>(&'a self, env: &E) -> Val<'a> {
        self.root.eval(env)
    }

    /// Appends every column the expression reads to `out`.
    pub fn columns(&self, out: &mut Vec<ColumnRef>) {
        columns(&self.root, out);
    }
}

/// A typed, resolved node.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    Null,
    Bool(bool),
    Number(f64),
    Text(String),
    Date(i32),
    Code(u32),
    /// A range literal, only meaningful on the right of `in`.
    Range,
    Column(ColumnRef),
    Not(Box<Node>),
    Neg(Box<Node>),
    IsNull(Box<Node>, bool),
    Binary(BinOp, Box<Node>, Box<Node>),
    InList(Box<Node>, Vec<Node>, bool),
    InRange(Box<Node>, f64, f64, bool),
    /// A function of the library (`functions.rs`) and its arguments.
    Call(functions::Func, Vec<Node>),
    /// A code column's value as its code, for a text function.
    CodeText(Box<Node>, Vec<String>),
    /// `matches(text, "regex")`: the whole trimmed text matches.
    Matches(Box<Node>, Box<regex::Regex>),
    /// A code column mapped to another list through a code-list attribute.
    Attr(Box<Node>, Vec<Option<u32>>),
    /// A value worked out from the row of relation `rel` alone (`year(submission.reference_date)`):
    /// the environment may keep it in cache slot `slot` while the related row stays the same
    /// ([`Env::cached`]). Made by [`cache_related`] after type checking.
    Cached {
        rel: usize,
        slot: usize,
        node: Box<Node>,
    },
}

/// A type error or unknown name, with the byte span it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileError {
    /// What is wrong.
    pub message: String,
    /// Byte range in the expression's source.
    pub span: std::ops::Range<usize>,
}

/// Parses and type-checks `source`, which must be boolean.
pub fn compile(source: &str, schema: &dyn Schema) -> Result<Expr, CompileError> {
    let ast = parse(source).map_err(|e| CompileError {
        message: e.message,
        span: e.span,
    })?;
    let (root, ty) = check(&ast, schema)?;
    if ty != Ty::Bool && ty != Ty::Null {
        return Err(CompileError {
            message: format!("a condition must be true or false, but this is a {}", ty.name()),
            span: ast.span(),
        });
    }
    let mut cache_slots = 0;
    let root = cache_related(root, &mut cache_slots);
    Ok(Expr { root, ty, cache_slots })
}

fn err<T>(span: std::ops::Range<usize>, message: String) -> Result<T, CompileError> {
    Err(CompileError { message, span })
}

/// Coerces a string literal to the type of the other side: a code of its list, or a date.
fn coerce(node: &Ast, other: Ty, schema: &dyn Schema) -> Result<Option<(Node, Ty)>, CompileError> {
    if let Ast::Text(s, span) = node {
        match other {
            Ty::Code(list) => {
                return schema
                    .code(list, s)
                    .map(|i| Some((Node::Code(i), Ty::Code(list))))
                    .or_else(|m| err(span.clone(), m));
            }
            Ty::Date => {
                return match crate::value::parse_date_text(s) {
                    Ok((d, _)) => Ok(Some((Node::Date(d.0), Ty::Date))),
                    Err(_) => err(span.clone(), format!("`{s}` is not a date (write \"YYYY-MM-DD\")")),
                };
            }
            _ => {}
        }
    }
    Ok(None)
}

fn check(ast: &Ast, schema: &dyn Schema) -> Result<(Node, Ty), CompileError> {
    Ok(match ast {
        Ast::Null(_) => (Node::Null, Ty::Null),
        Ast::Bool(b, _) => (Node::Bool(*b), Ty::Bool),
        Ast::Number(n, _) => (Node::Number(*n), Ty::Number),
        Ast::Text(s, _) => (Node::Text(s.clone()), Ty::Text),
        Ast::Range(..) => (Node::Range, Ty::Range),
        Ast::Ident(scope, name, span) => {
            let (r, ty) = schema
                .column(scope.as_deref(), name)
                .or_else(|m| err(span.clone(), m))?;
            (Node::Column(r), ty)
        }
        Ast::Not(inner, span) => {
            let (n, ty) = check(inner, schema)?;
            if !matches!(ty, Ty::Bool | Ty::Null) {
                return err(span.clone(), format!("`not` needs true or false, not a {}", ty.name()));
            }
            (Node::Not(Box::new(n)), Ty::Bool)
        }
        Ast::Neg(inner, span) => {
            let (n, ty) = check(inner, schema)?;
            if ty != Ty::Number {
                return err(span.clone(), format!("`-` needs a number, not a {}", ty.name()));
            }
            (Node::Neg(Box::new(n)), Ty::Number)
        }
        Ast::IsNull(inner, negated, _) => {
            let (n, _) = check(inner, schema)?;
            (Node::IsNull(Box::new(n), *negated), Ty::Bool)
        }
        Ast::Call(name, args, span) => check_call(name, args, span, schema)?,
        Ast::In(lhs, rhs, negated, span) => check_in(lhs, rhs, *negated, span, schema)?,
        Ast::List(_, span) => return err(span.clone(), "a list belongs after `in`".into()),
        Ast::Binary(op @ (BinOp::Eq | BinOp::Ne), lhs, rhs, span) if is_attr(lhs) || is_attr(rhs) => {
            check_attr(*op, lhs, rhs, span, schema)?
        }
        Ast::Binary(op, lhs, rhs, span) => check_binary(*op, lhs, rhs, span, schema)?,
    })
}

/// A call of a library function, `matches`, or a misplaced `attr`.
fn check_call(
    name: &str,
    args: &[Ast],
    span: &std::ops::Range<usize>,
    schema: &dyn Schema,
) -> Result<(Node, Ty), CompileError> {
    match name {
        "attr" => {
            return err(
                span.clone(),
                "attr(...) can only be compared with == or != to a code column".into(),
            )
        }
        "matches" => return check_matches(args, span, schema),
        _ => {}
    }
    let mut nodes = Vec::with_capacity(args.len());
    let mut types = Vec::with_capacity(args.len());
    for a in args {
        let (n, ty) = check(a, schema)?;
        // Text functions see a code column's value as its code.
        let n = match ty {
            Ty::Code(list) => Node::CodeText(Box::new(n), schema.code_names(list)),
            _ => n,
        };
        nodes.push(n);
        types.push(ty);
    }
    match functions::check(name, &types) {
        Some(Ok((func, ty))) => Ok((Node::Call(func, nodes), ty)),
        Some(Err(m)) => err(span.clone(), m),
        None => {
            let hint = crate::pack::did_you_mean(name, functions::names().split(", "));
            err(
                span.clone(),
                format!("unknown function `{name}`{hint}; functions: {}", functions::names()),
            )
        }
    }
}

/// `matches(text, "regex")`: the regex is a literal, compiled once, and must match the whole text.
fn check_matches(args: &[Ast], span: &std::ops::Range<usize>, schema: &dyn Schema) -> Result<(Node, Ty), CompileError> {
    let [text, Ast::Text(pattern, pattern_span)] = args else {
        return err(
            span.clone(),
            "matches takes: matches(text, \"regular expression\")".into(),
        );
    };
    let (n, ty) = check(text, schema)?;
    if !matches!(ty, Ty::Text | Ty::Null) {
        return err(text.span(), format!("matches needs text, not a {}", ty.name()));
    }
    let re = regex::RegexBuilder::new(&format!("^(?:{pattern})$"))
        .size_limit(1 << 20)
        .build()
        .or_else(|e| err(pattern_span.clone(), format!("not a regular expression: {e}")))?;
    Ok((Node::Matches(Box::new(n), Box::new(re)), Ty::Bool))
}

/// `x in a..b` and `x in [..]`.
fn check_in(
    lhs: &Ast,
    rhs: &Ast,
    negated: bool,
    span: &std::ops::Range<usize>,
    schema: &dyn Schema,
) -> Result<(Node, Ty), CompileError> {
    let (l, lty) = check(lhs, schema)?;
    match rhs {
        Ast::Range(a, b, _) => {
            if lty != Ty::Number {
                return err(
                    span.clone(),
                    format!("a range `a..b` bounds numbers, not a {}", lty.name()),
                );
            }
            Ok((Node::InRange(Box::new(l), *a, *b, negated), Ty::Bool))
        }
        Ast::List(items, _) => {
            let mut nodes = Vec::with_capacity(items.len());
            for it in items {
                let (n, ty) = match coerce(it, lty, schema)? {
                    Some(x) => x,
                    None => check(it, schema)?,
                };
                if !compatible(lty, ty) {
                    return err(
                        it.span(),
                        format!("cannot compare a {} with a {}", lty.name(), ty.name()),
                    );
                }
                nodes.push(n);
            }
            Ok((Node::InList(Box::new(l), nodes, negated), Ty::Bool))
        }
        other => err(other.span(), "`in` needs a list `[..]` or a range `a..b`".into()),
    }
}

/// `attr(code_column, "attribute") == other_code_column`.
fn check_attr(
    op: BinOp,
    lhs: &Ast,
    rhs: &Ast,
    span: &std::ops::Range<usize>,
    schema: &dyn Schema,
) -> Result<(Node, Ty), CompileError> {
    let (attr, other) = if is_attr(lhs) { (lhs, rhs) } else { (rhs, lhs) };
    let (o, oty) = check(other, schema)?;
    let Ty::Code(target) = oty else {
        return err(span.clone(), "attr(...) compares with a code column".into());
    };
    let Ast::Call(_, args, _) = attr else {
        return err(attr.span(), "expected attr(...)".into());
    };
    let [col, Ast::Text(name, name_span)] = args.as_slice() else {
        return err(
            attr.span(),
            "attr takes a code column and an attribute name: attr(authority_code, \"region\")".into(),
        );
    };
    let (c, cty) = check(col, schema)?;
    let map = schema
        .attr_map(cty, name, target)
        .or_else(|m| err(name_span.clone(), m))?;
    let a = Node::Attr(Box::new(c), map);
    Ok((Node::Binary(op, Box::new(a), Box::new(o)), Ty::Bool))
}

/// A binary operation. Each side is checked once (checking it twice per level made the work
/// double with every level of nesting); a string literal then takes the other side's type.
fn check_binary(
    op: BinOp,
    lhs: &Ast,
    rhs: &Ast,
    span: &std::ops::Range<usize>,
    schema: &dyn Schema,
) -> Result<(Node, Ty), CompileError> {
    let left = check(lhs, schema);
    let right = check(rhs, schema);
    let lt = left.as_ref().map_or(Ty::Null, |x| x.1);
    let rt = right.as_ref().map_or(Ty::Null, |x| x.1);
    let (l, lty) = match coerce(lhs, rt, schema)? {
        Some(x) => x,
        None => left?,
    };
    let (r, rty) = match coerce(rhs, lt, schema)? {
        Some(x) => x,
        None => right?,
    };
    let ty = binary_type(op, lty, rty).or_else(|m| err(span.clone(), m))?;
    Ok((Node::Binary(op, Box::new(l), Box::new(r)), ty))
}

fn is_attr(a: &Ast) -> bool {
    matches!(a, Ast::Call(name, _, _) if name == "attr")
}

fn compatible(a: Ty, b: Ty) -> bool {
    a == b || a == Ty::Null || b == Ty::Null
}

fn binary_type(op: BinOp, l: Ty, r: Ty) -> Result<Ty, String> {
    use BinOp::*;
    let bad = || {
        Err(format!(
            "`{}` cannot combine a {} and a {}",
            op.symbol(),
            l.name(),
            r.name()
        ))
    };
    match op {
        And | Or => match (l, r) {
            (Ty::Bool | Ty::Null, Ty::Bool | Ty::Null) => Ok(Ty::Bool),
            _ => bad(),
        },
        Eq | Ne => {
            if compatible(l, r) {
                Ok(Ty::Bool)
            } else {
                bad()
            }
        }
        Lt | Le | Gt | Ge => match (l, r) {
            (Ty::Number, Ty::Number) | (Ty::Date, Ty::Date) | (Ty::Text, Ty::Text) => Ok(Ty::Bool),
            (Ty::Null, _) | (_, Ty::Null) => Ok(Ty::Bool),
            _ => bad(),
        },
        Contains => match (l, r) {
            (Ty::Text, Ty::Text) => Ok(Ty::Bool),
            _ => bad(),
        },
        Add => match (l, r) {
            (Ty::Number, Ty::Number) => Ok(Ty::Number),
            (Ty::Date, Ty::Number) => Ok(Ty::Date),
            _ => bad(),
        },
        Sub => match (l, r) {
            (Ty::Number, Ty::Number) => Ok(Ty::Number),
            (Ty::Date, Ty::Number) => Ok(Ty::Date),
            // date - date is a number of days
            (Ty::Date, Ty::Date) => Ok(Ty::Number),
            _ => bad(),
        },
        Mul | Div => match (l, r) {
            (Ty::Number, Ty::Number) => Ok(Ty::Number),
            _ => bad(),
        },
    }
}

/// What a part of an expression reads.
#[derive(Clone, Copy, PartialEq)]
enum Reads {
    /// Nothing: a literal.
    Nothing,
    /// The row of one relation, and nothing of the row itself.
    Related(usize),
    /// The row itself, or the rows of two relations.
    Row,
}

impl Reads {
    fn and(self, other: Reads) -> Reads {
        match (self, other) {
            (Reads::Nothing, r) | (r, Reads::Nothing) => r,
            (Reads::Related(a), Reads::Related(b)) if a == b => Reads::Related(a),
            _ => Reads::Row,
        }
    }
}

/// What `node` reads.
fn reads(node: &Node) -> Reads {
    let mut cols = Vec::new();
    columns(node, &mut cols);
    cols.iter().fold(Reads::Nothing, |acc, c| {
        acc.and(c.relation.map_or(Reads::Row, Reads::Related))
    })
}

/// Whether `node` calls a function: the dear part worth keeping from row to row.
fn calls(node: &Node) -> bool {
    let mut any = matches!(node, Node::Call(..));
    each_child(node, &mut |child| any = any || calls(child));
    any
}

/// Gives each child of `node` to `f`, in the order they are written.
fn each_child<'n>(node: &'n Node, f: &mut dyn FnMut(&'n Node)) {
    match node {
        Node::Not(a)
        | Node::Neg(a)
        | Node::IsNull(a, _)
        | Node::CodeText(a, _)
        | Node::Matches(a, _)
        | Node::InRange(a, _, _, _)
        | Node::Attr(a, _)
        | Node::Cached { node: a, .. } => f(a),
        Node::Call(_, args) => args.iter().for_each(&mut *f),
        Node::Binary(_, a, b) => {
            f(a);
            f(b);
        }
        Node::InList(a, items, _) => {
            f(a);
            items.iter().for_each(f);
        }
        Node::Null
        | Node::Bool(_)
        | Node::Number(_)
        | Node::Text(_)
        | Node::Date(_)
        | Node::Code(_)
        | Node::Range
        | Node::Column(_) => {}
    }
}

/// Marks each largest part of `node` that reads one related row alone and calls a function as
/// [`Node::Cached`], numbering the slots from `next`. A patient's
/// `year(submission.reference_date)` is then worked out once per return, not once per patient.
fn cache_related(node: Node, next: &mut usize) -> Node {
    if let Reads::Related(rel) = reads(&node) {
        if !calls(&node) {
            return node;
        }
        let slot = *next;
        *next = next.saturating_add(1);
        return Node::Cached {
            rel,
            slot,
            node: Box::new(node),
        };
    }
    let mut inner = |a: Box<Node>| Box::new(cache_related(*a, next));
    match node {
        Node::Not(a) => Node::Not(inner(a)),
        Node::Neg(a) => Node::Neg(inner(a)),
        Node::IsNull(a, negated) => Node::IsNull(inner(a), negated),
        Node::CodeText(a, codes) => Node::CodeText(inner(a), codes),
        Node::Matches(a, re) => Node::Matches(inner(a), re),
        Node::InRange(a, lo, hi, negated) => Node::InRange(inner(a), lo, hi, negated),
        Node::Attr(a, map) => Node::Attr(inner(a), map),
        Node::Binary(op, a, b) => {
            let a = inner(a);
            Node::Binary(op, a, inner(b))
        }
        Node::InList(a, items, negated) => {
            let a = inner(a);
            let items = items.into_iter().map(|i| cache_related(i, next)).collect();
            Node::InList(a, items, negated)
        }
        Node::Call(f, args) => Node::Call(f, args.into_iter().map(|a| cache_related(a, next)).collect()),
        other => other,
    }
}

/// The columns an expression reads, own and related.
fn columns(node: &Node, out: &mut Vec<ColumnRef>) {
    if let Node::Column(r) = node {
        if !out.contains(r) {
            out.push(r.clone());
        }
    }
    each_child(node, &mut |child| columns(child, out));
}

#[cfg(test)]
mod tests {
    use super::*;

    struct S;
    impl Schema for S {
        fn column(&self, _: Option<&str>, name: &str) -> Result<(ColumnRef, Ty), String> {
            let (i, ty) = match name {
                "a" => (0, Ty::Number),
                "b" => (1, Ty::Number),
                "d" => (2, Ty::Date),
                "t" => (3, Ty::Text),
                _ => return Err(format!("no column {name}")),
            };
            Ok((
                ColumnRef {
                    scope: None,
                    column: i,
                    relation: None,
                    slot: 0,
                },
                ty,
            ))
        }
        fn code(&self, _: usize, _: &str) -> Result<u32, String> {
            Err("no codes".into())
        }
        fn attr_map(&self, _: Ty, _: &str, _: usize) -> Result<Vec<Option<u32>>, String> {
            Err("no lists".into())
        }
    }

    /// Counts the names the type checker resolves, and stops it past a budget.
    struct Counting(std::cell::Cell<usize>);
    impl Schema for Counting {
        fn column(&self, scope: Option<&str>, name: &str) -> Result<(ColumnRef, Ty), String> {
            self.0.set(self.0.get() + 1);
            assert!(self.0.get() <= 10_000, "the type checker resolved names 10,000 times");
            S.column(scope, name)
        }
        fn code(&self, list: usize, literal: &str) -> Result<u32, String> {
            S.code(list, literal)
        }
        fn attr_map(&self, ty: Ty, attribute: &str, target: usize) -> Result<Vec<Option<u32>>, String> {
            S.attr_map(ty, attribute, target)
        }
    }

    /// A schema with a relation `p` (to a parent row) and `q` (to another), besides `S`'s own
    /// columns.
    struct Related;
    impl Schema for Related {
        fn column(&self, scope: Option<&str>, name: &str) -> Result<(ColumnRef, Ty), String> {
            let relation = match scope {
                None => return S.column(None, name),
                Some("p") => 0,
                Some("q") => 1,
                Some(other) => return Err(format!("no relation {other}")),
            };
            let (r, ty) = S.column(None, name)?;
            Ok((
                ColumnRef {
                    scope: scope.map(str::to_string),
                    relation: Some(relation),
                    ..r
                },
                ty,
            ))
        }
        fn code(&self, list: usize, literal: &str) -> Result<u32, String> {
            S.code(list, literal)
        }
        fn attr_map(&self, ty: Ty, attribute: &str, target: usize) -> Result<Vec<Option<u32>>, String> {
            S.attr_map(ty, attribute, target)
        }
    }

    /// Only the largest parts that read one related row alone and call a function are kept
    /// from row to row: never a part that reads the row itself or two relations, nor a bare
    /// related column (nothing dear to keep).
    #[test]
    fn parts_of_one_related_row_with_a_function_are_kept() {
        let slots = |src: &str| {
            compile(src, &Related)
                .unwrap_or_else(|e| panic!("{src}: {e:?}"))
                .cache_slots
        };
        assert_eq!(slots("year(p.d) - a in 16..100"), 1);
        assert_eq!(slots("year(p.d) - a in 16..100 and year(q.d) > 2000"), 2);
        assert_eq!(slots("year(p.d) - year(p.d) + p.a > 1"), 1, "one part, the largest");
        assert_eq!(slots("year(d) > 2000"), 0, "the row's own");
        assert_eq!(slots("p.a > a"), 0, "no function");
        assert_eq!(slots("year(p.d) > year(q.d)"), 2, "two relations: each side on its own");
        assert_eq!(slots("min(p.a, a) > 1"), 0, "the call reads the row");
        assert_eq!(slots("abs(-3) > a"), 0, "reads no row");
    }

    #[test]
    fn type_checking_resolves_each_name_once_however_deep_the_nesting() {
        // Checking both sides of every operator twice doubled the work per level: 26 terms took
        // 39 s, 64 would never end.
        let terms = vec!["a"; 64].join(" + ");
        let counting = Counting(std::cell::Cell::new(0));
        compile(&format!("{terms} > b"), &counting).unwrap();
        assert_eq!(counting.0.get(), 65);
    }

    struct Row(Vec<Val<'static>>);
    impl<'a> Env<'a> for Row {
        fn column(&self, r: &ColumnRef) -> Val<'a> {
            self.0[r.column].clone()
        }
    }

    fn eval(src: &str, row: &[Val<'static>]) -> Val<'static> {
        let e = compile(src, &S).unwrap_or_else(|e| panic!("{src}: {e:?}"));
        let row = Row(row.to_vec());
        // The tree lives as long as the test: leak it so the value may borrow from it.
        let e: &'static Expr = Box::leak(Box::new(e));
        e.root.eval(&row)
    }

    #[test]
    fn three_valued_logic_and_arithmetic() {
        let row = [Val::Num(3.0), Val::Null, Val::Date(100), Val::Text("Bergen DPS".into())];
        assert_eq!(eval("a + 1 == 4", &row), Val::Bool(true));
        assert_eq!(eval("a > b", &row), Val::Null, "a comparison with null is unknown");
        assert_eq!(eval("a > b or a == 3", &row), Val::Bool(true));
        assert_eq!(eval("a > b and a == 4", &row), Val::Bool(false));
        assert_eq!(eval("b is null and a is not null", &row), Val::Bool(true));
        assert_eq!(eval("a in 1..3 and not (a in [1, 2])", &row), Val::Bool(true));
        assert_eq!(eval("d - \"1970-04-01\" == 10", &row), Val::Bool(true));
        assert_eq!(eval("year(d) == 1970", &row), Val::Bool(true));
        assert_eq!(eval("t contains \"dps\"", &row), Val::Bool(true));
        assert_eq!(eval("a / 0 == 1", &row), Val::Null);
    }

    #[test]
    fn text_equality_and_order_agree_with_unicode_case_folding() {
        let words = [
            "Bodø", "BODØ", " bodø ", "Bergen", "bergen", "Ålesund", "ålesund", "Aal", "aal", "Z", "æ", "Æ",
        ];
        for a in words {
            for b in words {
                let row = [Val::Null, Val::Null, Val::Null, Val::Text(a.into())];
                let lit = format!("\"{b}\"");
                let eq = eval(&format!("t == {lit}"), &row);
                let le = eval(&format!("t <= {lit}"), &row);
                let ge = eval(&format!("t >= {lit}"), &row);
                let lt = eval(&format!("t < {lit}"), &row);
                assert_eq!(
                    eq == Val::Bool(true),
                    le == Val::Bool(true) && ge == Val::Bool(true),
                    "{a} {b}"
                );
                assert!(!(eq == Val::Bool(true) && lt == Val::Bool(true)), "{a} {b}");
            }
        }
        let row = [Val::Null, Val::Null, Val::Null, Val::Text("BODØ".into())];
        assert_eq!(eval("t == \"Bodø\"", &row), Val::Bool(true));
        assert_eq!(eval("t in [\"bodø\", \"Tromsø\"]", &row), Val::Bool(true));
        assert_eq!(eval("lower(t) == \"bodø\" and len(t) == 4", &row), Val::Bool(true));
    }

    #[test]
    fn date_arithmetic_out_of_range_is_unknown_not_wrapped() {
        let row = [Val::Num(1e12), Val::Null, Val::Date(100), Val::Null];
        assert_eq!(eval("d + a > d", &row), Val::Null);
        assert_eq!(eval("d - a < d", &row), Val::Null);
        assert_eq!(eval("d + 1 > d", &row), Val::Bool(true));
        assert_eq!(eval("month_end(d) == \"1970-04-30\"", &row), Val::Bool(true));
    }

    #[test]
    fn functions_are_type_checked_and_regexes_compiled_at_load() {
        let row = [Val::Num(2.4), Val::Null, Val::Date(100), Val::Text(" ab-12 ".into())];
        assert_eq!(eval("matches(t, \"[a-z]{2}-[0-9]+\")", &row), Val::Bool(true));
        assert_eq!(
            eval("matches(t, \"[0-9]+\")", &row),
            Val::Bool(false),
            "the whole text must match"
        );
        assert_eq!(eval("round(a) == 2 and abs(0 - a) == a", &row), Val::Bool(true));
        assert_eq!(eval("coalesce(b, a) == a", &row), Val::Bool(true));
        // Past four arguments, where they are no longer evaluated into the array on the stack.
        for n in [3i64, 4, 5, 6, 9] {
            let args: Vec<String> = (0..n).map(|i| format!("{}", 4 - i)).collect();
            let min = format!("min({}) == {}", args.join(", "), 5 - n);
            assert_eq!(eval(&min, &row), Val::Bool(true), "{min}");
            let max = format!("max({}, a) == 4", args.join(", "));
            assert_eq!(eval(&max, &row), Val::Bool(true), "{max}");
            let first = format!("coalesce({}b, a) == a", "b, ".repeat(n as usize));
            assert_eq!(eval(&first, &row), Val::Bool(true), "{first}");
        }
        let e = compile("matches(t, \"(\")", &S).unwrap_err();
        assert!(e.message.contains("not a regular expression"), "{}", e.message);
        let e = compile("lowr(t) == \"x\"", &S).unwrap_err();
        assert!(
            e.message.contains("unknown function `lowr`; did you mean `lower`"),
            "{}",
            e.message
        );
        let e = compile("len(a) > 2", &S).unwrap_err();
        assert!(
            e.message.contains("len takes: len(text) -> number, not (number)"),
            "{}",
            e.message
        );
    }
}
