//! `kgcore neighbours`, `common` and `hops`: the set queries.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use kgcore::{Graph, NodeIndex, SetOp};

use crate::args::SetFilterArgs;
use crate::{CliResult, open, print_json};

fn describe(graph: &Graph, nodes: &[NodeIndex], limit: usize) -> Vec<serde_json::Value> {
    let view = graph.view();
    nodes
        .iter()
        .take(limit)
        .map(|&n| serde_json::json!({"index": n, "name": view.name(n), "type": view.node(n).map(|r| r.node_type)}))
        .collect()
}

fn print_members(members: &[serde_json::Value]) -> CliResult {
    for m in members {
        outln!("  {} {} ({})", m["index"], m["name"].as_str().unwrap_or(""), m["type"].as_str().unwrap_or(""));
    }
    Ok(())
}

pub fn neighbours(db: PathBuf, node: &str, filter: &SetFilterArgs, limit: usize, json: bool) -> CliResult {
    let graph = open(&db)?;
    let n = graph.resolve(node)?;
    let set = graph.neighbour_set(n, &filter.filter()?)?;
    let members = describe(&graph, &set, limit);
    if json {
        return print_json(&serde_json::json!({"node": n, "count": set.len(), "neighbours": members}));
    }
    outln!("{} neighbours of {} {}", set.len(), n, graph.view().name(n));
    print_members(&members)
}

pub fn common(db: PathBuf, nodes: &[String], pairs: Option<PathBuf>, op: &str, filter: &SetFilterArgs, limit: usize, json: bool) -> CliResult {
    let graph = open(&db)?;
    let op: SetOp = op.parse()?;
    let filter = filter.filter()?;
    if let Some(file) = pairs {
        return many(&graph, &file, op, &filter);
    }
    let [a, b] = nodes else { return Err("give two nodes, or --pairs FILE".into()) };
    let (a, b) = (graph.resolve(a)?, graph.resolve(b)?);
    let members = graph.set_members(a, b, op, &filter)?;
    let listed = describe(&graph, &members, limit);
    if json {
        return print_json(&serde_json::json!({"a": a, "b": b, "op": op, "size": members.len(), "members": listed}));
    }
    let view = graph.view();
    outln!("{:?} of the neighbours of {} {} and {} {}: {}", op, a, view.name(a), b, view.name(b), members.len());
    print_members(&listed)
}

/// Sizes for the `A<TAB>B` lines of `file`, all resolved first (an error names the line), then
/// computed in one parallel call.
fn many(graph: &Graph, file: &PathBuf, op: SetOp, filter: &kgcore::NeighbourFilter) -> CliResult {
    let name = file.display().to_string();
    let reader: Box<dyn BufRead> = if name == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::io::BufReader::new(std::fs::File::open(file).map_err(|e| format!("{name}: {e}"))?))
    };
    let mut pairs = Vec::new();
    for (i, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| format!("{name}:{}: {e}", i + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let (a, b) = line.split_once('\t').ok_or_else(|| format!("{name}:{}: expected A<TAB>B", i + 1))?;
        let a = graph.resolve(a).map_err(|e| format!("{name}:{}: {e}", i + 1))?;
        let b = graph.resolve(b).map_err(|e| format!("{name}:{}: {e}", i + 1))?;
        pairs.push((a, b));
    }
    let sizes = graph.set_sizes(&pairs, op, filter)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for ((a, b), size) in pairs.iter().zip(sizes) {
        writeln!(out, "{a}\t{b}\t{size}")?;
    }
    out.flush()?;
    Ok(())
}

pub fn hops(db: PathBuf, node: &str, k: u32, types: &[String], json: bool) -> CliResult {
    let graph = open(&db)?;
    let n = graph.resolve(node)?;
    let types = (!types.is_empty()).then_some(types);
    let (hops, count) = graph.within_hops(n, k, types)?;
    if json {
        return print_json(&serde_json::json!({
            "node": n, "k": k, "count": hops.count(), "per_distance": hops.per_distance, "of_types": types.map(|_| count),
        }));
    }
    outln!("{} nodes within {k} hops of {n} {} (itself included)", hops.count(), graph.view().name(n));
    for (d, c) in hops.per_distance.iter().enumerate() {
        outln!("  at {d}: {c}");
    }
    if let Some(t) = types {
        outln!("{count} of type {}", t.join(" or "));
    }
    Ok(())
}
