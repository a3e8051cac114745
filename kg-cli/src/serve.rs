//! `kgcore serve`: a read-only local HTTP server with a JSON API over one open database, and the
//! explorer page that uses it (built into the binary: no files, no internet at run time).
//!
//! Every API call is a GET with its arguments in the query string and answers JSON; a bad
//! request is a 4xx with `{"error": ...}`. Queries run on tokio's blocking pool against one
//! read-only `Graph` shared by all requests, and each kind of query has a bound on its work.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use kgcore::query::picture::{Picture, caption};
use kgcore::query::render;
use kgcore::{Constraints, Graph, NameMatch, NeighbourFilter, NodeIndex, PathFinder, SetOp};
use serde_json::{Value, json};

use crate::CliResult;

const INDEX_HTML: &str = include_str!("explorer/index.html");
const APP_JS: &str = include_str!("explorer/app.js");

/// Most paths a request lists or samples, and most k for k shortest paths.
pub const MAX_PATHS: usize = 1000;
/// Most k for k shortest paths.
pub const MAX_K: usize = 100;
/// Most nodes of a neighbourhood.
pub const MAX_NEIGHBOURHOOD: usize = 500;
/// Longest query string taken, in bytes.
pub const MAX_QUERY: usize = 8192;

pub fn serve(db: PathBuf, host: String, port: u16) -> CliResult {
    let graph = Arc::new(crate::open(&db)?);
    graph.name_index();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let addr: SocketAddr = format!("{host}:{port}").parse().map_err(|e| format!("--host {host:?} --port {port}: {e}"))?;
        let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| format!("{addr}: {e}"))?;
        let local = listener.local_addr()?;
        // The address line is what scripts and tests wait for (port 0 picks a free one).
        println!("kgcore serve: http://{local}/ ({}, read-only)", db.display());
        use std::io::Write;
        std::io::stdout().flush()?;
        axum::serve(listener, router(graph)).with_graceful_shutdown(async { let _ = tokio::signal::ctrl_c().await; }).await?;
        Ok::<(), Box<dyn std::error::Error>>(())
    })
}

/// The routes: the page, its script, and the API.
pub fn router(graph: Arc<Graph>) -> Router {
    Router::new()
        .route("/", get(|| async { ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], INDEX_HTML) }))
        .route("/app.js", get(|| async { ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], APP_JS) }))
        .route("/api/search", get(|s, q| run(s, q, search)))
        .route("/api/node", get(|s, q| run(s, q, node)))
        .route("/api/paths", get(|s, q| run(s, q, paths)))
        .route("/api/neighbourhood", get(|s, q| run(s, q, neighbourhood)))
        .route("/api/common", get(|s, q| run(s, q, common)))
        .fallback(|| async { ApiError(StatusCode::NOT_FOUND, "no such page or API call".into()).into_response() })
        .with_state(graph)
}

/// An API error: its status and message, answered as `{"error": message}`.
struct ApiError(StatusCode, String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, axum::Json(json!({"error": self.1}))).into_response()
    }
}

impl From<kgcore::Error> for ApiError {
    fn from(e: kgcore::Error) -> Self {
        use kgcore::query::QueryError;
        let status = match &e {
            kgcore::Error::Query(QueryError::UnknownNode(_) | QueryError::UnknownNodeName(_)) | kgcore::Error::UnknownName(_) => StatusCode::NOT_FOUND,
            kgcore::Error::Query(_) | kgcore::Error::Index(_) | kgcore::Error::InvalidArgument(_) => StatusCode::BAD_REQUEST,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        ApiError(status, e.to_string())
    }
}

impl From<kgcore::query::QueryError> for ApiError {
    fn from(e: kgcore::query::QueryError) -> Self {
        kgcore::Error::from(e).into()
    }
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError(StatusCode::BAD_REQUEST, message.into())
}

/// The query string's arguments: each name with every value given to it.
struct Args(HashMap<String, Vec<String>>);

impl Args {
    fn parse(raw: Option<String>) -> Result<Args, ApiError> {
        let raw = raw.unwrap_or_default();
        if raw.len() > MAX_QUERY {
            return Err(ApiError(StatusCode::URI_TOO_LONG, format!("query string of {} bytes; at most {MAX_QUERY}", raw.len())));
        }
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&raw).map_err(|e| bad(format!("query string: {e}")))?;
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        for (k, v) in pairs {
            map.entry(k).or_default().push(v);
        }
        Ok(Args(map))
    }

    fn text(&self, name: &str) -> Option<&str> {
        self.0.get(name).and_then(|v| v.first()).map(String::as_str)
    }

    fn required(&self, name: &str) -> Result<&str, ApiError> {
        self.text(name).filter(|t| !t.trim().is_empty()).ok_or_else(|| bad(format!("missing argument {name:?}")))
    }

    fn all(&self, name: &str) -> Vec<String> {
        self.0.get(name).cloned().unwrap_or_default()
    }

    /// The number `name`, if given (an empty value counts as not given).
    fn optional<T: std::str::FromStr>(&self, name: &str) -> Result<Option<T>, ApiError> {
        match self.text(name) {
            None | Some("") => Ok(None),
            Some(t) => t.parse().map(Some).map_err(|_| bad(format!("argument {name:?}: {t:?} is not a valid number"))),
        }
    }

    fn number<T: std::str::FromStr>(&self, name: &str, default: T) -> Result<T, ApiError> {
        Ok(self.optional(name)?.unwrap_or(default))
    }

    fn flag(&self, name: &str) -> Result<bool, ApiError> {
        match self.text(name) {
            None | Some("") | Some("0") | Some("false") => Ok(false),
            Some("1") | Some("true") => Ok(true),
            Some(t) => Err(bad(format!("argument {name:?}: {t:?} is neither true nor false"))),
        }
    }

    /// The path constraints, named as the CLI names them.
    fn constraints(&self) -> Result<Constraints, ApiError> {
        let list = |name: &str| Some(self.all(name)).filter(|v| !v.is_empty());
        let exclude_nodes = self.all("exclude_node").iter().map(|n| n.parse::<NodeIndex>().map_err(|_| bad(format!("exclude_node {n:?} is not a node index")))).collect::<Result<_, _>>()?;
        Ok(Constraints {
            directed: self.flag("directed")?,
            node_types: list("type"),
            exclude_node_types: self.all("exclude_type"),
            relations: list("relation"),
            exclude_relations: self.all("exclude_relation"),
            exclude_nodes,
            max_hops: self.optional("max_hops")?,
            max_degree: self.optional("max_degree")?,
        })
    }
}

/// Parses the arguments, runs `handler` on the blocking pool, answers its JSON or its error.
async fn run(State(graph): State<Arc<Graph>>, RawQuery(raw): RawQuery, handler: fn(&Graph, &Args) -> Result<Value, ApiError>) -> Response {
    let args = match Args::parse(raw) {
        Ok(a) => a,
        Err(e) => return e.into_response(),
    };
    match tokio::task::spawn_blocking(move || handler(&graph, &args)).await {
        Ok(Ok(v)) => axum::Json(v).into_response(),
        Ok(Err(e)) => e.into_response(),
        Err(_) => ApiError(StatusCode::INTERNAL_SERVER_ERROR, "the query failed".into()).into_response(),
    }
}

fn node_json(graph: &Graph, n: NodeIndex) -> Value {
    let view = graph.view();
    match view.node(n) {
        Some(r) => json!({"index": n, "id": r.id, "type": r.node_type, "name": r.name, "source": r.source, "degree": view.degree(n)}),
        None => json!({"index": n}),
    }
}

/// `q`, `how` (exact | prefix | fuzzy), `type`, `limit` (at most 50).
fn search(graph: &Graph, a: &Args) -> Result<Value, ApiError> {
    let q = a.required("q")?;
    let how = match a.text("how").unwrap_or("prefix") {
        "exact" => NameMatch::Exact,
        "prefix" => NameMatch::Prefix,
        "fuzzy" => NameMatch::Fuzzy(if q.chars().count() > 8 { 2 } else { 1 }),
        other => return Err(bad(format!("how {other:?}: expected exact, prefix or fuzzy"))),
    };
    let limit = a.number("limit", 10usize)?.min(50);
    let hits = graph.search_names(q, how, a.text("type").filter(|t| !t.is_empty()), limit)?;
    let hits: Vec<Value> = hits.iter().map(|h| json!({"name": h.key, "distance": h.distance, "nodes": h.nodes.iter().take(20).map(|&n| node_json(graph, n)).collect::<Vec<_>>()})).collect();
    Ok(json!({"hits": hits}))
}

/// `node` (index, name or id): the node and its card.
fn node(graph: &Graph, a: &Args) -> Result<Value, ApiError> {
    let n = graph.resolve(a.required("node")?)?;
    let tokens = a.number("tokens", 200usize)?.min(4000);
    let card = graph.card(n, tokens)?;
    let mut v = node_json(graph, n);
    v["card"] = serde_json::to_value(&card).map_err(|e| bad(e.to_string()))?;
    Ok(v)
}

/// `from`, `to`, `kind` (shortest | all | sample | k), `n` (paths listed, sampled, or k),
/// `seed`, `medreason`, and the constraints. Answers the paths, their labelled and prompt
/// forms, and the picture.
fn paths(graph: &Graph, a: &Args) -> Result<Value, ApiError> {
    let (from, to) = (a.required("from")?, a.required("to")?);
    let kind = a.text("kind").unwrap_or("all");
    let n = a.number("n", 50usize)?;
    let seed = a.number("seed", 0u64)?;
    if n == 0 || n > MAX_PATHS || (kind == "k" && n > MAX_K) {
        return Err(bad(format!("n {n}: at least 1, at most {} for kind {kind:?}", if kind == "k" { MAX_K } else { MAX_PATHS })));
    }
    if a.flag("medreason")? {
        let c = a.constraints()?;
        if c != (Constraints { max_hops: c.max_hops, ..Constraints::default() }) {
            return Err(bad("MedReason's name graph takes max_hops only (it has no types, relations or directions)"));
        }
        let all = graph.medreason_pair(from, to, c.max_hops)?;
        let named = match kind {
            "sample" => all.sample(n, seed)?,
            "all" | "shortest" => all.first(if kind == "shortest" { 1 } else { n })?,
            other => return Err(bad(format!("kind {other:?}: MedReason's graph answers shortest, all or sample"))),
        };
        let text = caption(&from.to_lowercase(), &to.to_lowercase(), all.distance(), Some(all.count()), named.len(), false);
        let picture = Picture::named(&named, &text);
        return Ok(json!({
            "distance": all.distance(), "count": all.count().to_string(), "paths": named, "prompt": render::medreason(&named),
            "svg": picture.svg(), "nodes": picture.node_count(), "edges": picture.edge_count(), "caption": picture.caption(),
        }));
    }
    let (s, t) = (graph.resolve(from)?, graph.resolve(to)?);
    let view = graph.view();
    let finder = PathFinder::new(&view, &a.constraints()?)?;
    let (distance, count, found) = match kind {
        "shortest" => {
            let p = finder.shortest_path(s, t)?;
            (p.as_ref().map(|p| p.len() as u32 - 1), None, p.into_iter().collect::<Vec<_>>())
        }
        "all" | "sample" => {
            let all = finder.all_shortest(s, t)?;
            let listed = if kind == "sample" { all.sample(n, seed)? } else { all.first(n)? };
            (all.distance, Some(all.count()), listed)
        }
        "k" => {
            let mut deadline = kgcore::query::deadline(Some(kgcore::query::DEFAULT_K_SHORTEST_SECONDS))?;
            let ks = finder.k_shortest_until(s, t, n, kgcore::query::DEFAULT_MAX_SPUR_SEARCHES, &mut deadline)?;
            (ks.paths.first().map(|p| p.len() as u32 - 1), None, ks.paths)
        }
        other => return Err(bad(format!("kind {other:?}: expected shortest, all, sample or k"))),
    };
    let text = caption(view.name(s), view.name(t), distance, count, found.len(), kind == "k");
    let picture = Picture::typed(&view, finder.resolved(), &found, &text);
    Ok(json!({
        "from": node_json(graph, s), "to": node_json(graph, t),
        "distance": distance, "count": count.map_or_else(|| found.len().to_string(), |c| c.to_string()), "paths": found,
        "labelled": found.iter().map(|p| render::labelled(&view, finder.resolved(), p)).collect::<Vec<_>>(),
        "prompt": render::medreason_nodes(&view, &found),
        "svg": picture.svg(), "nodes": picture.node_count(), "edges": picture.edge_count(), "caption": picture.caption(),
    }))
}

/// `node`, `hops` (at most 3), `max_nodes` (at most 500), and the constraints.
fn neighbourhood(graph: &Graph, a: &Args) -> Result<Value, ApiError> {
    let n = graph.resolve(a.required("node")?)?;
    let hops = a.number("hops", 1u32)?;
    if hops > 3 {
        return Err(bad(format!("hops {hops}: at most 3")));
    }
    let max_nodes = a.number("max_nodes", 50usize)?.min(MAX_NEIGHBOURHOOD);
    let view = graph.view();
    let hood = PathFinder::new(&view, &a.constraints()?)?.neighbourhood(&[n], hops, max_nodes, max_nodes * 4)?;
    Ok(json!({
        "nodes": hood.nodes.iter().map(|&(m, h)| { let mut v = node_json(graph, m); v["hops"] = json!(h); v }).collect::<Vec<_>>(),
        "edges": hood.edges.iter().map(|e| json!({"source": e.source, "target": e.target, "relation": view.vocab().label_relation(e.label)})).collect::<Vec<_>>(),
        "truncated": hood.truncated,
    }))
}

/// `a`, `b`, `op` (intersection | union | difference), `direction`, `relation`, `type`.
fn common(graph: &Graph, a: &Args) -> Result<Value, ApiError> {
    let (x, y) = (graph.resolve(a.required("a")?)?, graph.resolve(a.required("b")?)?);
    let op: SetOp = a.text("op").unwrap_or("intersection").parse()?;
    let list = |name: &str| Some(a.all(name)).filter(|v| !v.is_empty());
    let filter = NeighbourFilter { direction: a.text("direction").unwrap_or("both").parse()?, relations: list("relation"), node_types: list("type") };
    let members = graph.set_members(x, y, op, &filter)?;
    Ok(json!({"size": members.len(), "members": members.iter().take(50).map(|&m| node_json(graph, m)).collect::<Vec<_>>()}))
}
