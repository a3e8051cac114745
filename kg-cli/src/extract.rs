//! `kgcore extract` (node names in free text) and `kgcore ground` (QA records grounded in
//! paths).

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use kgcore::core::GraphView;
use kgcore::{ExtractOptions, Mention};

use crate::{CliResult, open, print_json};

/// A mention as the CLI prints it in JSON.
pub(crate) fn mention_json(view: &GraphView, m: &Mention) -> serde_json::Value {
    let distance = match m.how {
        kgcore::MatchKind::Fuzzy(d) => d,
        _ => 0,
    };
    serde_json::json!({
        "start": m.start, "end": m.end, "text": m.text, "name": m.name, "how": m.how.as_str(), "distance": distance,
        "nodes": m.nodes.iter().map(|&n| {
            let r = view.node(n).expect("a matched node");
            serde_json::json!({"index": n, "name": r.name, "type": r.node_type, "id": r.id})
        }).collect::<Vec<_>>(),
    })
}

pub fn extract(db: PathBuf, text: Option<String>, lines: Option<PathBuf>, options: &ExtractOptions, json: bool) -> CliResult {
    let graph = open(&db)?;
    let view = graph.view();
    let Some(path) = lines else {
        let text = text.unwrap_or_default();
        let mentions = graph.extract(&text, options)?;
        if json {
            return print_json(&mentions.iter().map(|m| mention_json(&view, m)).collect::<Vec<_>>());
        }
        if mentions.is_empty() {
            outln!("no names found");
        }
        for m in &mentions {
            let nodes: Vec<String> = m.nodes.iter().map(|&n| format!("{n} ({})", view.node(n).map_or("", |r| r.node_type))).collect();
            outln!("{}..{}\t{}\t{}\t{}\t{}", m.start, m.end, m.text, m.name, m.how.as_str(), nodes.join(", "));
        }
        return Ok(());
    };
    let reader: Box<dyn BufRead> = if path.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::io::BufReader::new(std::fs::File::open(&path).map_err(|e| format!("{}: {e}", path.display()))?))
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut texts = Vec::new();
    let flush = |texts: &mut Vec<String>, out: &mut std::io::BufWriter<std::io::StdoutLock<'_>>| -> CliResult {
        for mentions in graph.extract_many(texts, options)? {
            serde_json::to_writer(&mut *out, &mentions.iter().map(|m| mention_json(&view, m)).collect::<Vec<_>>())?;
            writeln!(out)?;
        }
        texts.clear();
        Ok(())
    };
    for (i, line) in reader.lines().enumerate() {
        texts.push(line.map_err(|e| format!("{}:{}: {e}", path.display(), i + 1))?);
        if texts.len() == 4096 {
            flush(&mut texts, &mut out)?;
        }
    }
    flush(&mut texts, &mut out)?;
    out.flush()?;
    Ok(())
}

pub fn ground(db: PathBuf, qa: &Path, out: &Path, dataset: Option<&str>, options: &kgcore::GroundOptions, json: bool) -> CliResult {
    let graph = open(&db)?;
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} QAs {per_sec} {eta}").expect("a valid template"));
        bar
    });
    let progress = |done: usize, all: usize| {
        if let Some(b) = &bar {
            b.set_length(all as u64);
            b.set_position(done as u64);
        }
    };
    let summary = graph.ground_file(qa, out, dataset, options, &progress, kgcore::query::NEVER)?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    if json {
        return print_json(&summary);
    }
    outln!("{} QA records read from {}", summary.read, qa.display());
    outln!("  {} already in {}, skipped", summary.already_done, out.display());
    outln!("  {} bad lines, skipped", summary.bad);
    for line in &summary.bad_lines {
        outln!("    {line}");
    }
    outln!("  {} with a question entity, {} with an answer entity", summary.with_question_entity, summary.with_answer_entity);
    outln!("  {} with a path: written", summary.with_path);
    outln!(
        "  dropped: {} without a question entity, {} without an answer entity, {} without a path",
        summary.dropped_no_question_entity, summary.dropped_no_answer_entity, summary.dropped_no_path
    );
    Ok(())
}
