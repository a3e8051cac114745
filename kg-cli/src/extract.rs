//! `kgcore extract`: node names in free text.

use std::io::{BufRead, Write};
use std::path::PathBuf;

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

pub fn extract(db: PathBuf, text: Option<String>, lines: Option<PathBuf>, types: Vec<String>, fuzzy: bool, json: bool) -> CliResult {
    let graph = open(&db)?;
    let options = ExtractOptions { node_types: (!types.is_empty()).then_some(types), fuzzy };
    let view = graph.view();
    let Some(path) = lines else {
        let text = text.unwrap_or_default();
        let mentions = graph.extract(&text, &options)?;
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
        for mentions in graph.extract_many(texts, &options)? {
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
