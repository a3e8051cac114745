//! Streaming, parallel parser for PrimeKG's `kg.csv` and the `nodes.csv` + `edges.csv` pair,
//! plain or gzip-compressed.
//!
//! A reader thread decompresses and cuts the input into blocks at record boundaries (a newline
//! outside quotes); blocks are parsed on all cores and merged in file order, so "first
//! occurrence wins" and the reported error is always the earliest one in the file.

use rustc_hash::FxHashMap as HashMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::model::{LabelId, MAX_NODE_INDEX, NodeIndex, TermId, Vocab};
use crate::view::{EdgeRec, NodeRec};

const BLOCK: usize = 4 << 20;

const KG_COLUMNS: [&str; 12] = [
    "relation", "display_relation", "x_index", "x_id", "x_type", "x_name", "x_source", "y_index", "y_id", "y_type",
    "y_name", "y_source",
];
const NODES_COLUMNS: [&str; 5] = ["node_index", "node_id", "node_type", "node_name", "node_source"];
const EDGES_COLUMNS: [&str; 4] = ["relation", "display_relation", "x_index", "y_index"];

/// Which of PrimeKG's files an input is, told by its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FileKind {
    /// `nodes.csv`: one node per row.
    Nodes,
    /// `kg.csv`: one edge per row with both endpoints spelled out.
    Kg,
    /// `edges.csv`: one edge per row by node index.
    Edges,
}

/// Column positions of one input file.
#[derive(Debug, Clone)]
struct Layout {
    kind: FileKind,
    /// Positions of the kind's columns, in the order of its column list.
    cols: Vec<usize>,
    width: usize,
}

/// What an import read.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct LoadStats {
    /// Files read.
    pub files: usize,
    /// Data rows read, of every kind.
    pub rows: u64,
    /// Rows of nodes.csv files.
    pub node_rows: u64,
    /// Edge rows (kg.csv or edges.csv).
    pub edge_rows: u64,
    /// Edge rows whose (relation, source, target) was already stored or read.
    pub duplicates_skipped: u64,
}

/// Progress of a running load: bytes of input read so far, of the total.
#[derive(Debug, Default)]
pub struct Progress {
    /// Bytes read so far (compressed bytes for .gz files).
    pub read: AtomicU64,
    /// Bytes to read in all.
    pub total: AtomicU64,
}

/// The nodes and edges read from a set of files, validated, deduplicated and sorted.
#[derive(Debug, Default)]
pub struct LoadedGraph {
    /// The vocabulary, the base's grown by the files.
    pub vocab: Vocab,
    /// Every node, the base's and the files'.
    pub nodes: Vec<NodeRec>,
    /// Sorted by (source, target, label), distinct by (source, target, relation).
    pub edges: Vec<EdgeRec>,
    /// What was read.
    pub stats: LoadStats,
}

struct NodeSeen {
    rec: NodeRec,
    file: usize,
    line: u64,
}

/// A node already merged, as its row spells it, where it was first given (`file` is
/// `usize::MAX` for a node of the database): parse tasks check their nodes against these on
/// all cores, so the merge in file order handles only nodes it has not seen.
struct KnownNode {
    /// Its [`node_key`].
    key: Box<[u8]>,
    file: usize,
    line: u64,
}

type KnownNodes = std::sync::RwLock<HashMap<NodeIndex, KnownNode>>;

/// A node's fields as error messages show them.
fn describe_node(id: &str, node_type: &str, name: &str, source: &str) -> String {
    format!("({id:?}, {node_type:?}, {name:?}, {source:?})")
}

/// Where a merged node was first given, as error messages say it.
fn first_given(files: &[String], file: usize, line: u64) -> String {
    if file == usize::MAX { "in the database".to_owned() } else { format!("at {}:{line}", files[file]) }
}

/// Reads `files` on top of `base` (the nodes and vocabulary a database already holds).
pub fn load_files(
    files: &[PathBuf],
    base_vocab: Vocab,
    base_nodes: impl IntoIterator<Item = NodeRec>,
    progress: Option<Arc<Progress>>,
) -> Result<LoadedGraph> {
    let mut inputs = Vec::new();
    for path in files {
        let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
        if !meta.is_file() {
            return Err(Error::io(path, std::io::Error::other("not a regular file")));
        }
        if let Some(p) = &progress {
            p.total.fetch_add(meta.len(), Ordering::Relaxed);
        }
        let (layout, reader, header_lines) = open_input(path, progress.clone())?;
        inputs.push((path.clone(), layout, reader, header_lines));
    }
    // Nodes files first, so that edges files can be checked against every node given.
    inputs.sort_by_key(|(_, layout, _, _)| layout.kind);

    let mut merge = Merger {
        vocab: base_vocab,
        nodes: HashMap::default(),
        files: inputs.iter().map(|(p, ..)| p.display().to_string()).collect(),
        edges: Vec::new(),
        stats: LoadStats { files: files.len(), ..LoadStats::default() },
        known: Arc::new(KnownNodes::default()),
    };
    for rec in base_nodes {
        merge.nodes.insert(rec.index, NodeSeen { rec, file: usize::MAX, line: 0 });
    }
    merge.remember(merge.nodes.keys().copied().collect::<Vec<_>>());
    for (file_no, (_, layout, reader, header_lines)) in inputs.into_iter().enumerate() {
        let name: Arc<str> = merge.files[file_no].as_str().into();
        let (tx, rx) = std::sync::mpsc::sync_channel::<Block>(4);
        let reader_name = Arc::clone(&name);
        let handle = std::thread::spawn(move || cut_blocks(reader, header_lines + 1, &reader_name, &tx));
        let layout = Arc::new(layout);
        let known = Arc::clone(&merge.known);
        let files = Arc::new(merge.files.clone());
        let result = parse_in_order(&rx, &layout, &name, &known, &files, |p| merge.absorb(p, file_no, layout.kind));
        drop(rx);
        let reader_result = handle.join().map_err(|_| Error::InvalidInput(format!("{name}: reader thread failed")))?;
        result?;
        reader_result?;
    }
    merge.finish()
}

/// Parses the blocks `blocks` brings on all cores and hands them to `absorb` in file order,
/// absorbing one while the next ones are parsed. Stops at the first error, in file order.
fn parse_in_order(
    blocks: &std::sync::mpsc::Receiver<Block>,
    layout: &Arc<Layout>,
    name: &Arc<str>,
    known: &Arc<KnownNodes>,
    files: &Arc<Vec<String>>,
    mut absorb: impl FnMut(Parsed) -> Result<()>,
) -> Result<()> {
    // Enough blocks in flight to keep every core parsing while one is absorbed, few enough to
    // bound memory.
    let limit = rayon::current_num_threads().max(1) + 2;
    let (done_tx, done_rx) = std::sync::mpsc::channel::<(usize, Result<Parsed>)>();
    let mut ready = std::collections::BTreeMap::new();
    let (mut sent, mut next) = (0usize, 0usize);
    let mut reader_open = true;
    loop {
        while reader_open && sent - next < limit {
            // The channel closes when the reader stops, at the end or on a read error; a read
            // error is reported after the blocks before it, so the earliest error wins.
            match blocks.recv() {
                Ok(block) => {
                    let (tx, layout, name) = (done_tx.clone(), Arc::clone(layout), Arc::clone(name));
                    let (known, files) = (Arc::clone(known), Arc::clone(files));
                    rayon::spawn(move || {
                        let parsed = parse_block(&block, &layout, &name).and_then(|p| drop_known(p, &known, &files, &name));
                        let _ = tx.send((sent, parsed));
                    });
                    sent += 1;
                }
                Err(_) => reader_open = false,
            }
        }
        if next == sent {
            return Ok(());
        }
        let (seq, parsed) = match rayon::current_thread_index() {
            // On a worker of the pool, run queued parses rather than block a thread they need.
            Some(_) => loop {
                if let Ok(done) = done_rx.try_recv() {
                    break done;
                }
                if rayon::yield_now() != Some(rayon::Yield::Executed) {
                    std::thread::yield_now();
                }
            },
            None => done_rx.recv().expect("a parse task sends before it ends"),
        };
        ready.insert(seq, parsed);
        while let Some(parsed) = ready.remove(&next) {
            next += 1;
            absorb(parsed?)?;
        }
    }
}

/// Opens `path`, decompressing if it starts with gzip's magic, and reads its header.
fn open_input(path: &Path, progress: Option<Arc<Progress>>) -> Result<(Layout, Box<dyn Read + Send>, u64)> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let counted = CountingReader { inner: file, progress };
    let mut buffered = BufReader::with_capacity(1 << 20, counted);
    let mut magic = [0u8; 2];
    let n = read_up_to(&mut buffered, &mut magic).map_err(|e| Error::io(path, e))?;
    let head = std::io::Cursor::new(magic[..n].to_vec()).chain(buffered);
    let mut reader: Box<dyn Read + Send> = if n == 2 && magic == [0x1f, 0x8b] {
        Box::new(BufReader::with_capacity(1 << 20, flate2::read::MultiGzDecoder::new(head)))
    } else {
        Box::new(head)
    };
    let name = path.display().to_string();
    let mut header = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        match reader.read(&mut byte) {
            Ok(0) => break,
            Ok(_) if byte[0] == b'\n' => break,
            Ok(_) => header.push(byte[0]),
            Err(e) => return Err(read_error(&name, 1, e)),
        }
        if header.len() > 1 << 16 {
            if header.contains(&b'\r') {
                return Err(bare_carriage_returns(&name));
            }
            return Err(Error::Parse { file: name, line: 1, message: "header line longer than 64 KiB".into() });
        }
    }
    if header.is_empty() {
        return Err(Error::Parse { file: name, line: 1, message: "file is empty: expected a CSV header".into() });
    }
    let layout = parse_header(&header, &name)?;
    Ok((layout, reader, 1))
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

fn read_error(file: &str, line: u64, e: std::io::Error) -> Error {
    let what = if e.kind() == std::io::ErrorKind::UnexpectedEof || e.to_string().contains("corrupt deflate") {
        "compressed input is truncated or corrupt"
    } else {
        "read failed"
    };
    Error::Parse { file: file.to_owned(), line, message: format!("{what}: {e}") }
}

/// Counts bytes read from the underlying file into a shared progress record.
struct CountingReader {
    inner: File,
    progress: Option<Arc<Progress>>,
}

impl Read for CountingReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(p) = &self.progress {
            p.read.fetch_add(n as u64, Ordering::Relaxed);
        }
        Ok(n)
    }
}

/// A file whose lines end in CR alone: its first "line" would be the whole file.
fn bare_carriage_returns(file: &str) -> Error {
    Error::Parse {
        file: file.into(),
        line: 1,
        message: "lines end in a bare carriage return (CR, as old Mac files do); convert the line endings to LF or CRLF".into(),
    }
}

/// A vocabulary limit hit while merging, located at the row that hit it.
fn at_line(e: Error, file: &str, line: u64) -> Error {
    match e {
        Error::InvalidInput(message) => Error::Parse { file: file.to_owned(), line, message },
        other => other,
    }
}

fn parse_header(line: &[u8], file: &str) -> Result<Layout> {
    let text = std::str::from_utf8(line)
        .map_err(|_| Error::Parse { file: file.into(), line: 1, message: "header is not valid UTF-8".into() })?;
    let text = text.trim_start_matches('\u{feff}').trim_end_matches('\r');
    if text.contains('\r') {
        return Err(bare_carriage_returns(file));
    }
    let names: Vec<&str> = text.split(',').map(|s| s.trim().trim_matches('"')).collect();
    if let Some((i, name)) = names.iter().enumerate().find(|&(i, n)| !n.is_empty() && names[..i].contains(n)) {
        let first = names.iter().position(|n| n == name).expect("found before") + 1;
        return Err(Error::Parse { file: file.into(), line: 1, message: format!("column {name:?} appears twice in the header (columns {first} and {})", i + 1) });
    }
    let has = |c: &str| names.contains(&c);
    let (kind, wanted): (FileKind, &[&str]) = if has("node_index") {
        (FileKind::Nodes, &NODES_COLUMNS)
    } else if has("x_id") || has("x_name") || has("x_type") {
        (FileKind::Kg, &KG_COLUMNS)
    } else if has("x_index") || has("y_index") {
        (FileKind::Edges, &EDGES_COLUMNS)
    } else {
        return Err(Error::Parse {
            file: file.into(),
            line: 1,
            message: format!(
                "header {text:?} is not a PrimeKG file: expected kg.csv columns ({}), nodes.csv columns ({}) or edges.csv columns ({})",
                KG_COLUMNS.join(","),
                NODES_COLUMNS.join(","),
                EDGES_COLUMNS.join(",")
            ),
        });
    };
    let missing: Vec<&str> = wanted.iter().copied().filter(|c| !has(c)).collect();
    if !missing.is_empty() {
        return Err(Error::Parse {
            file: file.into(),
            line: 1,
            message: format!("header is missing column(s) {}; found {text:?}", missing.join(", ")),
        });
    }
    let cols = wanted.iter().map(|c| names.iter().position(|n| n == c).expect("checked present")).collect();
    Ok(Layout { kind, cols, width: names.len() })
}

/// A run of whole records and the line number of its first one.
struct Block {
    data: Vec<u8>,
    first_line: u64,
}

/// Where a scan of CSV bytes stands, by the rules the parser (`csv`) reads them with: a `"`
/// opens a quoted field only as a field's first byte; inside one, `""` is a quote and a lone
/// `"` closes it; a `"` anywhere else is an ordinary byte. Counting quote marks instead loses
/// step at an unquoted field holding a `"`, and cuts a block inside a record.
#[derive(Debug, Clone, Copy)]
struct QuoteState {
    in_quotes: bool,
    prev: Prev,
}

/// What the byte before the next one was, as far as quoting cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Prev {
    /// A delimiter or newline outside quotes, or nothing yet: a field starts next.
    FieldEnd,
    /// The `"` that closed a quoted field: a `"` next is an escaped quote (`""`).
    ClosingQuote,
    /// Anything else.
    Other,
}

impl QuoteState {
    /// At the start of a record.
    fn new() -> Self {
        QuoteState { in_quotes: false, prev: Prev::FieldEnd }
    }

    /// Scans `bytes` (at `offset` in the buffer) on from where the last scan stopped; returns
    /// the buffer position just after the last newline outside quotes, if any.
    fn scan(&mut self, bytes: &[u8], offset: usize) -> Option<usize> {
        let mut last_cut = None;
        let mut next = 0; // the first byte not yet accounted for
        for at in memchr::memchr3_iter(b'"', b',', b'\n', bytes) {
            if at > next {
                self.prev = Prev::Other; // ordinary bytes in between
            }
            next = at + 1;
            match bytes[at] {
                b'"' if self.in_quotes => {
                    self.in_quotes = false;
                    self.prev = Prev::ClosingQuote;
                }
                _ if self.in_quotes => self.prev = Prev::Other,
                b'"' => {
                    // Opens a field (or, right after a closing quote, continues it), else literal.
                    self.in_quotes = self.prev != Prev::Other;
                    self.prev = Prev::Other;
                }
                b'\n' => {
                    last_cut = Some(offset + at + 1);
                    self.prev = Prev::FieldEnd;
                }
                _ => self.prev = Prev::FieldEnd,
            }
        }
        if bytes.len() > next {
            self.prev = Prev::Other;
        }
        last_cut
    }
}

/// Cuts the stream into blocks that end at a newline outside quotes (see [`QuoteState`]).
fn cut_blocks(mut reader: Box<dyn Read + Send>, mut line: u64, file: &str, tx: &std::sync::mpsc::SyncSender<Block>) -> Result<()> {
    let mut carry: Vec<u8> = Vec::with_capacity(2 * BLOCK);
    let mut scanned = 0usize; // bytes of `carry` already scanned ...
    let mut state = QuoteState::new(); // ... and where the scan stands after them
    let mut last_cut = None::<usize>;
    loop {
        let start = carry.len();
        carry.resize(start + BLOCK, 0);
        let n = match read_up_to(&mut reader, &mut carry[start..]) {
            Ok(n) => n,
            Err(e) => return Err(read_error(file, line + memchr::memchr_iter(b'\n', &carry[..start]).count() as u64, e)),
        };
        carry.truncate(start + n);
        if let Some(cut) = state.scan(&carry[scanned..], scanned) {
            last_cut = Some(cut);
        }
        scanned = carry.len();
        let eof = n == 0;
        let cut = if eof { Some(carry.len()) } else { last_cut };
        if let Some(cut) = cut.filter(|&c| c > 0 && (eof || c >= BLOCK / 2 || carry.len() >= BLOCK)) {
            let rest = carry.split_off(cut);
            let lines = memchr::memchr_iter(b'\n', &carry).count() as u64;
            let block = Block { data: std::mem::replace(&mut carry, rest), first_line: line };
            line += lines;
            // The carried tail starts a record: scan it again from a record's start.
            state = QuoteState::new();
            last_cut = state.scan(&carry, 0);
            scanned = carry.len();
            if tx.send(block).is_err() {
                return Ok(()); // the consumer stopped on an error of its own
            }
        }
        if eof {
            return Ok(());
        }
    }
}

/// Local string interning for one block: ids are local and mapped to the vocabulary at merge.
#[derive(Default)]
struct LocalTerms {
    ids: HashMap<String, u32>,
    names: Vec<String>,
}

impl LocalTerms {
    fn id(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.ids.get(s) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(s.to_owned());
        self.ids.insert(s.to_owned(), i);
        i
    }
}

struct RawNode {
    index: NodeIndex,
    /// Where its [`node_key`] lies in [`Parsed::keys`].
    key: std::ops::Range<usize>,
    node_type: u32,
    source: u32,
    line: u64,
}

/// A node's four text fields (id, type, name, source) as one run of bytes, each field after
/// its length: a row is checked against a node's first definition with one comparison.
fn node_key(out: &mut Vec<u8>, fields: [&[u8]; 4]) {
    for f in fields {
        out.extend_from_slice(&(f.len() as u32).to_le_bytes());
        out.extend_from_slice(f);
    }
}

/// The four fields of a [`node_key`], which was made from text.
fn node_fields(mut key: &[u8]) -> [&str; 4] {
    std::array::from_fn(|_| {
        let (len, rest) = key.split_at(4);
        let (field, rest) = rest.split_at(u32::from_le_bytes(len.try_into().expect("four bytes")) as usize);
        key = rest;
        std::str::from_utf8(field).expect("a node key is made from text")
    })
}

struct RawEdge {
    x: NodeIndex,
    y: NodeIndex,
    relation: u32,
    display: u32,
    line: u64,
}

#[derive(Default)]
struct Parsed {
    terms: LocalTerms,
    /// The [`node_key`]s of `nodes`, one after another.
    keys: Vec<u8>,
    nodes: Vec<RawNode>,
    edges: Vec<RawEdge>,
    rows: u64,
}

fn parse_block(block: &Block, layout: &Layout, file: &str) -> Result<Parsed> {
    let mut out = Parsed::default();
    let mut seen: HashMap<NodeIndex, usize> = HashMap::default();
    // The last relation and display relation read: rows come grouped by relation, so most
    // rows are answered by one comparison instead of a hash lookup.
    let mut last_terms: [Option<u32>; 2] = [None, None];
    let mut scratch = Vec::new();
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(&block.data[..]);
    let mut record = csv::ByteRecord::new();
    loop {
        let line_in_block = rdr.position().line();
        let line = block.first_line + line_in_block - 1;
        let err = |message: String| Error::Parse { file: file.to_owned(), line, message };
        match rdr.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(err(format!("malformed CSV: {e}"))),
        }
        if record.len() == 1 && record.get(0).is_some_and(|f| f.is_empty() || f == b"\r") {
            continue; // blank line
        }
        if record.len() != layout.width {
            let hint = if record.iter().any(|f| f.contains(&b'\n')) { " (an unbalanced quote?)" } else { "" };
            return Err(err(format!("expected {} fields, found {}{hint}", layout.width, record.len())));
        }
        let raw = |k: usize| -> &[u8] { &record[layout.cols[k]] };
        let field = |k: usize| -> Result<&str> {
            let col = layout.cols[k];
            std::str::from_utf8(&record[col]).map_err(|e| {
                err(format!("column {} is not valid UTF-8 (byte {})", col + 1, e.valid_up_to()))
            })
        };
        let index = |k: usize, what: &str| -> Result<NodeIndex> {
            if let Some(i) = plain_index(raw(k)) {
                return Ok(i);
            }
            let s = field(k)?;
            parse_index(s).map_err(|m| err(format!("{what} {s:?}: {m}")))
        };
        out.rows += 1;
        // `k` is the position of the node's id column; type, name and source follow it.
        let mut add_node = |out: &mut Parsed, index: NodeIndex, k: usize| -> Result<()> {
            scratch.clear();
            node_key(&mut scratch, [raw(k), raw(k + 1), raw(k + 2), raw(k + 3)]);
            let seen_at = seen.get(&index).copied();
            if let Some(at) = seen_at {
                // Seen in this block: equal bytes are the same node (and valid UTF-8, as
                // the first occurrence was checked); anything else is reported below.
                if out.keys[out.nodes[at].key.clone()] == scratch[..] {
                    return Ok(());
                }
            }
            let (id, ty, name, src) = (field(k)?, field(k + 1)?, field(k + 2)?, field(k + 3)?);
            if let Some(at) = seen_at {
                let prev = &out.nodes[at];
                let [p_id, p_ty, p_name, p_src] = node_fields(&out.keys[prev.key.clone()]);
                return Err(err(format!(
                    "node {index} is given as {} here but as {} at line {}",
                    describe_node(id, ty, name, src),
                    describe_node(p_id, p_ty, p_name, p_src),
                    prev.line
                )));
            }
            let node_type = out.terms.id(ty);
            let source = out.terms.id(src);
            let key = out.keys.len()..out.keys.len() + scratch.len();
            out.keys.extend_from_slice(&scratch);
            seen.insert(index, out.nodes.len());
            out.nodes.push(RawNode { index, key, node_type, source, line });
            Ok(())
        };
        let mut term = |out: &mut Parsed, slot: usize, k: usize| -> Result<u32> {
            if let Some(t) = last_terms[slot].filter(|&t| out.terms.names[t as usize].as_bytes() == raw(k)) {
                return Ok(t);
            }
            let t = out.terms.id(field(k)?);
            last_terms[slot] = Some(t);
            Ok(t)
        };
        match layout.kind {
            FileKind::Nodes => {
                let i = index(0, "node_index")?;
                add_node(&mut out, i, 1)?;
            }
            FileKind::Kg => {
                let x = index(2, "x_index")?;
                let y = index(7, "y_index")?;
                add_node(&mut out, x, 3)?;
                add_node(&mut out, y, 8)?;
                let relation = term(&mut out, 0, 0)?;
                let display = term(&mut out, 1, 1)?;
                out.edges.push(RawEdge { x, y, relation, display, line });
            }
            FileKind::Edges => {
                let x = index(2, "x_index")?;
                let y = index(3, "y_index")?;
                let relation = term(&mut out, 0, 0)?;
                let display = term(&mut out, 1, 1)?;
                out.edges.push(RawEdge { x, y, relation, display, line });
            }
        }
    }
    Ok(out)
}

/// The common case of [`parse_index`]: nothing but up to 10 digits, within range.
fn plain_index(bytes: &[u8]) -> Option<NodeIndex> {
    if bytes.is_empty() || bytes.len() > 10 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let v = bytes.iter().fold(0u64, |v, &b| v * 10 + u64::from(b - b'0'));
    (v <= MAX_NODE_INDEX as u64).then_some(v as NodeIndex)
}

/// Drops the nodes of `p` that are already merged and given the same way; a node given
/// differently is an error at its first line in the block.
fn drop_known(mut p: Parsed, known: &KnownNodes, files: &[String], file: &str) -> Result<Parsed> {
    let known = known.read().unwrap_or_else(|e| e.into_inner());
    let mut conflict = None;
    let keys = &p.keys;
    p.nodes.retain(|n| {
        let Some(k) = known.get(&n.index) else { return true };
        let key = &keys[n.key.clone()];
        if *k.key == *key {
            return false;
        }
        if conflict.is_none() {
            let ([id, ty, name, src], [k_id, k_ty, k_name, k_src]) = (node_fields(key), node_fields(&k.key));
            conflict = Some(Error::Parse {
                file: file.to_owned(),
                line: n.line,
                message: format!(
                    "node {} is given as {} here but as {} {}",
                    n.index,
                    describe_node(id, ty, name, src),
                    describe_node(k_id, k_ty, k_name, k_src),
                    first_given(files, k.file, k.line)
                ),
            });
        }
        true
    });
    match conflict {
        Some(e) => Err(e),
        None => {
            drop(known);
            Ok(p)
        }
    }
}

/// A node index: decimal digits only, at most [`MAX_NODE_INDEX`].
pub fn parse_index(s: &str) -> std::result::Result<NodeIndex, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("empty, expected a non-negative integer".into());
    }
    if t.starts_with('-') {
        return Err("negative, expected a non-negative integer".into());
    }
    if !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err("not a non-negative integer".into());
    }
    match t.parse::<u64>() {
        Ok(v) if v <= MAX_NODE_INDEX as u64 => Ok(v as NodeIndex),
        _ => Err(format!("larger than the largest node index {MAX_NODE_INDEX}")),
    }
}

struct Merger {
    vocab: Vocab,
    nodes: HashMap<NodeIndex, NodeSeen>,
    files: Vec<String>,
    edges: Vec<(EdgeRec, u16)>,
    stats: LoadStats,
    known: Arc<KnownNodes>,
}

impl Merger {
    /// Makes merged nodes known to the parse tasks.
    fn remember(&self, indices: impl IntoIterator<Item = NodeIndex>) {
        let mut known = self.known.write().unwrap_or_else(|e| e.into_inner());
        for index in indices {
            let NodeSeen { rec, file, line } = &self.nodes[&index];
            let mut key = Vec::new();
            let (ty, src) = (self.vocab.node_types.name(rec.node_type), self.vocab.sources.name(rec.source));
            node_key(&mut key, [rec.id.as_bytes(), ty.as_bytes(), rec.name.as_bytes(), src.as_bytes()]);
            known.insert(index, KnownNode { key: key.into(), file: *file, line: *line });
        }
    }

    fn absorb(&mut self, p: Parsed, file: usize, kind: FileKind) -> Result<()> {
        let fname = &self.files[file];
        // Map block-local term ids to vocabulary ids, lazily per kind of use.
        let mut types = HashMap::default();
        let mut sources = HashMap::default();
        let mut added = Vec::new();
        for n in p.nodes {
            let node_type = match types.get(&n.node_type) {
                Some(&t) => t,
                None => {
                    let t = self.vocab.node_types.intern(&p.terms.names[n.node_type as usize], "node type").map_err(|e| at_line(e, fname, n.line))?;
                    types.insert(n.node_type, t);
                    t
                }
            };
            let source = match sources.get(&n.source) {
                Some(&s) => s,
                None => {
                    let s = self.vocab.sources.intern(&p.terms.names[n.source as usize], "node source").map_err(|e| at_line(e, fname, n.line))?;
                    sources.insert(n.source, s);
                    s
                }
            };
            let [id, _, name, _] = node_fields(&p.keys[n.key.clone()]);
            let rec = NodeRec { index: n.index, id: id.to_owned(), node_type, name: name.to_owned(), source };
            match self.nodes.get(&n.index) {
                Some(prev) if prev.rec != rec => {
                    let show = |r: &NodeRec| {
                        describe_node(&r.id, self.vocab.node_types.name(r.node_type), &r.name, self.vocab.sources.name(r.source))
                    };
                    return Err(Error::Parse {
                        file: fname.clone(),
                        line: n.line,
                        message: format!(
                            "node {} is given as {} here but as {} {}",
                            n.index,
                            show(&rec),
                            show(&prev.rec),
                            first_given(&self.files, prev.file, prev.line)
                        ),
                    });
                }
                Some(_) => {}
                None => {
                    added.push(n.index);
                    self.nodes.insert(n.index, NodeSeen { rec, file, line: n.line });
                }
            }
        }
        self.remember(added);
        self.stats.rows += p.rows;
        match kind {
            FileKind::Nodes => self.stats.node_rows += p.rows,
            _ => self.stats.edge_rows += p.rows,
        }
        let mut rels = HashMap::default();
        let mut disps = HashMap::default();
        let mut labels = HashMap::default();
        for e in p.edges {
            if kind == FileKind::Edges {
                for end in [e.x, e.y] {
                    if !self.nodes.contains_key(&end) {
                        return Err(Error::Parse {
                            file: fname.clone(),
                            line: e.line,
                            message: format!("edge endpoint {end} is not a node of any nodes file or of the database"),
                        });
                    }
                }
            }
            let label = match labels.get(&(e.relation, e.display)) {
                Some(&l) => l,
                None => {
                    let r = match rels.get(&e.relation) {
                        Some(&r) => r,
                        None => {
                            let r = self.vocab.relations.intern(&p.terms.names[e.relation as usize], "relation").map_err(|err| at_line(err, fname, e.line))?;
                            rels.insert(e.relation, r);
                            r
                        }
                    };
                    let d = match disps.get(&e.display) {
                        Some(&d) => d,
                        None => {
                            let d = self
                                .vocab
                                .display_relations
                                .intern(&p.terms.names[e.display as usize], "display relation")
                                .map_err(|err| at_line(err, fname, e.line))?;
                            disps.insert(e.display, d);
                            d
                        }
                    };
                    let l = self.vocab.label(r, d).map_err(|err| at_line(err, fname, e.line))?;
                    labels.insert((e.relation, e.display), (l, r));
                    (l, r)
                }
            };
            self.edges.push((EdgeRec { source: e.x, target: e.y, label: label.0 }, label.1));
        }
        Ok(())
    }

    fn finish(self) -> Result<LoadedGraph> {
        let Merger { vocab, nodes, edges, mut stats, .. } = self;
        // Sorted by (source, target, relation, position in the files): among rows with the same
        // (source, target, relation) the first in file order stays, so its display relation is
        // the one kept. (One unstable sort on unique keys: faster than a stable one, same order;
        // a position fits in u32, as 2^32 edges would not fit in memory.)
        let mut keyed: Vec<(NodeIndex, NodeIndex, TermId, u32, LabelId)> =
            edges.into_iter().enumerate().map(|(i, (e, rel))| (e.source, e.target, rel, i as u32, e.label)).collect();
        keyed.par_sort_unstable();
        let before = keyed.len();
        keyed.dedup_by_key(|&mut (s, t, rel, _, _)| (s, t, rel));
        stats.duplicates_skipped = (before - keyed.len()) as u64;
        let mut edges: Vec<EdgeRec> = keyed.into_iter().map(|(source, target, _, _, label)| EdgeRec { source, target, label }).collect();
        // The view wants (source, target, label) order: only edges of one (source, target) can
        // be out of it, and those runs are short.
        for run in edges.chunk_by_mut(|a, b| (a.source, a.target) == (b.source, b.target)) {
            if run.len() > 1 {
                run.sort_unstable();
            }
        }
        let mut nodes: Vec<NodeRec> = nodes.into_values().map(|s| s.rec).collect();
        nodes.par_sort_unstable_by_key(|n| n.index);
        check_density(&nodes)?;
        Ok(LoadedGraph { vocab, nodes, edges, stats })
    }
}

impl LoadedGraph {
    /// Nodes and edges given in memory (an importer of another format), validated like rows of
    /// a file: an edge's endpoints must be nodes, a node index is given once, and among edges of
    /// one (source, target, relation) the first stays.
    pub fn from_records(nodes: Vec<crate::model::Node>, edges: Vec<crate::model::Edge>) -> Result<LoadedGraph> {
        let mut vocab = Vocab::default();
        let mut recs = Vec::with_capacity(nodes.len());
        let mut seen: HashMap<NodeIndex, usize> = HashMap::default();
        for n in nodes {
            if n.index > MAX_NODE_INDEX {
                return Err(Error::InvalidInput(format!("node index {} is above the largest allowed, {MAX_NODE_INDEX}", n.index)));
            }
            if seen.insert(n.index, recs.len()).is_some() {
                return Err(Error::InvalidInput(format!("node {} ({:?}) is given twice", n.index, n.id)));
            }
            let node_type = vocab.node_types.intern(&n.node_type, "node type")?;
            let source = vocab.sources.intern(&n.source, "node source")?;
            recs.push(NodeRec { index: n.index, id: n.id, node_type, name: n.name, source });
        }
        let mut keyed = Vec::with_capacity(edges.len());
        for (i, e) in edges.into_iter().enumerate() {
            for end in [e.source, e.target] {
                if !seen.contains_key(&end) {
                    return Err(Error::InvalidInput(format!("edge {} -[{}]-> {}: node {end} is not given", e.source, e.relation, e.target)));
                }
            }
            let rel = vocab.relations.intern(&e.relation, "relation")?;
            let disp = vocab.display_relations.intern(&e.display_relation, "display relation")?;
            let label = vocab.label(rel, disp)?;
            keyed.push((e.source, e.target, rel, i as u32, label));
        }
        keyed.par_sort_unstable();
        let before = keyed.len();
        keyed.dedup_by_key(|&mut (s, t, rel, _, _)| (s, t, rel));
        let stats = LoadStats { rows: before as u64, edge_rows: before as u64, duplicates_skipped: (before - keyed.len()) as u64, ..LoadStats::default() };
        let mut edges: Vec<EdgeRec> = keyed.into_iter().map(|(source, target, _, _, label)| EdgeRec { source, target, label }).collect();
        for run in edges.chunk_by_mut(|a, b| (a.source, a.target) == (b.source, b.target)) {
            if run.len() > 1 {
                run.sort_unstable();
            }
        }
        recs.par_sort_unstable_by_key(|n| n.index);
        check_density(&recs)?;
        Ok(LoadedGraph { vocab, nodes: recs, edges, stats })
    }
}

/// Node indices address dense arrays; refuse a set so sparse it would waste gigabytes.
pub fn check_density(nodes: &[NodeRec]) -> Result<()> {
    match nodes.last() {
        Some(last) => check_slots(last.index, nodes.len()),
        None => Ok(()),
    }
}

/// The rule behind [`check_density`]: at most 64 slots per node (or 2^24 in all).
pub fn check_slots(max_index: NodeIndex, nodes: usize) -> Result<()> {
    let slots = max_index as u64 + 1;
    let allowed = (nodes as u64 * 64).max(1 << 24);
    if slots > allowed {
        return Err(Error::InvalidInput(format!(
            "node index {max_index} is far beyond the {nodes} nodes given: kgcore stores nodes in dense arrays indexed by node index, so indices must be roughly 0..number of nodes (at most {allowed} slots here)"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_parsing() {
        assert_eq!(parse_index("42"), Ok(42));
        assert!(parse_index("-1").unwrap_err().contains("negative"));
        assert!(parse_index("1.5").is_err());
        assert!(parse_index("").is_err());
        assert!(parse_index("99999999999").unwrap_err().contains("larger"));
    }

    /// A kg.csv whose second row has an unquoted field holding a `"`, followed at about `gap`
    /// bytes by a quoted field holding a newline.
    fn quote_trap(gap: usize) -> Vec<u8> {
        let mut f = KG_COLUMNS.join(",").into_bytes();
        f.extend_from_slice(b"\nppi,ppi,0,G0,gene/protein,plain,NCBI,1,G1,gene/protein,ab\"c,NCBI\n");
        let filler = b"ppi,ppi,0,G0,gene/protein,plain,NCBI,2,G2,gene/protein,filler,NCBI\n";
        while f.len() + filler.len() < gap {
            f.extend_from_slice(filler);
        }
        f.extend_from_slice(b"ppi,ppi,0,G0,gene/protein,plain,NCBI,3,G3,gene/protein,\"line one\nline two\",NCBI\n");
        f.extend_from_slice(filler);
        f
    }

    #[test]
    fn blocks_are_cut_where_the_parser_sees_records_end() {
        let dir = tempfile::tempdir().unwrap();
        // The quoted newline before, at and after the block size: the cut must not depend on it.
        for gap in [1 << 20, BLOCK - 60, BLOCK, BLOCK + 60, BLOCK + BLOCK / 2, 2 * BLOCK + 7] {
            let path = dir.path().join(format!("kg-{gap}.csv"));
            std::fs::write(&path, quote_trap(gap)).unwrap();
            let g = load_files(std::slice::from_ref(&path), Vocab::default(), [], None).unwrap_or_else(|e| panic!("gap {gap}: {e}"));
            let names: Vec<&str> = g.nodes.iter().map(|n| n.name.as_str()).collect();
            assert_eq!(names, ["plain", "ab\"c", "filler", "line one\nline two"], "gap {gap}");
        }
    }

    #[test]
    fn the_scan_reads_quotes_as_the_parser_does() {
        // (bytes, the cuts a scan from a record's start finds)
        let cases: [(&[u8], &[usize]); 6] = [
            (b"a,b\nc,d\n", &[4, 8]),
            (b"ab\"c,d\ne,f\n", &[7, 11]),             // a quote inside an unquoted field is a byte
            (b"\"a\nb\",c\nd\n", &[8, 10]),          // a quoted newline is no record end
            (b"\"a\"\"\nb\",c\n", &[10]),           // "" inside quotes is a quote
            (b"\"ab\"c\"d\ne\n", &[8, 10]),          // after a closing quote, a quote is a byte
            (b"\"\",\"\n\"\n", &[7]),              // an empty quoted field, then a quoted newline
        ];
        for (bytes, cuts) in cases {
            let mut found = Vec::new();
            for end in 1..=bytes.len() {
                // Fed one byte at a time, as blocks arrive in pieces.
                let mut state = QuoteState::new();
                let mut last = None;
                for i in 0..end {
                    if let Some(c) = state.scan(&bytes[i..i + 1], i) {
                        last = Some(c);
                    }
                }
                if let Some(c) = last.filter(|c| !found.contains(c)) {
                    found.push(c);
                }
            }
            let mut whole = QuoteState::new();
            assert_eq!(whole.scan(bytes, 0), cuts.last().copied(), "{:?}", String::from_utf8_lossy(bytes));
            assert_eq!(found, cuts, "{:?}", String::from_utf8_lossy(bytes));
            // The csv parser agrees on where records end.
            let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
            let mut ends = Vec::new();
            let mut record = csv::ByteRecord::new();
            while rdr.read_byte_record(&mut record).unwrap() {
                ends.push(rdr.position().byte() as usize);
            }
            assert_eq!(ends, cuts, "parser: {:?}", String::from_utf8_lossy(bytes));
        }
    }

    /// A kg.csv of `rows` rows over nodes 0..50, so every block sees them all again; node 50
    /// is on row 1 and on row `late_row`, there named `late_name`.
    fn many_blocks(rows: usize, late_row: usize, late_name: &str) -> Vec<u8> {
        let mut f = format!("{}\n", KG_COLUMNS.join(",")).into_bytes();
        for r in 0..rows {
            let x = r % 50;
            let (y, y_name) = match r {
                1 => (50, "rare"),
                _ if r == late_row => (50, late_name),
                _ => ((r * 7 + 1) % 50, ""),
            };
            let y_name = if y_name.is_empty() { format!("gene {y}") } else { y_name.to_owned() };
            f.extend_from_slice(format!("ppi,ppi,{x},G{x},gene/protein,gene {x},NCBI,{y},G{y},gene/protein,{y_name},NCBI\n").as_bytes());
        }
        f
    }

    #[test]
    fn a_node_given_differently_in_a_later_block_is_an_error_naming_both_lines() {
        let dir = tempfile::tempdir().unwrap();
        let rows = 3 * BLOCK / 60;
        let late = rows - 10;
        let path = dir.path().join("kg.csv");
        // Row r is at line r + 2.
        std::fs::write(&path, many_blocks(rows, late, "renamed")).unwrap();
        let e = load_files(std::slice::from_ref(&path), Vocab::default(), [], None).unwrap_err().to_string();
        let file = path.display().to_string();
        assert!(e.starts_with(&format!("{file}:{}: node 50 is given as", late + 2)), "{e}");
        assert!(e.contains("\"renamed\"") && e.ends_with(&format!("at {file}:3")), "{e}");
        // Given the same way, the same file loads, every node once.
        std::fs::write(&path, many_blocks(rows, late, "rare")).unwrap();
        let g = load_files(std::slice::from_ref(&path), Vocab::default(), [], None).unwrap();
        assert_eq!(g.nodes.len(), 51);
        assert_eq!(g.stats.edge_rows, rows as u64);
    }

    #[test]
    fn a_node_given_differently_from_the_database_names_the_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kg.csv");
        std::fs::write(&path, many_blocks(100, 0, "rare")).unwrap();
        let mut vocab = Vocab::default();
        let node_type = vocab.node_types.intern("gene/protein", "node type").unwrap();
        let source = vocab.sources.intern("NCBI", "node source").unwrap();
        let base = NodeRec { index: 3, id: "G3".into(), node_type, name: "another name".into(), source };
        let e = load_files(std::slice::from_ref(&path), vocab, [base], None).unwrap_err().to_string();
        assert!(e.contains("node 3 is given as") && e.contains("\"another name\"") && e.ends_with("in the database"), "{e}");
    }

    #[test]
    fn loads_from_a_worker_of_a_one_thread_pool() {
        // The parse tasks go to the pool the load runs on: the load must not wait on them with
        // the pool's only thread.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kg.csv");
        std::fs::write(&path, many_blocks(2 * BLOCK / 60, 0, "rare")).unwrap();
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let g = pool.install(|| load_files(std::slice::from_ref(&path), Vocab::default(), [], None)).unwrap();
        assert_eq!(g.nodes.len(), 51);
    }

    #[test]
    fn header_detection() {
        assert_eq!(parse_header(KG_COLUMNS.join(",").as_bytes(), "f").unwrap().kind, FileKind::Kg);
        assert_eq!(parse_header(b"node_index,node_id,node_type,node_name,node_source\r", "f").unwrap().kind, FileKind::Nodes);
        assert_eq!(parse_header(b"relation,display_relation,x_index,y_index", "f").unwrap().kind, FileKind::Edges);
        let e = parse_header(b"relation,x_index,x_id", "f").unwrap_err().to_string();
        assert!(e.contains("missing") && e.contains("y_index") && e.starts_with("f:1"), "{e}");
        assert!(parse_header(b"a,b,c", "f").is_err());
    }
}
