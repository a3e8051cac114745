//! `kgcore import-hpo`, `kgcore ddx` (findings → ranked diseases with evidence), `kgcore card`
//! and `kgcore discriminate`: knowledge requests for diagnostic reasoning.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use kgcore::core::hpo::HpoFiles;
use kgcore::{DdxOptions, DiagnosisSchema, Explanation, Graph, NodeIndex};

use crate::args::HpoArgs;
use crate::{CliResult, open, print_json};

pub fn import_hpo(db: PathBuf, files: &HpoArgs, json: bool) -> CliResult {
    let started = Instant::now();
    let files = match (&files.data, &files.obo) {
        (Some(dir), None) => HpoFiles::in_dir(dir)?,
        (None, Some(obo)) => HpoFiles { ontology: obo.clone(), annotations: files.hpoa.clone(), genes: files.genes.clone() },
        _ => return Err("give the HPO files as --data DIR, or as --obo FILE [--hpoa FILE] [--genes FILE]".into()),
    };
    let report = Graph::import_hpo(&db, &files)?;
    if json {
        let mut v = serde_json::to_value(&report)?;
        v["seconds"] = serde_json::json!(started.elapsed().as_secs_f64());
        return print_json(&v);
    }
    outln!("imported the HPO in {:.1} s: {} nodes, {} edges", started.elapsed().as_secs_f64(), report.nodes, report.edges);
    Ok(())
}

fn describe(graph: &Graph, n: NodeIndex) -> String {
    let view = graph.view();
    view.node(n).map_or_else(|| format!("#{n}"), |r| format!("{} [{}]", r.name, r.id))
}

pub fn ddx(db: PathBuf, terms: &[String], candidates: &[String], k: usize, evidence: usize, schema: DiagnosisSchema, json: bool) -> CliResult {
    let graph = open(&db)?;
    let phenotypes = graph.resolve_all(terms, false)?;
    let candidates = if candidates.is_empty() { None } else { Some(graph.resolve_all(candidates, false)?) };
    let options = DdxOptions { candidates, k, schema, ..DdxOptions::default() };
    let ranked = graph.rank_diseases(&phenotypes, &options)?;
    let view = graph.view();
    if json {
        let mut rows = Vec::with_capacity(ranked.len());
        for (i, &(d, score)) in ranked.iter().enumerate() {
            let r = view.node(d).expect("a ranked disease");
            let mut row = serde_json::json!({"rank": i + 1, "index": d, "id": r.id, "name": r.name, "score": score});
            if i < evidence {
                row["evidence"] = serde_json::to_value(graph.disease_evidence(&phenotypes, d, 3, 0, &options)?.findings)?;
            }
            rows.push(row);
        }
        return print_json(&serde_json::json!({"findings": phenotypes, "diseases": rows}));
    }
    for (i, &(d, score)) in ranked.iter().enumerate() {
        outln!("{:>3}. {:<60} {score:8.2}", i + 1, describe(&graph, d));
        if i < evidence {
            for f in graph.disease_evidence(&phenotypes, d, 1, 0, &options)?.findings {
                let how = match f.evidence.explanation {
                    Explanation::Exact { frequency } => format!("annotated (frequency {frequency:.2})"),
                    Explanation::Ancestor { annotation, steps, .. } => format!("{steps} step(s) above {}", describe(&graph, annotation)),
                    Explanation::Descendant { annotation, steps } => format!("{steps} step(s) below {}", describe(&graph, annotation)),
                    Explanation::Excluded { annotation } => format!("EXCLUDED: the disease lacks {}", describe(&graph, annotation)),
                    Explanation::Unexplained => "unexplained".to_owned(),
                };
                outln!("       {} — {how} ({:+.2})", describe(&graph, f.evidence.finding), f.evidence.score);
                if let Some(p) = f.paths.first() {
                    outln!("         {p}");
                }
            }
        }
    }
    Ok(())
}

pub fn card(db: PathBuf, node: &str, tokens: usize, json: bool) -> CliResult {
    let graph = open(&db)?;
    let n = graph.resolve(node)?;
    let card = graph.card(n, tokens)?;
    if json {
        return print_json(&card);
    }
    outln!("{}", card.text);
    Ok(())
}

pub fn discriminate(db: PathBuf, diseases: &[String], per_disease: usize, schema: &DiagnosisSchema, json: bool) -> CliResult {
    let graph = open(&db)?;
    let nodes = graph.resolve_all(diseases, false)?;
    let found = graph.discriminating_findings(&nodes, per_disease, schema)?;
    if json {
        return print_json(&found);
    }
    for d in &nodes {
        outln!("{}:", describe(&graph, *d));
        for x in found.iter().filter(|x| x.disease == *d) {
            outln!("  {} (frequency {:.2}, information {:.2})", describe(&graph, x.phenotype), x.frequency, x.information);
        }
    }
    Ok(())
}
