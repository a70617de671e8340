//! Out-of-process plugins: rule kinds written in any language, run as a separate program the pack
//! declares (`[[plugin]]`) and used in `[[table.check]]` like built-in kinds (docs/plugins.md).
//!
//! [`start`] runs every declared plugin once per run and asks each for its kinds (the handshake);
//! each becomes a [`RuleKind`] of the registry. Configuring an entry sends the plugin its params
//! and columns (its answer is a pack error when they do not fit); checking a table streams the
//! named columns of its rows in batches and turns the plugin's answers into findings through the
//! same sink as every built-in kind, so they are masked, capped and reported the same way. A
//! plugin that fails in any way stops the run with an error naming it: exit 2, never a hang or a
//! silently partial result.

mod host;
mod protocol;

pub use host::{Host, MAX_LINE_BYTES};
pub use protocol::PROTOCOL;

use super::plan::{severity, Configure, Configured, Entry};
use super::{RowCtx, RowRule, RuleKind, Sink, TableSchema};
use crate::expr::{ColumnRef, Env, Ty, Val};
use crate::finding::{CheckInfo, Code, Finding, Severity};
use crate::pack::{Pack, RuleSeverity};
use serde_json::{json, Value};
use std::borrow::Cow;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

documented_check! {
    /// A plugin failed while checking: it exited, stopped answering within its `timeout`, wrote
    /// something that is not a protocol message, or answered a row it was not sent, a column its
    /// rule does not name, or a code that is not its kind's.
    ///
    /// The check of the return is then incomplete: `vakt check` exits 2 and names the plugin and
    /// what went wrong, with the last lines the plugin wrote to its standard error. Nothing the
    /// plugin reported before it failed is lost. A plugin that cannot be started, or whose
    /// handshake or params are wrong, stops the run before any return is read.
    pub struct PluginFailure => "VK0017", "plugin-failure";
}

/// A plugin that could not be started or did not keep to the protocol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginError {
    /// The plugin's name.
    pub plugin: String,
    /// What went wrong.
    pub message: String,
}

impl PluginError {
    fn new(plugin: &str, message: String) -> PluginError {
        PluginError {
            plugin: plugin.to_string(),
            message,
        }
    }
}

impl std::fmt::Display for PluginError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "plugin `{}`: {}", self.plugin, self.message)
    }
}

impl std::error::Error for PluginError {}

/// The plugins of a pack, started: their kinds, and what the user should be told once.
pub struct Started {
    /// One rule kind per kind a plugin offers.
    pub kinds: Vec<Box<dyn RuleKind>>,
    /// Warnings for the run (a plugin that may receive identifiers).
    pub warnings: Vec<String>,
}

/// Starts every plugin the pack declares and learns its kinds.
pub fn start(pack: &Pack) -> Result<Started, PluginError> {
    let mut kinds: Vec<Box<dyn RuleKind>> = Vec::new();
    let mut warnings = Vec::new();
    for decl in &pack.plugins {
        let host = Arc::new(Host::start(decl)?);
        for k in handshake(&host)? {
            kinds.push(Box::new(PluginKind::new(host.clone(), k)));
        }
        if decl.allow_identifiers {
            warnings.push(format!(
                "plugin `{}` may receive identifier columns (allow_identifiers = true in {})",
                decl.name, pack.path
            ));
        }
    }
    Ok(Started { kinds, warnings })
}

fn handshake(host: &Host) -> Result<Vec<protocol::KindDecl>, PluginError> {
    let hello = json!({"type": "hello", "protocol": PROTOCOL, "vakt": env!("CARGO_PKG_VERSION")});
    let reply = host.request(&hello)?;
    let hello: protocol::Hello =
        serde_json::from_value(reply).map_err(|e| host.fail(format!("its answer to `hello` is not one: {e}")))?;
    if hello.kind != "hello" || hello.protocol != PROTOCOL {
        return Err(host.fail(format!(
            "it speaks protocol {} (answering `{}`); this vakt speaks {PROTOCOL}",
            hello.protocol, hello.kind
        )));
    }
    if hello.kinds.is_empty() {
        return Err(host.fail("it offers no rule kinds".into()));
    }
    for (i, k) in hello.kinds.iter().enumerate() {
        if let Some(why) = bad_kind(k, &hello.kinds[..i]) {
            return Err(host.fail(format!("its kind `{}`: {why}", k.name)));
        }
    }
    Ok(hello.kinds)
}

/// What is wrong with a kind a plugin declares, if anything.
fn bad_kind(k: &protocol::KindDecl, earlier: &[protocol::KindDecl]) -> Option<&'static str> {
    let plain = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    let code_ok = (2..=16).contains(&k.code.len())
        && k.code.starts_with(|c: char| c.is_ascii_uppercase())
        && k.code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if !plain(&k.name) {
        Some("a kind's name is letters, digits, `-` and `_`")
    } else if !code_ok {
        Some("a code is 2 to 16 capital letters, digits, `_` or `-`, starting with a letter")
    } else if k.code.starts_with("VK") {
        Some("codes starting with VK are vakt's own")
    } else if k.summary.trim().is_empty() {
        Some("it has no summary")
    } else if earlier.iter().any(|e| e.name == k.name || e.code == k.code) {
        Some("its name or code is used by another of the plugin's kinds")
    } else {
        None
    }
}

/// A rule kind a plugin offers.
pub struct PluginKind {
    host: Arc<Host>,
    name: String,
    code: String,
    doc: String,
    params_schema: Option<Value>,
}

impl PluginKind {
    fn new(host: Arc<Host>, k: protocol::KindDecl) -> PluginKind {
        let doc = format!(
            " {}\n\n {}\n\n From the plugin `{}` (`{}`), declared by the pack.\n",
            k.summary.trim(),
            k.doc.trim().replace('\n', "\n "),
            host.decl.name,
            host.decl.command.join(" ")
        );
        PluginKind {
            host,
            name: k.name,
            code: k.code,
            doc,
            params_schema: k.params_schema,
        }
    }
}

impl RuleKind for PluginKind {
    fn info(&self) -> CheckInfo {
        CheckInfo {
            code: Code::shared(&self.code),
            name: Cow::Owned(self.name.clone()),
            doc: Cow::Owned(self.doc.clone()),
        }
    }

    fn params_schema(&self) -> Option<Value> {
        Some(self.params_schema.clone().unwrap_or_else(|| json!({"type": "object"})))
    }

    fn takes_columns(&self) -> bool {
        true
    }

    fn configure(&self, entry: &Entry<'_>, cx: &mut Configure<'_, '_>) -> Option<Box<dyn Configured>> {
        let what = format!("plugin kind `{}`", self.name);
        let columns = plugin_columns(self, entry, cx, &what)?;
        let params: Value = cx.params(entry)?;
        let rule = next_id();
        let table = &cx.pack.tables[entry.table];
        let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        let message = json!({"type": "compile", "rule": rule, "kind": self.name, "table": table.name,
            "columns": names, "params": params});
        if let Err(why) = compile(&self.host, &message, rule) {
            cx.error(format!("{what}: {why}"), Some(entry.span.clone()), "this entry", None);
            return None;
        }
        Some(Box::new(PluginRule {
            host: self.host.clone(),
            kind_code: self.code.clone(),
            code: cx.code(entry, Code::shared(&self.code)),
            severity: entry.severity,
            rule,
            columns,
        }))
    }
}

/// Sends `compile` and reads the answer: `Err` is the plugin's complaint about the params, or a
/// protocol failure.
fn compile(host: &Host, message: &Value, rule: u64) -> Result<(), String> {
    let reply = host.request(message).map_err(|e| e.to_string())?;
    let answer: protocol::Compiled = serde_json::from_value(reply).map_err(|e| {
        host.fail(format!("its answer to `compile` is not one: {e}"))
            .to_string()
    })?;
    match (answer.kind.as_str(), answer.rule == rule) {
        ("compiled", true) => Ok(()),
        ("error", true) => Err(answer.message.unwrap_or_else(|| "the plugin refused the entry".into())),
        _ => Err(host
            .fail(format!(
                "it answered `compile` of rule {rule} with `{}` for rule {}",
                answer.kind, answer.rule
            ))
            .to_string()),
    }
}

fn next_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// A column a plugin rule reads.
#[derive(Debug, Clone)]
struct PluginColumn {
    /// As the pack names it (`main_dx`, `group.group_type`).
    name: String,
    cref: ColumnRef,
    /// The code list of a code column, to send codes by their code.
    list: Option<usize>,
    /// Text that may hold identifiers is sent scrubbed, unless the plugin may see identifiers.
    scrub: bool,
}

/// The columns an entry names, resolved; identifier columns refused unless the plugin may see them.
fn plugin_columns(
    kind: &PluginKind,
    entry: &Entry<'_>,
    cx: &mut Configure<'_, '_>,
    what: &str,
) -> Option<Vec<PluginColumn>> {
    if entry.columns.is_empty() {
        cx.error(
            format!("{what}: name the columns it reads with `columns = [...]`"),
            Some(entry.span.clone()),
            "no columns",
            Some("a plugin receives only the columns its entry names".into()),
        );
        return None;
    }
    let allow = kind.host.decl.allow_identifiers;
    let mut out = Vec::new();
    let mut ok = true;
    for written in &entry.columns {
        let Some((cref, ty)) = cx.column_ref(entry.table, written, what) else {
            ok = false;
            continue;
        };
        let tables = &cx.pack.tables;
        let owner = match cref.relation {
            Some(r) => tables[entry.table].relations[r].table,
            None => entry.table,
        };
        let column = &tables[owner].columns[cref.column];
        if column.is_identifier() && !allow {
            cx.error(
                format!(
                    "{what}: `{}` is an identifier column (class D); plugin `{}` may not receive it",
                    written.get_ref(),
                    kind.host.decl.name
                ),
                Some(written.span()),
                "an identifier",
                Some("leave it out, or set allow_identifiers = true on the [[plugin]] if it truly needs it".into()),
            );
            ok = false;
            continue;
        }
        out.push(PluginColumn {
            name: written.get_ref().clone(),
            list: match ty {
                Ty::Code(l) => Some(l),
                _ => None,
            },
            scrub: !allow,
            cref,
        });
    }
    ok.then_some(out)
}

/// An entry of a plugin kind, configured.
#[derive(Debug)]
struct PluginRule {
    host: Arc<Host>,
    kind_code: String,
    code: Code,
    severity: Option<RuleSeverity>,
    rule: u64,
    columns: Vec<PluginColumn>,
}

impl Configured for PluginRule {
    fn bind<'p>(&'p self, schema: &TableSchema<'p>) -> Vec<Box<dyn RowRule + 'p>> {
        // A rule reading a column the sheet lacks cannot be evaluated: VK0003 already says so.
        let present = |c: &PluginColumn| c.cref.relation.is_some() || schema.physical[c.cref.column].is_some();
        if !self.columns.iter().all(present) {
            return Vec::new();
        }
        vec![Box::new(Stream {
            rule: self,
            pack: schema.pack,
            table: schema.table,
            stream: None,
            batch: String::new(),
            in_batch: 0,
            sent: Vec::new(),
            in_flight: false,
            failed: false,
        })]
    }
}

/// One table of one return streaming through a plugin rule.
struct Stream<'p> {
    rule: &'p PluginRule,
    pack: &'p Pack,
    table: &'p crate::pack::Table,
    /// The stream's id, once `begin` is sent.
    stream: Option<u64>,
    /// The rows of the batch, as JSON, comma-separated.
    batch: String,
    in_batch: usize,
    /// Every row sent, in order: an answer may only name these.
    sent: Vec<u64>,
    /// A batch was sent whose answer is not read yet (one is kept in flight).
    in_flight: bool,
    failed: bool,
}

impl RowRule for Stream<'_> {
    fn check(&mut self, row: &RowCtx<'_>, out: &mut Sink<'_>) {
        if self.failed {
            return;
        }
        if self.stream.is_none() && !self.begin(out) {
            return;
        }
        if self.in_batch > 0 {
            self.batch.push(',');
        }
        let _ = write!(self.batch, "{{\"row\":{},\"values\":[", row.row.row);
        let env = super::kinds::expression::RowEnv { row, table: self.table };
        for (i, c) in self.rule.columns.iter().enumerate() {
            if i > 0 {
                self.batch.push(',');
            }
            self.value(&env, c);
        }
        self.batch.push_str("]}");
        self.sent.push(row.row.row);
        self.in_batch += 1;
        if self.in_batch >= self.rule.host.decl.batch {
            self.flush(out);
        }
    }

    fn finish(&mut self, out: &mut Sink<'_>) {
        if self.failed || self.stream.is_none() {
            return;
        }
        self.flush(out);
        self.collect(out);
        if self.failed {
            return;
        }
        let Some(stream) = self.stream else { return };
        let reply = self.rule.host.request(&json!({"type": "end", "stream": stream}));
        self.answer(reply, out);
    }
}

impl Stream<'_> {
    /// Opens the stream: which file and sheet, and where each column is.
    fn begin(&mut self, out: &mut Sink<'_>) -> bool {
        let stream = next_id();
        let columns: Vec<Value> = self
            .rule
            .columns
            .iter()
            .map(|c| {
                let letter = match c.cref.relation {
                    None => out.physical[c.cref.column].map(crate::finding::column_letters),
                    Some(_) => None,
                };
                json!({"name": c.name, "letter": letter})
            })
            .collect();
        let message = json!({"type": "begin", "rule": self.rule.rule, "stream": stream,
            "file": out.file, "sheet": out.sheet, "columns": columns});
        match self.rule.host.send(&message) {
            Ok(()) => {
                self.stream = Some(stream);
                true
            }
            Err(e) => {
                self.failed(out, e);
                false
            }
        }
    }

    /// Appends one value as JSON.
    fn value<'a>(&mut self, env: &super::kinds::expression::RowEnv<'_, 'a>, c: &PluginColumn) {
        let b = &mut self.batch;
        match env.column(&c.cref) {
            Val::Null => b.push_str("null"),
            Val::Bool(v) => b.push_str(if v { "true" } else { "false" }),
            Val::Num(n) if n.is_finite() => {
                if n.fract() == 0.0 && n.abs() < 9e15 {
                    let _ = write!(b, "{}", n as i64);
                } else {
                    let _ = write!(b, "{n}");
                }
            }
            Val::Num(_) => b.push_str("null"),
            Val::Date(d) => {
                let _ = write!(b, "\"{}\"", crate::value::Date(d));
            }
            Val::Code(i) => {
                let code = c
                    .list
                    .and_then(|l| self.pack.codelists.get(l))
                    .map_or("", |l| l.code(i));
                push_json_string(b, code);
            }
            Val::Text(t) if c.scrub => push_json_string(b, &crate::ident::scrub(&t, None).text),
            Val::Text(t) => push_json_string(b, &t),
        }
    }

    fn flush(&mut self, out: &mut Sink<'_>) {
        if self.in_batch == 0 || self.failed {
            return;
        }
        let Some(stream) = self.stream else { return };
        let line = format!("{{\"type\":\"rows\",\"stream\":{stream},\"rows\":[{}]}}", self.batch);
        self.batch.clear();
        self.in_batch = 0;
        // Send this batch first, then read the answer to the one before: the plugin works on this
        // batch while vakt reads the next rows.
        if let Err(e) = self.rule.host.send_line(line) {
            self.failed(out, e);
            return;
        }
        self.collect(out);
        self.in_flight = true;
    }

    /// Reads the answer to the batch in flight, if any.
    fn collect(&mut self, out: &mut Sink<'_>) {
        if !std::mem::take(&mut self.in_flight) || self.failed {
            return;
        }
        let reply = self.rule.host.receive();
        self.answer(reply, out);
    }

    /// Turns an answer into findings, or the run's failure.
    fn answer(&mut self, reply: Result<Value, PluginError>, out: &mut Sink<'_>) {
        let result = reply.and_then(|v| self.findings(v, out));
        if let Err(e) = result {
            self.failed(out, e);
        }
    }

    fn findings(&self, reply: Value, out: &mut Sink<'_>) -> Result<(), PluginError> {
        let host = &self.rule.host;
        let answer: protocol::Findings =
            serde_json::from_value(reply).map_err(|e| host.fail(format!("its answer to `rows` is not one: {e}")))?;
        if answer.kind != "findings" || Some(answer.stream) != self.stream {
            return Err(host.fail(format!(
                "it answered `{}` for stream {} where findings for stream {:?} were due",
                answer.kind, answer.stream, self.stream
            )));
        }
        let mut made = Vec::with_capacity(answer.findings.len());
        for r in answer.findings {
            made.push(self.finding(r, out)?);
        }
        made.into_iter().for_each(|f| out.push(f));
        Ok(())
    }

    /// One reported finding, checked against what the plugin was sent.
    fn finding(&self, r: protocol::Reported, out: &Sink<'_>) -> Result<Finding, PluginError> {
        let host = &self.rule.host;
        if self.sent.binary_search(&r.row).is_err() {
            return Err(host.fail(format!("it reported row {}, which it was not sent", r.row)));
        }
        if r.code != self.rule.kind_code {
            return Err(host.fail(format!(
                "it reported the code `{}`; its kind's code is `{}`",
                r.code, self.rule.kind_code
            )));
        }
        let column =
            match &r.column {
                None => None,
                Some(name) => Some(self.rule.columns.iter().find(|c| &c.name == name).ok_or_else(|| {
                    host.fail(format!("it reported the column `{name}`, which its rule does not name"))
                })?),
            };
        let severity = match (self.rule.severity, r.severity.as_str()) {
            (Some(s), _) => severity(s),
            (None, "error") => Severity::Error,
            (None, "warning") => Severity::Warning,
            (None, "info") => Severity::Info,
            (None, other) => {
                return Err(host.fail(format!(
                    "it reported the severity `{other}`; use error, warning or info"
                )))
            }
        };
        let physical = column.and_then(|c| match c.cref.relation {
            None => out.physical[c.cref.column],
            Some(_) => None,
        });
        let shown = column.filter(|c| c.cref.relation.is_none()).map(|c| c.name.as_str());
        Ok(Finding {
            nb: None,
            code: self.rule.code.clone(),
            severity,
            message: cut(r.message),
            help: r.help.map(cut),
            location: out.location(Some(r.row), physical, shown),
            value: None,
        })
    }

    /// The plugin failed: one finding that fails the run, and nothing more from this stream.
    fn failed(&mut self, out: &mut Sink<'_>, e: PluginError) {
        self.failed = true;
        use crate::i18n::T;
        let message = T::PluginFailed.say(&[("name", &e.plugin), ("why", &e.message)]);
        let f = Finding {
            nb: None,
            code: PluginFailure::CODE.into(),
            severity: Severity::Error,
            message: String::new(),
            help: None,
            location: out.location(None, None, None),
            value: None,
        };
        out.fail(f.said(message, Some(T::HelpPluginFailed.say(&[]))));
    }
}

/// Messages from a plugin are cut to a length a report can show.
fn cut(s: String) -> String {
    const MAX: usize = 1000;
    if s.chars().count() <= MAX {
        return s;
    }
    let mut t: String = s.chars().take(MAX).collect();
    t.push('…');
    t
}

fn push_json_string(out: &mut String, s: &str) {
    match serde_json::to_string(s) {
        Ok(quoted) => out.push_str(&quoted),
        Err(_) => out.push_str("null"),
    }
}
