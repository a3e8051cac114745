//! Pictures of path results: a set of paths between two nodes drawn as their layered DAG, left
//! to right by hop, as one self-contained SVG (no scripts, no fonts or files from elsewhere).
//!
//! The layout is the layered one path sets call for, owned here (a general graph layout would
//! not be): layers by longest path from the source over the union of the paths (for shortest
//! paths, the hop), the target in the last layer, order within a layer by barycentre sweeps
//! against the neighbouring layers, edge labels kept only where they do not overlap (every edge
//! also names its relation in a tooltip). A result larger than [`MAX_DRAWN_NODES`] is cut to
//! whole paths and the caption says what was left out.

use std::collections::HashMap;
use std::fmt::Write;

use kg_core::{GraphView, NodeIndex};

use crate::filter::ResolvedConstraints;
use crate::render::hops;

/// Most nodes a picture draws: beyond this a drawing is a hairball, not an answer.
pub const MAX_DRAWN_NODES: usize = 60;

const BOX_W: f64 = 150.0;
const BOX_H: f64 = 34.0;
const COLUMN: f64 = 270.0;
const ROW: f64 = 48.0;
const MARGIN: f64 = 20.0;
const HEADER: f64 = 58.0;
const LINE_CHARS: usize = 22;
const LABEL_GAP: f64 = 12.0;

/// The caption of a path set from `from` to `to`: "Fever → gonorrhea: 12 shortest paths of
/// length 3; 5 listed". `count` is the number of shortest paths when known; `k_shortest` says
/// the paths are the k shortest loopless ones (of several lengths).
pub fn caption(from: &str, to: &str, distance: Option<u32>, count: Option<u128>, listed: usize, k_shortest: bool) -> String {
    let what = match (distance, count) {
        (None, _) => "no path".to_owned(),
        _ if k_shortest => format!("the {listed} shortest loopless path{}", if listed == 1 { "" } else { "s" }),
        (Some(d), Some(c)) if c as usize != listed => format!("{c} shortest paths of length {d}; {listed} listed"),
        (Some(d), Some(c)) => format!("{c} shortest path{} of length {d}", if c == 1 { "" } else { "s" }),
        (Some(d), None) => format!("a shortest path of length {d}"),
    };
    format!("{from} → {to}: {what}")
}

/// A node as drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrawnNode {
    /// What names the node to the caller: its index, or MedReason's lowercased name.
    pub key: String,
    /// The name shown (wrapped, or shortened with an ellipsis).
    pub name: String,
    /// Its type, which picks the colour ("" when not known: MedReason's merged names).
    pub kind: String,
    /// The tooltip: the whole name, type and id.
    pub detail: String,
}

/// A drawing of a path set, ready to render as SVG.
#[derive(Debug, Clone)]
pub struct Picture {
    nodes: Vec<DrawnNode>,
    /// (from, to, relation) by node position; "from" is the earlier node on the path.
    edges: Vec<(usize, usize, String)>,
    caption: String,
    /// What was left out, for the caption ("" when everything is drawn).
    left_out: String,
}

impl Picture {
    /// The paths of `view` (node indices, each from the same source to the same target), each
    /// step labelled with the display relation of the stored edge `constraints` allow.
    pub fn typed(view: &GraphView, constraints: &ResolvedConstraints, paths: &[Vec<NodeIndex>], caption: &str) -> Picture {
        let mut b = Builder::default();
        for path in paths {
            let steps: Vec<(String, DrawnNode)> = path
                .iter()
                .map(|&n| {
                    let node = match view.node(n) {
                        Some(r) => DrawnNode { key: n.to_string(), name: r.name.to_owned(), kind: r.node_type.to_owned(), detail: format!("{} ({}; {}; node {n})", r.name, r.node_type, r.id) },
                        None => DrawnNode { key: n.to_string(), name: format!("#{n}"), kind: String::new(), detail: format!("node {n}") },
                    };
                    (n.to_string(), node)
                })
                .collect();
            let relations: Vec<String> = hops(view, constraints, path).into_iter().map(|h| h.map(|h| view.vocab().label_display(h.label).to_owned()).unwrap_or_default()).collect();
            b.add(steps, relations);
        }
        b.finish(caption, paths.len())
    }

    /// Paths of MedReason's name graph: a node is a lowercased name, steps carry no relation.
    pub fn named<S: AsRef<str>>(paths: &[Vec<S>], caption: &str) -> Picture {
        let mut b = Builder::default();
        for path in paths {
            let steps = path
                .iter()
                .map(|s| {
                    let name = s.as_ref().to_lowercase();
                    (name.clone(), DrawnNode { key: name.clone(), name: name.clone(), kind: String::new(), detail: name })
                })
                .collect::<Vec<_>>();
            let relations = vec![String::new(); path.len().saturating_sub(1)];
            b.add(steps, relations);
        }
        b.finish(caption, paths.len())
    }

    /// Nodes drawn.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Edges drawn (distinct node pairs).
    pub fn edge_count(&self) -> usize {
        self.edges.len()
    }

    /// The caption: the given one, then what was left out.
    pub fn caption(&self) -> String {
        if self.left_out.is_empty() { self.caption.clone() } else { format!("{}; {}", self.caption, self.left_out) }
    }

    /// The drawing as a self-contained SVG document.
    pub fn svg(&self) -> String {
        let layout = Layout::of(self);
        let mut out = String::with_capacity(4096 + 600 * self.nodes.len());
        let _ = write!(
            out,
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0}" height="{h:.0}" viewBox="0 0 {w:.0} {h:.0}" font-family="sans-serif" font-size="11" class="kgcore-paths" data-nodes="{n}" data-edges="{e}">"##,
            w = layout.width,
            h = layout.height,
            n = self.nodes.len(),
            e = self.edges.len()
        );
        out.push_str(r##"<defs><marker id="kg-arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#666"/></marker></defs>"##);
        let _ = write!(out, r##"<rect width="100%" height="100%" fill="#ffffff"/><text x="{MARGIN}" y="20" font-size="13" font-weight="bold">{}</text>"##, escape(&self.caption()));
        for (kind, x) in self.legend() {
            let _ = write!(out, r##"<rect x="{x}" y="30" width="10" height="10" fill="{}" stroke="#555" stroke-width="0.5"/><text x="{}" y="39">{}</text>"##, colour(kind), x + 14.0, escape(kind));
        }
        for (i, (from, to, relation)) in self.edges.iter().enumerate() {
            let (x1, y1) = (layout.x[*from] + BOX_W, layout.y[*from] + BOX_H / 2.0);
            let (x2, y2) = (layout.x[*to], layout.y[*to] + BOX_H / 2.0);
            let (x1, x2, back) = if x2 > x1 { (x1, x2, false) } else { (layout.x[*from], layout.x[*to] + BOX_W, true) };
            let bend = if back { -60.0 } else { (x2 - x1) / 2.0 };
            let _ = write!(
                out,
                r##"<path class="kg-edge" d="M{x1:.1},{y1:.1} C{:.1},{y1:.1} {:.1},{y2:.1} {x2:.1},{y2:.1}" fill="none" stroke="#888" stroke-width="1.2" marker-end="url(#kg-arrow)"><title>{}</title></path>"##,
                x1 + bend,
                x2 - bend,
                escape(if relation.is_empty() { "edge" } else { relation })
            );
            if let Some((lx, ly)) = layout.labels[i] {
                let _ = write!(out, r##"<text class="kg-edge-label" x="{lx:.1}" y="{ly:.1}" text-anchor="middle" fill="#444" font-size="10" paint-order="stroke" stroke="#fff" stroke-width="3">{}</text>"##, escape(&shorten(relation, 20)));
            }
        }
        for (i, node) in self.nodes.iter().enumerate() {
            let (x, y) = (layout.x[i], layout.y[i]);
            let _ = write!(
                out,
                r##"<g class="kg-node" data-index="{i}" data-key="{}"><title>{}</title><rect x="{x:.1}" y="{y:.1}" width="{BOX_W}" height="{BOX_H}" rx="5" fill="{}" stroke="#555" stroke-width="0.8"/>"##,
                escape(&node.key),
                escape(&node.detail),
                if node.kind.is_empty() { "#eeeeee".to_owned() } else { colour(&node.kind) }
            );
            let lines = wrap(&node.name);
            let first = y + BOX_H / 2.0 - 6.0 * (lines.len() as f64 - 1.0) + 4.0;
            for (k, line) in lines.iter().enumerate() {
                let _ = write!(out, r##"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"##, x + BOX_W / 2.0, first + 12.0 * k as f64, escape(line));
            }
            out.push_str("</g>");
        }
        if layout.hidden_labels > 0 {
            let _ = write!(out, r##"<text x="{MARGIN}" y="{:.1}" fill="#666">{} edge labels hidden where they would overlap; hover an edge for its relation</text>"##, layout.height - 8.0, layout.hidden_labels);
        }
        out.push_str("</svg>\n");
        out
    }
}

impl Picture {
    /// The legend: each node type drawn, sorted, with the x where its swatch goes.
    fn legend(&self) -> Vec<(&str, f64)> {
        let mut kinds: Vec<&str> = self.nodes.iter().map(|n| n.kind.as_str()).filter(|k| !k.is_empty()).collect();
        kinds.sort_unstable();
        kinds.dedup();
        let mut x = MARGIN;
        kinds
            .into_iter()
            .map(|kind| {
                let at = x;
                x += 24.0 + 6.5 * kind.chars().count() as f64;
                (kind, at)
            })
            .collect()
    }
}

/// Collects paths into nodes and edges, keeping whole paths while they fit.
#[derive(Default)]
struct Builder {
    nodes: Vec<DrawnNode>,
    index: HashMap<String, usize>,
    edges: Vec<(usize, usize, String)>,
    edge_seen: std::collections::HashSet<(usize, usize)>,
    drawn: usize,
}

impl Builder {
    fn add(&mut self, steps: Vec<(String, DrawnNode)>, relations: Vec<String>) {
        let new = steps.iter().filter(|(k, _)| !self.index.contains_key(k)).map(|(k, _)| k).collect::<std::collections::HashSet<_>>().len();
        if self.nodes.len() + new > MAX_DRAWN_NODES {
            return;
        }
        let ids: Vec<usize> = steps
            .into_iter()
            .map(|(key, node)| {
                let next = self.nodes.len();
                *self.index.entry(key).or_insert_with(|| {
                    self.nodes.push(node);
                    next
                })
            })
            .collect();
        for (w, relation) in ids.windows(2).zip(relations) {
            if w[0] != w[1] && self.edge_seen.insert((w[0], w[1])) {
                self.edges.push((w[0], w[1], relation));
            }
        }
        self.drawn += 1;
    }

    fn finish(self, caption: &str, given: usize) -> Picture {
        let left_out = if self.drawn < given { format!("{} of {given} paths drawn ({} nodes; at most {MAX_DRAWN_NODES})", self.drawn, self.nodes.len()) } else { String::new() };
        Picture { nodes: self.nodes, edges: self.edges, caption: caption.to_owned(), left_out }
    }
}

/// Where everything goes.
struct Layout {
    x: Vec<f64>,
    y: Vec<f64>,
    /// Per edge, where its label goes; `None` where it would overlap another.
    labels: Vec<Option<(f64, f64)>>,
    hidden_labels: usize,
    width: f64,
    height: f64,
}

impl Layout {
    fn of(p: &Picture) -> Layout {
        let n = p.nodes.len();
        let layer = layers(n, &p.edges);
        let depth = layer.iter().copied().max().map_or(1, |m| m + 1);
        let mut rows: Vec<Vec<usize>> = vec![Vec::new(); depth];
        for (v, &l) in layer.iter().enumerate() {
            rows[l].push(v);
        }
        order_rows(&mut rows, &p.edges);
        let tallest = rows.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let height = HEADER + tallest as f64 * ROW + 30.0;
        let (mut x, mut y) = (vec![0.0; n], vec![0.0; n]);
        for (l, row) in rows.iter().enumerate() {
            // Each layer centred on the tallest.
            let top = HEADER + (tallest - row.len()) as f64 * ROW / 2.0;
            for (k, &v) in row.iter().enumerate() {
                x[v] = MARGIN + l as f64 * COLUMN;
                y[v] = top + k as f64 * ROW;
            }
        }
        // Labels at edge midpoints, per gap between columns, dropped where they would overlap.
        let mut labels: Vec<Option<(f64, f64)>> = vec![None; p.edges.len()];
        let mut by_gap: HashMap<(usize, usize), Vec<(f64, usize)>> = HashMap::new();
        for (i, (a, b, r)) in p.edges.iter().enumerate() {
            if r.is_empty() {
                continue;
            }
            let mid = (y[*a] + y[*b]) / 2.0 + BOX_H / 2.0 - 3.0;
            by_gap.entry((layer[*a], layer[*b])).or_default().push((mid, i));
        }
        let mut hidden = 0;
        for ((la, lb), mut list) in by_gap {
            list.sort_by(|p, q| p.0.total_cmp(&q.0));
            let mut last = f64::NEG_INFINITY;
            // Edges spanning several columns are labelled in their first gap.
            let lx = MARGIN + la.min(lb) as f64 * COLUMN + BOX_W + (COLUMN - BOX_W) / 2.0;
            for (ly, i) in list {
                if ly - last >= LABEL_GAP {
                    labels[i] = Some((lx, ly));
                    last = ly;
                } else {
                    hidden += 1;
                }
            }
        }
        let width = MARGIN * 2.0 + (depth - 1) as f64 * COLUMN + BOX_W;
        let legend = p.legend().last().map_or(0.0, |(kind, x)| x + 24.0 + 6.5 * kind.chars().count() as f64);
        // Wide enough for the legend, and for a caption of a one-node drawing.
        Layout { x, y, labels, hidden_labels: hidden, width: width.max(legend + MARGIN).max(420.0), height }
    }
}

/// Each node's layer: the longest path to it over the edges (the source in layer 0), edges that
/// would close a cycle ignored; the nodes with no way out (the target) in the last layer.
fn layers(n: usize, edges: &[(usize, usize, String)]) -> Vec<usize> {
    let mut indegree = vec![0usize; n];
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (a, b, _) in edges {
        out[*a].push(*b);
        indegree[*b] += 1;
    }
    let mut layer = vec![0usize; n];
    let mut done = vec![false; n];
    let mut ready: Vec<usize> = (0..n).filter(|&v| indegree[v] == 0).collect();
    let mut remaining = n;
    while remaining > 0 {
        if ready.is_empty() {
            // A cycle: take the first unplaced node (in order of appearance) as if ready.
            ready.push((0..n).find(|&v| !done[v]).expect("a node remains"));
        }
        let v = ready.remove(0);
        if done[v] {
            continue;
        }
        done[v] = true;
        remaining -= 1;
        for &w in &out[v] {
            if !done[w] {
                layer[w] = layer[w].max(layer[v] + 1);
                indegree[w] -= 1;
                if indegree[w] == 0 {
                    ready.push(w);
                }
            }
        }
    }
    let last = layer.iter().copied().max().unwrap_or(0);
    for (v, l) in layer.iter_mut().enumerate() {
        if out[v].is_empty() && edges.iter().any(|e| e.1 == v) {
            *l = last;
        }
    }
    layer
}

/// Orders each layer by the mean position of its neighbours in the layer before (then after),
/// four sweeps: fewer crossings, a readable picture.
fn order_rows(rows: &mut [Vec<usize>], edges: &[(usize, usize, String)]) {
    let n = rows.iter().map(Vec::len).sum::<usize>();
    let mut pos = vec![0.0f64; n];
    let mut neighbours: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (a, b, _) in edges {
        neighbours[*a].push(*b);
        neighbours[*b].push(*a);
    }
    for row in rows.iter() {
        for (k, &v) in row.iter().enumerate() {
            pos[v] = k as f64;
        }
    }
    for sweep in 0..4 {
        let order: Vec<usize> = if sweep % 2 == 0 { (1..rows.len()).collect() } else { (0..rows.len().saturating_sub(1)).rev().collect() };
        for l in order {
            let adjacent = if sweep % 2 == 0 { l - 1 } else { l + 1 };
            let in_adjacent: std::collections::HashSet<usize> = rows[adjacent].iter().copied().collect();
            let mut keyed: Vec<(f64, usize, usize)> = rows[l]
                .iter()
                .enumerate()
                .map(|(k, &v)| {
                    let near: Vec<f64> = neighbours[v].iter().filter(|w| in_adjacent.contains(w)).map(|&w| pos[w]).collect();
                    let centre = if near.is_empty() { k as f64 } else { near.iter().sum::<f64>() / near.len() as f64 };
                    (centre, k, v)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            rows[l] = keyed.into_iter().map(|x| x.2).collect();
            for (k, &v) in rows[l].iter().enumerate() {
                pos[v] = k as f64;
            }
        }
    }
}

/// A name in at most two lines of [`LINE_CHARS`], cut with an ellipsis beyond.
fn wrap(name: &str) -> Vec<String> {
    let mut lines: Vec<String> = vec![String::new()];
    for word in name.split_whitespace() {
        let line = lines.last_mut().expect("a line");
        if line.is_empty() || line.chars().count() + 1 + word.chars().count() <= LINE_CHARS {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        } else if lines.len() < 2 {
            lines.push(word.to_owned());
        } else {
            lines[1].push_str(" …");
            break;
        }
    }
    lines.into_iter().map(|l| shorten(&l, LINE_CHARS)).collect()
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max { s.to_owned() } else { format!("{}…", s.chars().take(max - 1).collect::<String>()) }
}

/// The fill colour of a node type: PrimeKG's ten types fixed, any other from a hash.
fn colour(kind: &str) -> String {
    const FIXED: [(&str, &str); 10] = [
        ("biological_process", "#8dd3c7"),
        ("gene/protein", "#80b1d3"),
        ("disease", "#fb8072"),
        ("effect/phenotype", "#fdb462"),
        ("anatomy", "#b3de69"),
        ("molecular_function", "#bebada"),
        ("drug", "#fccde5"),
        ("cellular_component", "#d9d9d9"),
        ("pathway", "#bc80bd"),
        ("exposure", "#ccebc5"),
    ];
    const SPARE: [&str; 6] = ["#ffffb3", "#e5d8bd", "#fddaec", "#b3cde3", "#decbe4", "#fed9a6"];
    if let Some((_, c)) = FIXED.iter().find(|(k, _)| *k == kind) {
        return (*c).to_owned();
    }
    let hash = kind.bytes().fold(2166136261u32, |h, b| (h ^ b as u32).wrapping_mul(16777619));
    SPARE[hash as usize % SPARE.len()].to_owned()
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}
