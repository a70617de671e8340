//! Evaluates `end_date >= start_date and (group_type != "PSYEDU" or sessions <= 20)` over 1M
//! rows with vakt's evaluator, evalexpr and rhai, and prints ns per evaluation for each.

use std::time::Instant;
use vakt::expr::{self, ColumnRef, Env, Schema, Ty, Val};

const ROWS: usize = 1_000_000;

struct Cols;
impl Schema for Cols {
    fn column(&self, scope: Option<&str>, name: &str) -> Result<(ColumnRef, Ty), String> {
        let (i, ty) = match name {
            "end_date" => (0, Ty::Date),
            "start_date" => (1, Ty::Date),
            "group_type" => (2, Ty::Code(0)),
            "sessions" => (3, Ty::Number),
            _ => return Err(format!("no column {name}")),
        };
        let _ = scope;
        Ok((ColumnRef { scope: None, column: i, relation: None, slot: 0 }, ty))
    }
    fn code(&self, _list: usize, literal: &str) -> Result<u32, String> {
        ["PSYDYN", "CBT", "PSYEDU"].iter().position(|c| *c == literal).map(|i| i as u32).ok_or("no code".into())
    }
    fn attr_map(&self, _: Ty, _: &str, _: usize) -> Result<Vec<Option<u32>>, String> {
        Err("none".into())
    }
}

struct Row([Val<'static>; 4]);
impl<'a> Env<'a> for Row {
    fn column(&self, r: &ColumnRef) -> Val<'a> {
        self.0[r.column]
    }
}

fn rows() -> Vec<(i64, i64, u32, i64)> {
    (0..ROWS).map(|i| ((14000 + (i % 900)) as i64, (14000 + (i % 700)) as i64, (i % 3) as u32, (i % 40) as i64)).collect()
}

fn main() {
    let data = rows();
    let src = r#"end_date >= start_date and (group_type != "PSYEDU" or sessions <= 20)"#;

    let e = expr::compile(src, &Cols).expect("compiles");
    let t = Instant::now();
    let mut n = 0usize;
    for &(a, b, c, d) in &data {
        let row = Row([Val::Date(a as i32), Val::Date(b as i32), Val::Code(c), Val::Num(d as f64)]);
        if e.root.eval(&row) == Val::Bool(true) {
            n += 1;
        }
    }
    let vakt_ns = t.elapsed().as_nanos() as f64 / ROWS as f64;
    println!("vakt expr:  {vakt_ns:>7.1} ns/eval  ({n} true)");

    let tree = evalexpr::build_operator_tree::<evalexpr::DefaultNumericTypes>(r#"end_date >= start_date && (group_type != "PSYEDU" || sessions <= 20)"#).expect("parses");
    let names = ["PSYDYN", "CBT", "PSYEDU"];
    let t = Instant::now();
    let mut n = 0usize;
    for &(a, b, c, d) in &data {
        use evalexpr::ContextWithMutableVariables;
        let mut ctx = evalexpr::HashMapContext::<evalexpr::DefaultNumericTypes>::new();
        ctx.set_value("end_date".into(), evalexpr::Value::Int(a)).ok();
        ctx.set_value("start_date".into(), evalexpr::Value::Int(b)).ok();
        ctx.set_value("group_type".into(), evalexpr::Value::String(names[c as usize].into())).ok();
        ctx.set_value("sessions".into(), evalexpr::Value::Int(d)).ok();
        if tree.eval_boolean_with_context(&ctx).unwrap_or(false) {
            n += 1;
        }
    }
    let ee_ns = t.elapsed().as_nanos() as f64 / ROWS as f64;
    println!("evalexpr:   {ee_ns:>7.1} ns/eval  ({n} true)");

    let engine = rhai::Engine::new();
    let ast = engine.compile_expression(r#"end_date >= start_date && (group_type != "PSYEDU" || sessions <= 20)"#).expect("parses");
    let t = Instant::now();
    let mut n = 0usize;
    let mut scope = rhai::Scope::new();
    for &(a, b, c, d) in &data {
        scope.clear();
        scope.push("end_date", a).push("start_date", b).push("group_type", names[c as usize]).push("sessions", d);
        if engine.eval_ast_with_scope::<bool>(&mut scope, &ast).unwrap_or(false) {
            n += 1;
        }
    }
    let rhai_ns = t.elapsed().as_nanos() as f64 / ROWS as f64;
    println!("rhai:       {rhai_ns:>7.1} ns/eval  ({n} true)");
    println!("target 5M evaluations/s = 200 ns/eval");
}
