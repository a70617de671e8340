//! Evaluates `end_date >= start_date and (group_type != "PSYEDU" or sessions <= 20)` over 1M
//! rows with vakt's evaluator, evalexpr and rhai, and prints ns per evaluation for each, as the
//! minimum, median and maximum of several rounds.
//!
//! What is measured, for every engine: evaluation of an expression compiled once, before the
//! clock starts, on one row after another. Each engine is given the row's values the cheapest
//! way its API offers:
//! - vakt: an environment over the row (`expr::Env`), as the engine gives a rule;
//! - evalexpr: a precompiled operator tree and one context made once, whose four variables are
//!   set to the row's values (`set_value` replaces a value in place);
//! - rhai: a precompiled AST and one scope made once, whose four variables are set to the row's
//!   values (`Scope::set_value` on an existing variable).
//!
//! Also shown, as the first version of this benchmark measured: evalexpr and rhai with a new
//! context or a cleared scope per row (what a rule engine that does not keep them would pay).
//!
//! Every engine must count the same number of true rows, or the benchmark stops: a run that
//! evaluates something else is not a number.

use std::time::Instant;
use vakt::expr::{self, ColumnRef, Env, Schema, Ty, Val};

const ROWS: usize = 1_000_000;
const ROUNDS: usize = 5;
const CODES: [&str; 3] = ["PSYDYN", "CBT", "PSYEDU"];
const VAKT_SOURCE: &str = r#"end_date >= start_date and (group_type != "PSYEDU" or sessions <= 20)"#;
const C_SOURCE: &str = r#"end_date >= start_date && (group_type != "PSYEDU" || sessions <= 20)"#;

struct Cols;
impl Schema for Cols {
    fn column(&self, _scope: Option<&str>, name: &str) -> Result<(ColumnRef, Ty), String> {
        let (i, ty) = match name {
            "end_date" => (0, Ty::Date),
            "start_date" => (1, Ty::Date),
            "group_type" => (2, Ty::Code(0)),
            "sessions" => (3, Ty::Number),
            _ => return Err(format!("no column {name}")),
        };
        Ok((ColumnRef { scope: None, column: i, relation: None, slot: 0 }, ty))
    }
    fn code(&self, _list: usize, literal: &str) -> Result<u32, String> {
        CODES.iter().position(|c| *c == literal).map(|i| i as u32).ok_or("no code".into())
    }
    fn attr_map(&self, _: Ty, _: &str, _: usize) -> Result<Vec<Option<u32>>, String> {
        Err("none".into())
    }
}

/// One row as vakt's engine gives it to a rule: typed values by column.
struct Row<'r>(&'r (i64, i64, u32, i64));
impl<'a> Env<'a> for Row<'_> {
    fn column(&self, r: &ColumnRef) -> Val<'a> {
        let &(end, start, code, sessions) = self.0;
        match r.column {
            0 => Val::Date(end as i32),
            1 => Val::Date(start as i32),
            2 => Val::Code(code),
            _ => Val::Num(sessions as f64),
        }
    }
}

type Data = [(i64, i64, u32, i64)];

fn rows() -> Vec<(i64, i64, u32, i64)> {
    (0..ROWS)
        .map(|i| ((14000 + (i % 900)) as i64, (14000 + (i % 700)) as i64, (i % 3) as u32, (i % 40) as i64))
        .collect()
}

/// `run` over the data ROUNDS times (after a warm-up): ns per evaluation, min / median / max,
/// and the count of true rows, which must be the same in every round.
fn measure(data: &Data, mut run: impl FnMut(&Data) -> usize) -> ([f64; 3], usize) {
    let want = run(data);
    let mut ns = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let t = Instant::now();
        let n = run(data);
        ns.push(t.elapsed().as_nanos() as f64 / ROWS as f64);
        assert_eq!(n, want, "a round counted {n} true rows, the first {want}");
    }
    ns.sort_by(f64::total_cmp);
    ([ns[0], ns[ROUNDS / 2], ns[ROUNDS - 1]], want)
}

fn vakt(data: &Data) -> usize {
    let e = expr::compile(VAKT_SOURCE, &Cols).expect("compiles");
    data.iter().filter(|r| matches!(e.eval(&Row(r)), Val::Bool(true))).count()
}

type EvalexprContext = evalexpr::HashMapContext<evalexpr::DefaultNumericTypes>;

/// Sets a context's four variables to one row's values (`set_value` replaces a value in place).
fn evalexpr_set(ctx: &mut EvalexprContext, &(a, b, c, d): &(i64, i64, u32, i64)) {
    use evalexpr::{ContextWithMutableVariables, Value};
    ctx.set_value("end_date".into(), Value::Int(a)).expect("set");
    ctx.set_value("start_date".into(), Value::Int(b)).expect("set");
    ctx.set_value("group_type".into(), Value::String(CODES[c as usize].into())).expect("set");
    ctx.set_value("sessions".into(), Value::Int(d)).expect("set");
}

/// evalexpr over the data, with one context for every row (`kept`) or a new one per row.
fn evalexpr(data: &Data, kept: bool) -> usize {
    let tree = evalexpr::build_operator_tree::<evalexpr::DefaultNumericTypes>(C_SOURCE).expect("parses");
    let mut ctx = EvalexprContext::new();
    let mut n = 0;
    for row in data {
        if !kept {
            ctx = EvalexprContext::new();
        }
        evalexpr_set(&mut ctx, row);
        n += usize::from(tree.eval_boolean_with_context(&ctx).expect("evaluates"));
    }
    n
}

fn evalexpr_kept(data: &Data) -> usize {
    evalexpr(data, true)
}

fn evalexpr_per_row(data: &Data) -> usize {
    evalexpr(data, false)
}

fn rhai_kept(data: &Data) -> usize {
    let engine = rhai::Engine::new();
    let ast = engine.compile_expression(C_SOURCE).expect("parses");
    let mut scope = rhai::Scope::new();
    scope.push("end_date", 0_i64).push("start_date", 0_i64).push("group_type", "").push("sessions", 0_i64);
    let mut n = 0;
    for &(a, b, c, d) in data {
        scope.set_value("end_date", a);
        scope.set_value("start_date", b);
        scope.set_value("group_type", CODES[c as usize]);
        scope.set_value("sessions", d);
        n += usize::from(engine.eval_ast_with_scope::<bool>(&mut scope, &ast).expect("evaluates"));
    }
    n
}

fn rhai_per_row(data: &Data) -> usize {
    let engine = rhai::Engine::new();
    let ast = engine.compile_expression(C_SOURCE).expect("parses");
    let mut scope = rhai::Scope::new();
    let mut n = 0;
    for &(a, b, c, d) in data {
        scope.clear();
        scope.push("end_date", a).push("start_date", b).push("group_type", CODES[c as usize]).push("sessions", d);
        n += usize::from(engine.eval_ast_with_scope::<bool>(&mut scope, &ast).expect("evaluates"));
    }
    n
}

fn main() {
    let data = rows();
    let engines: [(&str, fn(&Data) -> usize); 5] = [
        ("vakt expr (compiled once, row environment)", vakt),
        ("evalexpr 13 (tree built once, one context updated per row)", evalexpr_kept),
        ("rhai 1 (AST compiled once, one scope updated per row)", rhai_kept),
        ("evalexpr 13 (tree built once, a new context per row)", evalexpr_per_row),
        ("rhai 1 (AST compiled once, the scope cleared and refilled per row)", rhai_per_row),
    ];
    println!("{ROWS} rows, {ROUNDS} rounds after a warm-up: `{VAKT_SOURCE}`");
    println!("| engine | ns per evaluation, min / median / max | evaluations/s (median) | true rows |");
    println!("|---|---:|---:|---:|");
    let mut counts = Vec::new();
    for (name, run) in engines {
        let ([min, med, max], n) = measure(&data, run);
        println!("| {name} | {min:.1} / {med:.1} / {max:.1} | {:.1}M | {n} |", 1e3 / med);
        counts.push(n);
    }
    assert!(counts.windows(2).all(|w| w[0] == w[1]), "the engines disagree on the true rows: {counts:?}");
}
