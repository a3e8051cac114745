//! `kgcore`: import PrimeKG-format files, inspect a database, generate test graphs, query paths.
//!
//! Every command that takes `--json` prints one JSON document on stdout; its fields are listed
//! in docs/CLI.md and only ever grow. Errors go to stderr with exit status 1 (2 for bad usage).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};

mod bench;
use kg_core::{Database, GraphView, NodeIndex, OpenMode};
use kg_query::{Constraints, PathFinder};

#[derive(Parser)]
#[command(name = "kgcore", version, about = "An embedded knowledge-graph database for path queries over PrimeKG-shaped graphs")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Parsed once per process: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Import kg.csv (or nodes.csv + edges.csv), plain or .gz, into a new or existing database.
    Import {
        #[arg(long)]
        db: PathBuf,
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Counts of nodes and edges, per type and relation, and degrees.
    Info {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Write a synthetic PrimeKG-shaped kg.csv.
    Generate {
        #[arg(long, default_value = "primekg")]
        like: String,
        #[arg(long, default_value_t = 1.0)]
        scale: f64,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
    },
    /// A node by index or exact name, with its neighbours.
    Node {
        #[arg(long)]
        db: PathBuf,
        query: String,
        /// Neighbours to list at most.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// Paths between two nodes (indices or exact names).
    Path(PathArgs),
    /// Apply update batches, one JSON object a line (`add_nodes`, `add_edges`, `remove_nodes`,
    /// `remove_edges`), each atomically and durably, in order.
    Apply {
        #[arg(long)]
        db: PathBuf,
        /// A JSON-lines file of batches ("-" for stdin).
        batches: PathBuf,
    },
    /// Nodes by name: exact (normalised: case, width and spacing folded), prefix or fuzzy.
    Search {
        #[arg(long)]
        db: PathBuf,
        text: String,
        /// Only nodes of this type.
        #[arg(long = "type")]
        node_type: Option<String>,
        /// Names within this many edits (1 or 2).
        #[arg(long)]
        fuzzy: Option<u8>,
        /// Names starting with TEXT.
        #[arg(long)]
        prefix: bool,
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// Attach node embeddings: VECTORS is an (n, dim) float32/float64 .npy, IDS the n node
    /// indices (.npy integers, or text with one per line). Rows replace earlier rows of the
    /// same nodes; an HNSW graph is built unless --exact.
    EmbedImport {
        #[arg(long)]
        db: PathBuf,
        vectors: PathBuf,
        ids: PathBuf,
        /// Keep rows only: every search compares all of them.
        #[arg(long)]
        exact: bool,
        #[arg(long, default_value_t = 16)]
        m: usize,
        #[arg(long, default_value_t = 200)]
        ef_construction: usize,
        #[arg(long, default_value_t = 64)]
        ef_search: usize,
        #[arg(long)]
        json: bool,
    },
    /// Check that the store is whole and agrees with the in-memory view.
    Check {
        #[arg(long)]
        db: PathBuf,
    },
    /// Many pairs from stdin (one `FROM<TAB>TO` a line), one JSON line each on stdout:
    /// distance, count, and every shortest path when there are at most --max-paths.
    Batch {
        #[arg(long)]
        db: PathBuf,
        /// MedReason's graph: FROM and TO are names, nodes are lowercased names.
        #[arg(long)]
        medreason: bool,
        #[arg(long, default_value_t = 300)]
        max_paths: usize,
    },
    /// Per-query latencies (p50/p99) and batch throughput on seeded random pairs.
    Bench {
        #[arg(long)]
        db: PathBuf,
        #[arg(long, default_value_t = 2000)]
        pairs: usize,
        /// Pairs for the (slower) k-shortest-paths query.
        #[arg(long, default_value_t = 200)]
        k_pairs: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        json: bool,
    },
}

#[derive(clap::Args)]
struct PathArgs {
    #[arg(long)]
    db: PathBuf,
    from: String,
    to: String,
    /// Every shortest path (up to --limit).
    #[arg(long)]
    all: bool,
    /// Only count the shortest paths.
    #[arg(long)]
    count: bool,
    /// A uniform random sample of N shortest paths.
    #[arg(long)]
    sample: Option<usize>,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// The K shortest loopless paths.
    #[arg(long)]
    k: Option<usize>,
    /// Most paths to print with --all.
    #[arg(long, default_value_t = 1000)]
    limit: usize,
    /// MedReason's graph: nodes are lowercased names, FROM and TO are names.
    #[arg(long)]
    medreason: bool,
    /// Follow stored edge direction only.
    #[arg(long)]
    directed: bool,
    #[arg(long)]
    max_hops: Option<u32>,
    #[arg(long)]
    max_degree: Option<usize>,
    /// Only these node types in between (repeatable).
    #[arg(long = "type")]
    types: Vec<String>,
    #[arg(long = "exclude-type")]
    exclude_types: Vec<String>,
    /// Only these relations (repeatable).
    #[arg(long = "relation")]
    relations: Vec<String>,
    #[arg(long = "exclude-relation")]
    exclude_relations: Vec<String>,
    #[arg(long = "exclude-node")]
    exclude_nodes: Vec<NodeIndex>,
    #[arg(long)]
    json: bool,
}

type CliResult = Result<(), Box<dyn std::error::Error>>;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Import { db, files, json } => import(db, files, json),
        Command::Info { db, json } => info(db, json),
        Command::Generate { like, scale, seed, out } => generate(&like, scale, seed, out),
        Command::Node { db, query, limit, json } => node(db, &query, limit, json),
        Command::Path(args) => path(args),
        Command::Check { db } => check(db),
        Command::Search { db, text, node_type, fuzzy, prefix, limit, json } => search(db, &text, node_type.as_deref(), fuzzy, prefix, limit, json),
        Command::Apply { db, batches } => apply(db, batches),
        Command::EmbedImport { db, vectors, ids, exact, m, ef_construction, ef_search, json } => {
            let params = (!exact).then_some(kg_index::HnswParams { m, ef_construction, ef_search, ..Default::default() });
            embed_import(db, &vectors, &ids, params, json)
        }
        Command::Batch { db, medreason, max_paths } => batch(db, medreason, max_paths),
        Command::Bench { db, pairs, k_pairs, seed, json } => run_bench(db, pairs, k_pairs, seed, json),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
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
    let progress = Arc::new(kg_core::Progress::default());
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
    let result = kg_core::import(&db, &files, Some(progress));
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    if let Some(t) = bar_thread {
        let _ = t.join();
    }
    let report = result?;
    // The name index is derived data: build it now so the first search does not have to.
    name_index(&Database::open(&db, OpenMode::ReadOnly)?)?;
    if json {
        let mut v = serde_json::to_value(&report)?;
        v["seconds"] = serde_json::json!(started.elapsed().as_secs_f64());
        print_json(&v)
    } else {
        println!(
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

fn open(db: &PathBuf) -> Result<Database, kg_core::Error> {
    Database::open(db, OpenMode::ReadOnly)
}

fn info(db: PathBuf, json: bool) -> CliResult {
    let db = open(&db)?;
    let info = db.info();
    if json {
        return print_json(&info);
    }
    println!("nodes            {}", info.nodes);
    println!("edges (stored)   {}", info.edges);
    println!("undirected pairs {}", info.undirected_edges);
    println!(
        "degree           min {} / median {} / mean {:.1} / p99 {} / max {}{}",
        info.degree.min,
        info.degree.median,
        info.degree.mean,
        info.degree.p99,
        info.degree.max,
        info.degree.max_node.map(|n| format!(" (node {n})")).unwrap_or_default()
    );
    println!("view memory      {:.1} MiB", info.view_bytes as f64 / (1 << 20) as f64);
    println!("node types:");
    for (t, c) in &info.node_types {
        println!("  {t:<28} {c}");
    }
    println!("relations:");
    for (r, c) in &info.relations {
        println!("  {r:<28} {c}");
    }
    Ok(())
}

fn generate(like: &str, scale: f64, seed: u64, out: PathBuf) -> CliResult {
    if like != "primekg" {
        return Err(format!("--like {like:?}: only \"primekg\" is known").into());
    }
    let tmp = out.with_extension("partial");
    let file = std::fs::File::create(&tmp).map_err(|e| format!("{}: {e}", tmp.display()))?;
    let report = if out.extension().is_some_and(|e| e == "gz") {
        let mut gz = flate2_writer(file);
        let r = kg_core::generate::generate_primekg(scale, seed, &mut gz)?;
        gz.finish()?;
        r
    } else {
        let mut f = file;
        kg_core::generate::generate_primekg(scale, seed, &mut f)?
    };
    std::fs::rename(&tmp, &out)?;
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

fn flate2_writer(file: std::fs::File) -> kg_core::generate::GzWriter {
    kg_core::generate::GzWriter::new(file)
}

fn node(db: PathBuf, query: &str, limit: usize, json: bool) -> CliResult {
    let db = open(&db)?;
    let view = db.view();
    let matches = match kg_query::resolve(&view, query) {
        Ok(n) => vec![n],
        Err(kg_query::QueryError::Ambiguous { candidates, .. }) => candidates,
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
        println!("{} [{}] {} ({}, {}) degree {}", d["index"], d["id"].as_str().unwrap_or(""), d["name"].as_str().unwrap_or(""), d["type"].as_str().unwrap_or(""), d["source"].as_str().unwrap_or(""), d["degree"]);
        for nb in d["neighbours"].as_array().into_iter().flatten() {
            let arrow = if nb["direction"] == "out" { "->" } else { "<-" };
            println!("  {arrow} [{}] {} {} ({})", nb["display_relation"].as_str().unwrap_or(""), nb["index"], nb["name"].as_str().unwrap_or(""), nb["type"].as_str().unwrap_or(""));
        }
    }
    Ok(())
}

fn path(a: PathArgs) -> CliResult {
    let db = open(&a.db)?;
    let view = db.view();
    if a.medreason {
        return medreason_path(&view, &a);
    }
    let constraints = Constraints {
        directed: a.directed,
        node_types: (!a.types.is_empty()).then(|| a.types.clone()),
        exclude_node_types: a.exclude_types.clone(),
        relations: (!a.relations.is_empty()).then(|| a.relations.clone()),
        exclude_relations: a.exclude_relations.clone(),
        exclude_nodes: a.exclude_nodes.clone(),
        max_hops: a.max_hops,
        max_degree: a.max_degree,
    };
    let finder = PathFinder::new(&view, &constraints)?;
    let s = kg_query::resolve(&view, &a.from)?;
    let t = kg_query::resolve(&view, &a.to)?;
    let (distance, count, paths, truncated) = if let Some(k) = a.k {
        let ks = finder.k_shortest(s, t, k, kg_query::DEFAULT_MAX_SPUR_SEARCHES)?;
        let d = ks.paths.first().map(|p| p.len() as u32 - 1);
        (d, None, ks.paths, ks.truncated)
    } else if a.all || a.count || a.sample.is_some() {
        let all = finder.all_shortest(s, t)?;
        let paths = match a.sample {
            Some(n) => all.sample(n, a.seed),
            None if a.count => Vec::new(),
            None => all.paths().take(a.limit).collect(),
        };
        let truncated = a.all && a.sample.is_none() && all.count() > a.limit as u128;
        (all.distance, Some(all.count()), paths, truncated)
    } else {
        let p = finder.shortest_path(s, t)?;
        let d = p.as_ref().map(|p| p.len() as u32 - 1);
        (d, None, p.into_iter().collect(), false)
    };
    if a.json {
        let mut doc = serde_json::json!({
            "distance": distance,
            "count": count.map(count_json),
            "paths": paths,
            "truncated": truncated,
            "steps": paths.iter().map(|p| kg_query::render::path_json(&view, finder.compiled(), p)["steps"].clone()).collect::<Vec<_>>(),
        });
        if count.is_none() {
            doc["count"] = serde_json::json!(paths.len());
        }
        return print_json(&doc);
    }
    match distance {
        None => println!("no path"),
        Some(d) => {
            print!("distance {d}");
            if let Some(c) = count {
                print!(", {} shortest path(s)", count_text(c));
            }
            println!();
            for (i, p) in paths.iter().enumerate() {
                println!("{}: {}", i + 1, kg_query::render::labelled(&view, finder.compiled(), p));
            }
            if truncated {
                println!("(more paths not shown: raise --limit, or use --sample)");
            }
        }
    }
    Ok(())
}

fn medreason_path(view: &GraphView, a: &PathArgs) -> CliResult {
    let g = kg_query::NameGraph::build(view);
    let find = |name: &str| g.id(name).ok_or_else(|| format!("no node named {name:?} (case-insensitive)"));
    let (s, t) = (find(&a.from)?, find(&a.to)?);
    let limits = kg_query::Limits { blocked: None, max_hops: a.max_hops.unwrap_or(u32::MAX) };
    let all = kg_query::paths::all_shortest(&g, limits, s, t);
    let paths: Vec<Vec<u32>> = match a.sample {
        Some(n) => all.sample(n, a.seed),
        None => all.paths().take(a.limit).collect(),
    };
    let named: Vec<Vec<&str>> = paths.iter().map(|p| p.iter().map(|&n| g.name(n)).collect()).collect();
    if a.json {
        return print_json(&serde_json::json!({
            "distance": all.distance, "count": count_json(all.count()), "paths": named,
        }));
    }
    match all.distance {
        None => println!("no path"),
        Some(d) => {
            println!("distance {d}, {} shortest path(s)", count_text(all.count()));
            print!("{}", kg_query::render::medreason(&named));
        }
    }
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
    let db = open(&db)?;
    let r = db.check()?;
    println!("ok: {} nodes, {} edges, {} node sets agree", r.nodes, r.edges, r.sets);
    Ok(())
}

fn run_bench(db: PathBuf, pairs: usize, k_pairs: usize, seed: u64, json: bool) -> CliResult {
    let r = bench::run(&db, pairs, k_pairs, seed)?;
    if json {
        return print_json(&r);
    }
    println!("open {:.1} ms, first query {:.1} us, {} pairs (seed {}), {} threads", r.open_ms, r.first_query_us, r.pairs, r.seed, r.threads);
    println!("{:<55} {:>8} {:>12} {:>12} {:>12}", "query", "n", "p50 us", "p99 us", "mean us");
    for l in &r.latencies {
        println!("{:<55} {:>8} {:>12.1} {:>12.1} {:>12.1}", l.query, l.queries, l.p50_us, l.p99_us, l.mean_us);
    }
    println!("batch shortest paths: {:.0} pairs/s", r.batch_pairs_per_second);
    println!("name index: {} names built in {:.0} ms", r.names, r.name_index_build_ms);
    Ok(())
}

fn batch(db: PathBuf, medreason: bool, max_paths: usize) -> CliResult {
    use std::io::BufRead;
    let db = open(&db)?;
    let view = db.view();
    let names = medreason.then(|| kg_query::NameGraph::build(&view));
    let finder = PathFinder::plain(&view);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for (i, line) in std::io::stdin().lock().lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let (a, b) = line.split_once('\t').ok_or_else(|| format!("stdin:{}: expected FROM<TAB>TO", i + 1))?;
        let doc = match &names {
            Some(g) => {
                let find = |n: &str| g.id(n).ok_or_else(|| format!("stdin:{}: no node named {n:?}", i + 1));
                let all = kg_query::paths::all_shortest(g, kg_query::Limits::default(), find(a)?, find(b)?);
                let paths: Option<Vec<Vec<&str>>> = (all.count() <= max_paths as u128)
                    .then(|| all.paths().map(|p| p.iter().map(|&n| g.name(n)).collect()).collect());
                serde_json::json!({"from": a, "to": b, "distance": all.distance, "count": count_json(all.count()), "paths": paths})
            }
            None => {
                let s = kg_query::resolve(&view, a).map_err(|e| format!("stdin:{}: {e}", i + 1))?;
                let t = kg_query::resolve(&view, b).map_err(|e| format!("stdin:{}: {e}", i + 1))?;
                let all = finder.all_shortest(s, t)?;
                let paths: Option<Vec<Vec<NodeIndex>>> = (all.count() <= max_paths as u128).then(|| all.paths().collect());
                serde_json::json!({"from": s, "to": t, "distance": all.distance, "count": count_json(all.count()), "paths": paths})
            }
        };
        serde_json::to_writer(&mut out, &doc)?;
        writeln!(out)?;
    }
    Ok(())
}

fn apply(db: PathBuf, batches: PathBuf) -> CliResult {
    use std::io::BufRead;
    let db = Database::open(&db, OpenMode::ReadWrite)?;
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
        let batch: kg_core::Batch = serde_json::from_str(&line).map_err(|e| format!("{name}:{}: not a batch: {e}", i + 1))?;
        let report = db.apply(&batch).map_err(|e| format!("{name}:{}: {e}", i + 1))?;
        serde_json::to_writer(&mut out, &report)?;
        writeln!(out)?;
        out.flush()?;
    }
    db.close()?;
    Ok(())
}

/// The database's name index: loaded from `names.idx` when it is of the current generation,
/// else rebuilt from the view and written back (atomically) for the next process.
fn name_index(db: &Database) -> Result<kg_index::NameIndex, Box<dyn std::error::Error>> {
    let path = db.path().map(|p| p.join(NAME_INDEX_FILE));
    if let Some(p) = &path
        && p.exists()
    {
        match kg_index::NameIndex::load_file(p, db.generation()) {
            Ok(Some(idx)) => return Ok(idx),
            Ok(None) => {}
            Err(e) => eprintln!("kgcore: warning: {e}"),
        }
    }
    let idx = kg_index::NameIndex::build(&db.view(), db.generation());
    if let Some(p) = &path
        && let Err(e) = idx.write_file(p)
    {
        eprintln!("kgcore: warning: could not save the name index: {e}");
    }
    Ok(idx)
}

fn embed_import(db: PathBuf, vectors: &std::path::Path, ids: &std::path::Path, params: Option<kg_index::HnswParams>, json: bool) -> CliResult {
    let start = Instant::now();
    let (rows, dim, values) = kg_index::npy::read_matrix(vectors)?;
    let nodes = kg_index::npy::read_ids(ids)?;
    if nodes.len() != rows {
        return Err(format!("{} holds {rows} vectors but {} holds {} node indices", vectors.display(), ids.display(), nodes.len()).into());
    }
    // Read-write: the lock keeps two writers of the vector file apart.
    let db = Database::open(&db, OpenMode::ReadWrite)?;
    let file = db.path().ok_or("an in-memory database has no vector file")?.join(kg_index::VECTOR_FILE);
    let current = if file.exists() {
        match kg_index::VectorIndex::load_file(&file) {
            Ok(idx) => Some(idx),
            Err(e) => {
                eprintln!("kgcore: warning: {e}; replacing it");
                None
            }
        }
    } else {
        None
    };
    let mut idx = match (current, params) {
        (Some(c), p) if c.dim() == dim && c.hnsw_params().is_some() == p.is_some() => c,
        (_, Some(p)) => kg_index::VectorIndex::with_hnsw(dim, p)?,
        (_, None) => kg_index::VectorIndex::new(dim)?,
    };
    idx.add(&db.view(), &nodes, &values)?;
    idx.write_file(&file)?;
    let report = serde_json::json!({
        "rows": rows, "dim": dim, "live": idx.len(), "hnsw": idx.hnsw_params().is_some(),
        "file": file.display().to_string(), "seconds": start.elapsed().as_secs_f64(),
    });
    if json {
        return print_json(&report);
    }
    println!("attached {rows} vectors of dimension {dim} ({} live rows, {}) in {:.1} s: {}", idx.len(),
        if idx.hnsw_params().is_some() { "HNSW" } else { "exact" }, start.elapsed().as_secs_f64(), file.display());
    Ok(())
}

/// The name index file, beside the database's own files.
const NAME_INDEX_FILE: &str = "names.idx";

#[allow(clippy::too_many_arguments)]
fn search(db: PathBuf, text: &str, node_type: Option<&str>, fuzzy: Option<u8>, prefix: bool, limit: usize, json: bool) -> CliResult {
    let db = open(&db)?;
    let idx = name_index(&db)?;
    let view = db.view();
    let hits = match (fuzzy, prefix) {
        (Some(d), _) => idx.fuzzy(&view, text, d, node_type, limit)?,
        (None, true) => idx.prefix(&view, text, node_type, limit)?,
        (None, false) => {
            let nodes = idx.exact(&view, text, node_type)?;
            if nodes.is_empty() { Vec::new() } else { vec![kg_index::Hit { key: kg_index::normalize(text), distance: 0, nodes }] }
        }
    };
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
        println!("no match");
    }
    for d in &docs {
        for n in d["nodes"].as_array().into_iter().flatten() {
            println!("{}\t{}\t{} ({})\tdistance {}", n["index"], n["id"].as_str().unwrap_or(""), n["name"].as_str().unwrap_or(""), n["type"].as_str().unwrap_or(""), d["distance"]);
        }
    }
    Ok(())
}
