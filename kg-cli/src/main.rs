//! `kgcore`: import PrimeKG-format files, inspect a database, generate test graphs, query paths.
//!
//! Every command that takes `--json` prints one JSON document on stdout; its fields are listed
//! in docs/CLI.md and only ever grow. Errors go to stderr with exit status 1 (2 for bad usage).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;

mod args;
mod bench;
use args::{Cli, Command, PathArgs};
use kgcore::files::VECTOR_FILE;
use kgcore::{Graph, NameMatch, NodeIndex, OpenMode, PathFinder, VectorKind};

type CliResult = Result<(), Box<dyn std::error::Error>>;

/// `println!` to standard output that hands a write error (a closed pipe) to the caller, where
/// `println!` would panic.
macro_rules! outln {
    ($($arg:tt)*) => { writeln!(std::io::stdout(), $($arg)*)? };
}

/// `print!`, likewise.
macro_rules! out {
    ($($arg:tt)*) => { write!(std::io::stdout(), $($arg)*)? };
}

mod ddx;
mod extract;
mod serve;
mod sets;

/// True if `e` is a write to a closed pipe: the reader (`head`, a pager) has what it wanted.
fn is_broken_pipe(e: &(dyn std::error::Error + 'static)) -> bool {
    let kind = e.downcast_ref::<std::io::Error>().map(std::io::Error::kind).or_else(|| e.downcast_ref::<serde_json::Error>().and_then(serde_json::Error::io_error_kind));
    kind == Some(std::io::ErrorKind::BrokenPipe)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Import { db, files, json } => import(db, files, json),
        Command::Info { db, json } => info(db, json),
        Command::Generate { like, scale, seed, out } => generate(&like, scale, seed, out),
        Command::Node { db, query, limit, json } => node(db, &query, limit, json),
        Command::Path(args) => path(args),
        Command::Neighbours { db, node, filter, limit, json } => sets::neighbours(db, &node, &filter, limit, json),
        Command::Common { db, nodes, pairs, op, filter, limit, json } => sets::common(db, &nodes, pairs, &op, &filter, limit, json),
        Command::Hops { db, node, k, types, json } => sets::hops(db, &node, k, &types, json),
        Command::Check { db } => check(db),
        Command::Extract { db, text, lines, extract, json } => extract::extract(db, text, lines, &extract.options(), json),
        Command::Ground { db, qa, out, dataset, seed, max_paths, keep, max_hops, typed, extract, json } => {
            let options = kgcore::GroundOptions { max_paths, keep, seed, max_hops, extract: extract.options(), typed };
            extract::ground(db, &qa, &out, dataset.as_deref(), &options, json)
        }
        Command::Search { db, text, node_type, fuzzy, prefix, case_sensitive, limit, json } => NameMatch::from_options(fuzzy.unwrap_or(0), prefix, case_sensitive)
            .map_err(Into::into)
            .and_then(|how| search(db, &text, node_type.as_deref(), how, limit, json)),
        Command::ImportHpo { db, files, json } => ddx::import_hpo(db, &files, json),
        Command::Ddx { db, phenotypes, candidates, k, evidence, schema, json } => ddx::ddx(db, &phenotypes, &candidates, k, evidence, schema.schema(), json),
        Command::Card { db, node, tokens, json } => ddx::card(db, &node, tokens, json),
        Command::Discriminate { db, diseases, per_disease, schema, json } => ddx::discriminate(db, &diseases, per_disease, &schema.schema(), json),
        Command::Serve { db, host, port } => serve::serve(db, host, port),
        Command::Apply { db, batches } => apply(db, batches),
        Command::EmbedImport { db, vectors, ids, exact, m, ef_construction, ef_search, json } => {
            let kind = if exact { VectorKind::Exact } else { VectorKind::Hnsw };
            let params = kgcore::HnswParams { m, ef_construction, ef_search, ..Default::default() };
            embed_import(db, &vectors, &ids, kind, params, json)
        }
        Command::Batch { db, medreason, max_paths } => batch(db, medreason, max_paths),
        Command::Bench { db, pairs, k_pairs, seed, json } => run_bench(db, pairs, k_pairs, seed, json),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // A closed standard output ends the command quietly, as Unix tools do.
        Err(e) if is_broken_pipe(&*e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kgcore: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn print_json(v: &impl serde::Serialize) -> CliResult {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, v)?;
    writeln!(out)?;
    Ok(())
}

fn import(db: PathBuf, files: Vec<PathBuf>, json: bool) -> CliResult {
    let started = Instant::now();
    let progress = Arc::new(kgcore::core::Progress::default());
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let bar_thread = std::io::stderr().is_terminal().then(|| {
        let (progress, done) = (Arc::clone(&progress), Arc::clone(&done));
        std::thread::spawn(move || {
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{spinner} reading {bytes}/{total_bytes} [{bar:30}] {eta}")
                    .expect("valid template")
                    .progress_chars("=> "),
            );
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                bar.set_length(progress.total.load(std::sync::atomic::Ordering::Relaxed));
                bar.set_position(progress.read.load(std::sync::atomic::Ordering::Relaxed));
                std::thread::sleep(Duration::from_millis(100));
            }
            bar.finish_and_clear();
        })
    });
    // The name index is built too, so the first search does not have to.
    let result = Graph::import(&db, &files, Some(progress));
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    if let Some(t) = bar_thread {
        let _ = t.join();
    }
    let report = result?;
    if json {
        let mut v = serde_json::to_value(&report)?;
        v["seconds"] = serde_json::json!(started.elapsed().as_secs_f64());
        print_json(&v)
    } else {
        outln!(
            "imported {} rows from {} file(s) in {:.1} s: {} nodes, {} edges ({} duplicate rows skipped)",
            report.load.rows,
            report.load.files,
            started.elapsed().as_secs_f64(),
            report.nodes,
            report.edges,
            report.load.duplicates_skipped
        );
        Ok(())
    }
}

fn open(db: &PathBuf) -> kgcore::Result<Graph> {
    Graph::open(db, OpenMode::ReadOnly)
}

fn info(db: PathBuf, json: bool) -> CliResult {
    let graph = open(&db)?;
    let info = graph.info();
    let store = graph.database().store_size()?;
    if json {
        let mut doc = serde_json::to_value(&info)?;
        doc["store"] = serde_json::to_value(&store)?;
        return print_json(&doc);
    }
    outln!("nodes            {}", info.nodes);
    outln!("edges (stored)   {}", info.edges);
    outln!("undirected pairs {}", info.undirected_edges);
    outln!(
        "degree           min {} / median {} / mean {:.1} / p99 {} / max {}{}",
        info.degree.min,
        info.degree.median,
        info.degree.mean,
        info.degree.p99,
        info.degree.max,
        info.degree.max_node.map(|n| format!(" (node {n})")).unwrap_or_default()
    );
    outln!("view memory      {:.1} MiB", info.view_bytes as f64 / (1 << 20) as f64);
    let mib = |b: u64| b as f64 / (1 << 20) as f64;
    let families: Vec<String> = store.column_families.iter().map(|(cf, b)| format!("{cf} {:.1}", mib(*b))).collect();
    outln!("store on disk    {:.1} MiB ({} MiB)", mib(store.on_disk.unwrap_or(0)), families.join(", "));
    outln!("node types:");
    for (t, c) in &info.node_types {
        outln!("  {t:<28} {c}");
    }
    outln!("relations:");
    for (r, c) in &info.relations {
        outln!("  {r:<28} {c}");
    }
    Ok(())
}

fn generate(like: &str, scale: f64, seed: u64, out: PathBuf) -> CliResult {
    if like != "primekg" {
        return Err(format!("--like {like:?}: only \"primekg\" is known").into());
    }
    let report = kgcore::generate_file(&out, scale, seed)?;
    eprintln!(
        "wrote {}: {} nodes, {} rows ({} undirected edges, {} duplicate rows)",
        out.display(),
        report.nodes,
        report.rows,
        report.undirected_edges,
        report.duplicate_rows
    );
    Ok(())
}

fn node(db: PathBuf, query: &str, limit: usize, json: bool) -> CliResult {
    let graph = open(&db)?;
    let view = graph.view();
    let matches = match graph.resolve(query) {
        Ok(n) => vec![n],
        Err(kgcore::Error::Query(kgcore::query::QueryError::Ambiguous { candidates, .. })) => candidates,
        Err(e) => return Err(e.into()),
    };
    let describe = |n: NodeIndex| {
        let r = view.node(n).expect("resolved");
        let mut neighbours: Vec<serde_json::Value> = Vec::new();
        let (ts, ls) = view.out_edges(n);
        for (&t, &l) in ts.iter().zip(ls).take(limit) {
            neighbours.push(serde_json::json!({
                "index": t, "name": view.name(t), "type": view.node(t).map(|x| x.node_type),
                "relation": view.vocab().label_relation(l), "display_relation": view.vocab().label_display(l), "direction": "out",
            }));
        }
        let (ss, ls) = view.in_edges(n);
        for (&s, &l) in ss.iter().zip(ls).take(limit.saturating_sub(neighbours.len())) {
            neighbours.push(serde_json::json!({
                "index": s, "name": view.name(s), "type": view.node(s).map(|x| x.node_type),
                "relation": view.vocab().label_relation(l), "display_relation": view.vocab().label_display(l), "direction": "in",
            }));
        }
        serde_json::json!({
            "index": n, "id": r.id, "type": r.node_type, "name": r.name, "source": r.source,
            "degree": view.degree(n), "out_edges": ts.len(), "in_edges": ss.len(), "neighbours": neighbours,
        })
    };
    let docs: Vec<serde_json::Value> = matches.iter().map(|&n| describe(n)).collect();
    if json {
        return print_json(&docs);
    }
    for d in &docs {
        outln!("{} [{}] {} ({}, {}) degree {}", d["index"], d["id"].as_str().unwrap_or(""), d["name"].as_str().unwrap_or(""), d["type"].as_str().unwrap_or(""), d["source"].as_str().unwrap_or(""), d["degree"]);
        for nb in d["neighbours"].as_array().into_iter().flatten() {
            let arrow = if nb["direction"] == "out" { "->" } else { "<-" };
            outln!("  {arrow} [{}] {} {} ({})", nb["display_relation"].as_str().unwrap_or(""), nb["index"], nb["name"].as_str().unwrap_or(""), nb["type"].as_str().unwrap_or(""));
        }
    }
    Ok(())
}

fn path(a: PathArgs) -> CliResult {
    let graph = open(&a.db)?;
    if a.medreason {
        return medreason_path(&graph, &a);
    }
    let view = graph.view();
    let finder = PathFinder::new(&view, &a.constraints())?;
    let s = graph.resolve(&a.from)?;
    let t = graph.resolve(&a.to)?;
    let (distance, count, paths, truncated) = if let Some(k) = a.k {
        if k == 0 {
            return Err("--k must be at least 1".into());
        }
        let mut past_deadline = kgcore::query::deadline((a.max_seconds != 0.0).then_some(a.max_seconds))?;
        let ks = finder.k_shortest_until(s, t, k, a.max_searches, &mut past_deadline)?;
        let d = ks.paths.first().map(|p| p.len() as u32 - 1);
        (d, None, ks.paths, ks.truncated)
    } else if a.all || a.count || a.sample.is_some() {
        let all = finder.all_shortest(s, t)?;
        let paths = match a.sample {
            Some(n) => all.sample(n, a.seed)?,
            None if a.count => Vec::new(),
            None => all.first(a.limit)?,
        };
        let truncated = a.all && a.sample.is_none() && all.count() > a.limit as u128;
        (all.distance, Some(all.count()), paths, truncated)
    } else {
        let p = finder.shortest_path(s, t)?;
        let d = p.as_ref().map(|p| p.len() as u32 - 1);
        (d, None, p.into_iter().collect(), false)
    };
    if let Some(file) = &a.svg {
        let caption = kgcore::query::picture::caption(view.name(s), view.name(t), distance, count, paths.len(), a.k.is_some());
        write_svg(file, &kgcore::query::Picture::typed(&view, finder.resolved(), &paths, &caption))?;
    }
    if a.json {
        let mut doc = serde_json::json!({
            "distance": distance,
            "count": count.map(count_json),
            "paths": paths,
            "truncated": truncated,
            "steps": paths.iter().map(|p| kgcore::query::render::path_json(&view, finder.resolved(), p)["steps"].clone()).collect::<Vec<_>>(),
        });
        if count.is_none() {
            doc["count"] = serde_json::json!(paths.len());
        }
        return print_json(&doc);
    }
    match distance {
        None => outln!("no path"),
        Some(d) => {
            out!("distance {d}");
            if let Some(c) = count {
                out!(", {} shortest path(s)", count_text(c));
            }
            outln!();
            for (i, p) in paths.iter().enumerate() {
                outln!("{}: {}", i + 1, kgcore::query::render::labelled(&view, finder.resolved(), p));
            }
            if let Some(k) = a.k.filter(|_| truncated) {
                outln!("(cut short by the search budget: {} of {k} paths proven; raise --max-searches or --max-seconds)", paths.len());
            } else if truncated {
                outln!("(more paths not shown: raise --limit, or use --sample)");
            }
        }
    }
    Ok(())
}

fn medreason_path(graph: &Graph, a: &PathArgs) -> CliResult {
    let all = graph.medreason_pair(&a.from, &a.to, a.max_hops)?;
    let named = match a.sample {
        Some(n) => all.sample(n, a.seed)?,
        None => all.first(a.limit)?,
    };
    if let Some(file) = &a.svg {
        let caption = kgcore::query::picture::caption(&a.from.to_lowercase(), &a.to.to_lowercase(), all.distance(), Some(all.count()), named.len(), false);
        write_svg(file, &kgcore::query::Picture::named(&named, &caption))?;
    }
    if a.json {
        return print_json(&serde_json::json!({
            "distance": all.distance(), "count": count_json(all.count()), "paths": named,
        }));
    }
    match all.distance() {
        None => outln!("no path"),
        Some(d) => {
            outln!("distance {d}, {} shortest path(s)", count_text(all.count()));
            out!("{}", kgcore::query::render::medreason(&named));
        }
    }
    Ok(())
}

/// Writes `picture` to `file`, and says so on standard error.
fn write_svg(file: &std::path::Path, picture: &kgcore::query::Picture) -> CliResult {
    std::fs::write(file, picture.svg()).map_err(|e| format!("{}: {e}", file.display()))?;
    eprintln!("wrote {} ({} nodes, {} edges): {}", file.display(), picture.node_count(), picture.edge_count(), picture.caption());
    Ok(())
}

/// Counts as JSON numbers while they fit in a u64, else as decimal strings.
fn count_json(c: u128) -> serde_json::Value {
    match u64::try_from(c) {
        Ok(v) => serde_json::json!(v),
        Err(_) => serde_json::json!(count_text(c)),
    }
}

fn count_text(c: u128) -> String {
    if c == u128::MAX { format!("at least {c}") } else { c.to_string() }
}

fn check(db: PathBuf) -> CliResult {
    let r = open(&db)?.check()?;
    let embeddings = r.embeddings.map(|n| format!(", {n} embeddings of present nodes")).unwrap_or_default();
    outln!("ok: {} nodes, {} edges, {} node sets agree{embeddings}", r.store.nodes, r.store.edges, r.store.sets);
    Ok(())
}

fn run_bench(db: PathBuf, pairs: usize, k_pairs: usize, seed: u64, json: bool) -> CliResult {
    let r = bench::run(&db, pairs, k_pairs, seed)?;
    if json {
        return print_json(&r);
    }
    outln!("open {:.1} ms, first query {:.1} us, {} pairs (seed {}), {} threads", r.open_ms, r.first_query_us, r.pairs, r.seed, r.threads);
    outln!("{:<55} {:>8} {:>12} {:>12} {:>12}", "query", "n", "p50 us", "p99 us", "mean us");
    for l in &r.latencies {
        outln!("{:<55} {:>8} {:>12.1} {:>12.1} {:>12.1}", l.query, l.queries, l.p50_us, l.p99_us, l.mean_us);
    }
    outln!("batch shortest paths: {:.0} pairs/s", r.batch_pairs_per_second);
    outln!("name index: {} names built in {:.0} ms", r.names, r.name_index_build_ms);
    Ok(())
}

fn batch(db: PathBuf, medreason: bool, max_paths: usize) -> CliResult {
    kgcore::query::check_listed(max_paths, "--max-paths")?;
    use std::io::BufRead;
    let graph = open(&db)?;
    let view = graph.view();
    let finder = PathFinder::plain(&view);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for (i, line) in std::io::stdin().lock().lines().enumerate() {
        let line = line.map_err(|e| format!("stdin:{}: {e}", i + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let (a, b) = line.split_once('\t').ok_or_else(|| format!("stdin:{}: expected FROM<TAB>TO", i + 1))?;
        let doc = if medreason {
            let all = graph.medreason_pair(a, b, None).map_err(|e| format!("stdin:{}: {e}", i + 1))?;
            let paths = if all.count() <= max_paths as u128 { Some(all.first(max_paths)?) } else { None };
            serde_json::json!({"from": a, "to": b, "distance": all.distance(), "count": count_json(all.count()), "paths": paths})
        } else {
            let s = graph.resolve(a).map_err(|e| format!("stdin:{}: {e}", i + 1))?;
            let t = graph.resolve(b).map_err(|e| format!("stdin:{}: {e}", i + 1))?;
            let all = finder.all_shortest(s, t)?;
            let paths = if all.count() <= max_paths as u128 { Some(all.first(max_paths)?) } else { None };
            serde_json::json!({"from": s, "to": t, "distance": all.distance, "count": count_json(all.count()), "paths": paths})
        };
        serde_json::to_writer(&mut out, &doc)?;
        writeln!(out)?;
    }
    Ok(())
}

fn apply(db: PathBuf, batches: PathBuf) -> CliResult {
    use std::io::BufRead;
    let graph = Graph::open(&db, OpenMode::ReadWrite)?;
    let name = batches.display().to_string();
    let reader: Box<dyn BufRead> = if name == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::io::BufReader::new(std::fs::File::open(&batches).map_err(|e| format!("{name}: {e}"))?))
    };
    let mut out = std::io::stdout().lock();
    for (i, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| format!("{name}:{}: {e}", i + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let batch: kgcore::Batch = serde_json::from_str(&line).map_err(|e| format!("{name}:{}: not a batch: {e}", i + 1))?;
        let report = graph.apply(&batch).map_err(|e| format!("{name}:{}: {e}", i + 1))?;
        serde_json::to_writer(&mut out, &report)?;
        writeln!(out)?;
        out.flush()?;
    }
    graph.close()?;
    Ok(())
}

fn embed_import(db: PathBuf, vectors: &std::path::Path, ids: &std::path::Path, kind: VectorKind, params: kgcore::HnswParams, json: bool) -> CliResult {
    let start = Instant::now();
    let (rows, dim, values) = kgcore::index::npy::read_matrix(vectors)?;
    let nodes = kgcore::index::npy::read_ids(ids)?;
    if nodes.len() != rows {
        return Err(format!("{} holds {rows} vectors but {} holds {} node indices", vectors.display(), ids.display(), nodes.len()).into());
    }
    // Read-write: the lock keeps two writers of the vector file apart.
    let graph = Graph::open(&db, OpenMode::ReadWrite)?;
    let idx = graph.build_vectors(&nodes, &values, dim, Some(kind), params)?;
    let hnsw = idx.hnsw_params().is_some();
    let live = graph.install_vectors(idx)?;
    let file = graph.side_file(VECTOR_FILE).unwrap_or_default();
    let report = serde_json::json!({
        "rows": rows, "dim": dim, "live": live, "hnsw": hnsw,
        "file": file.display().to_string(), "seconds": start.elapsed().as_secs_f64(),
    });
    if json {
        return print_json(&report);
    }
    outln!("attached {rows} vectors of dimension {dim} ({live} live rows, {}) in {:.1} s: {}",
        if hnsw { "HNSW" } else { "exact" }, start.elapsed().as_secs_f64(), file.display());
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn search(db: PathBuf, text: &str, node_type: Option<&str>, how: NameMatch, limit: usize, json: bool) -> CliResult {
    let graph = open(&db)?;
    let hits = graph.search_names(text, how, node_type, limit)?;
    let view = graph.view();
    let docs: Vec<serde_json::Value> = hits
        .iter()
        .map(|h| {
            serde_json::json!({
                "name": h.key, "distance": h.distance,
                "nodes": h.nodes.iter().map(|&n| {
                    let r = view.node(n).expect("indexed node");
                    serde_json::json!({"index": n, "name": r.name, "type": r.node_type, "id": r.id})
                }).collect::<Vec<_>>(),
            })
        })
        .collect();
    if json {
        return print_json(&docs);
    }
    if docs.is_empty() {
        outln!("no match");
    }
    for d in &docs {
        for n in d["nodes"].as_array().into_iter().flatten() {
            outln!("{}\t{}\t{} ({})\tdistance {}", n["index"], n["id"].as_str().unwrap_or(""), n["name"].as_str().unwrap_or(""), n["type"].as_str().unwrap_or(""), d["distance"]);
        }
    }
    Ok(())
}
