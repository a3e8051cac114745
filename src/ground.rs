//! MedReason's KG step as one job, without a model: a QA record in; its question and answer
//! entities extracted and mapped to MedReason's graph (a node per lowercased name), or to the
//! typed graph if asked; all shortest paths for every question × answer entity, groups above `max_paths` sampled with a
//! seed of the record's own; at most `keep` paths per group, the least hub-laden first; the
//! paths rendered as MedReason's prompt lines and with relations; the prompt a
//! chain-of-thought model would receive.
//!
//! Every random choice is seeded by the options' seed and the record's dataset and id, so a
//! record grounds the same whichever process, order or batch it is grounded in.

use std::io::{BufRead, Seek, Write};
use std::path::Path;

use kg_core::rng::SplitMix64;
use kg_core::{GraphView, NodeIndex};
use kg_index::{ExtractOptions, MatchKind, Mention};
use kg_query::paths::all_shortest;
use kg_query::{Constraints, Limits, NameGraph, PathFinder};
use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;

use crate::{Error, Graph, Result};

/// One medical question with its answer, as read from a QA file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QaRecord {
    /// The dataset it belongs to (the file's name unless given).
    pub dataset_name: String,
    /// Its id: the record's `id`, `idx` or `id_in_dataset`, else its line number.
    pub id_in_dataset: String,
    /// The question text.
    pub question: String,
    /// The answer text: `answer`, else the option `answer_idx` or `label` names.
    pub answer: String,
    /// The options, as given (`null` without).
    pub options: Value,
    /// Entities named by the record itself (by a model, say) instead of being extracted:
    /// its `question_entities` and `answer_entities`, each a list of names or of
    /// `{"name", "type"}`.
    #[serde(skip)]
    pub given: Option<GivenEntities>,
}

/// Entity names a record brings, each with its node type when known.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GivenEntities {
    /// Of the question.
    pub question: Vec<(String, Option<String>)>,
    /// Of the answer.
    pub answer: Vec<(String, Option<String>)>,
}

/// A list of entity names, or of `{"name", "type"}`, from a record's field `field`.
fn given_names(field: &str, v: &Value) -> std::result::Result<Vec<(String, Option<String>)>, String> {
    let items = v.as_array().ok_or_else(|| format!("`{field}` is not a list"))?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| match item {
            Value::String(s) => Ok((s.clone(), None)),
            Value::Object(o) => match (o.get("name").and_then(Value::as_str), o.get("type")) {
                (Some(name), None | Some(Value::Null)) => Ok((name.to_owned(), None)),
                (Some(name), Some(Value::String(t))) => Ok((name.to_owned(), Some(t.clone()))),
                _ => Err(format!("`{field}[{i}]` is neither a name nor {{\"name\", \"type\"}}")),
            },
            _ => Err(format!("`{field}[{i}]` is neither a name nor {{\"name\", \"type\"}}")),
        })
        .collect()
}

impl QaRecord {
    /// Reads one JSON line of a MedQA, MedBullets, MedXpertQA or HLE file (their field names
    /// differ). The error says what is missing or malformed.
    pub fn parse(line: &str, dataset: &str, line_number: usize) -> std::result::Result<QaRecord, String> {
        let v: Value = serde_json::from_str(line).map_err(|e| format!("not JSON: {e}"))?;
        let obj = v.as_object().ok_or("not a JSON object")?;
        let text = |k: &str| obj.get(k).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
        let id = match obj.get("id").or_else(|| obj.get("idx")).or_else(|| obj.get("id_in_dataset")) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => line_number.to_string(),
        };
        let question = text("question").ok_or("no question text (field `question`)")?.to_owned();
        let options = obj.get("options").cloned().unwrap_or(Value::Null);
        let letter = text("answer_idx").or_else(|| text("label"));
        let answer = match (text("answer"), letter) {
            // HLE writes `C. Patient 3, ...`: the option letter goes.
            (Some(a), Some(l)) => a.strip_prefix(l).and_then(|r| r.strip_prefix('.')).map_or(a, str::trim).to_owned(),
            (Some(a), None) => a.to_owned(),
            (None, Some(l)) => options
                .get(l)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .ok_or_else(|| format!("the answer option {l:?} is missing from `options` or empty"))?
                .to_owned(),
            (None, None) => return Err("no answer text (field `answer`, or `answer_idx`/`label` naming an option)".into()),
        };
        if answer.is_empty() {
            return Err("empty answer text".into());
        }
        let given = match (obj.get("question_entities"), obj.get("answer_entities")) {
            (None, None) => None,
            (Some(q), Some(a)) => Some(GivenEntities { question: given_names("question_entities", q)?, answer: given_names("answer_entities", a)? }),
            _ => return Err("`question_entities` and `answer_entities` come together or not at all".into()),
        };
        Ok(QaRecord { dataset_name: dataset.to_owned(), id_in_dataset: id, question, answer, options, given })
    }

    /// The question without the answer choices some files append to it.
    fn question_stem(&self) -> &str {
        self.question.split("Answer Choices:").next().unwrap_or(&self.question)
    }
}

/// How records are grounded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroundOptions {
    /// Groups with more shortest paths are sampled down to this many (MedReason: 50).
    pub max_paths: usize,
    /// Paths kept per group (MedReason's model keeps at most 3).
    pub keep: usize,
    /// Seeds the sampling, with each record's dataset and id.
    pub seed: u64,
    /// Paths longer than this many edges are not looked for.
    pub max_hops: Option<u32>,
    /// Which names the extraction looks for.
    pub extract: ExtractOptions,
    /// Search the typed graph (a node per node, relations on the paths) instead of
    /// MedReason's graph of lowercased names.
    pub typed: bool,
}

impl Default for GroundOptions {
    fn default() -> Self {
        GroundOptions { max_paths: 50, keep: 3, seed: 0, max_hops: None, extract: ExtractOptions::default(), typed: false }
    }
}

/// An entity of a question or answer, mapped to a node.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entity {
    /// As written.
    pub text: String,
    /// Character offsets in the question or answer text (`None` for a name the record gave).
    pub start: Option<usize>,
    /// End of the character range (exclusive).
    pub end: Option<usize>,
    /// The name of its node in the graph searched: lowercased in MedReason's graph, as stored
    /// in the typed graph.
    pub name: String,
    /// The node type of `node`.
    #[serde(rename = "type")]
    pub node_type: String,
    /// The node: the first bearing the name (all of them merge in MedReason's graph).
    pub node: NodeIndex,
    /// `exact`, `folded` or `fuzzy`.
    pub how: &'static str,
    /// Edits between text and name (fuzzy matches; else 0).
    pub distance: u8,
}

/// One shortest path, three ways.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroundedPath {
    /// The names along it (lowercased in MedReason's graph).
    pub names: Vec<String>,
    /// Per name, the nodes bearing it (in the typed graph, the one node).
    pub nodes: Vec<Vec<NodeIndex>>,
    /// With relations: in MedReason's graph, a stored edge's between nodes of consecutive
    /// names (`fever -[indication]- ibuprofen`); in the typed graph, each step's own, with
    /// types (`Fever (effect/phenotype) -[indication]- Ibuprofen (drug)`).
    pub labelled: String,
}

/// The paths between one question entity and one answer entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PathGroup {
    /// The question entity's name.
    pub from: String,
    /// The answer entity's name.
    pub to: String,
    /// Edges on each path.
    pub distance: u32,
    /// Shortest paths in all (a decimal string: it can exceed any integer type).
    pub count: String,
    /// True when the group was sampled down to `max_paths`.
    pub sampled: bool,
    /// The paths kept, the least hub-laden first.
    pub paths: Vec<GroundedPath>,
}

/// A grounded QA record: MedReason's fields, the entities, the paths and the prompt.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Grounded {
    /// The record as read.
    #[serde(flatten)]
    pub record: QaRecord,
    /// Written by a chain-of-thought model; `null` here.
    pub reasoning: Option<String>,
    /// Entities of the question.
    pub question_entities: Vec<Entity>,
    /// Entities of the answer.
    pub answer_entities: Vec<Entity>,
    /// Per question × answer entity pair with a path.
    pub path_groups: Vec<PathGroup>,
    /// The kept paths in MedReason's prompt format, `1:a->b->c`, one a line.
    pub thinking_paths: String,
    /// What a chain-of-thought model would be asked.
    pub prompt: String,
    /// Why the record has no paths (`None` when it has).
    pub dropped: Option<Dropped>,
    /// Entity names the record gave that no node bears (of the type given).
    pub unmapped_entities: Vec<String>,
}

/// Why a grounded record has no paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Dropped {
    /// No entity was found in the question.
    #[serde(rename = "no question entity")]
    NoQuestionEntity,
    /// No entity was found in the answer.
    #[serde(rename = "no answer entity")]
    NoAnswerEntity,
    /// No question entity reaches an answer entity.
    #[serde(rename = "no path")]
    NoPath,
}

/// What became of one QA line.
#[derive(Debug, Clone, PartialEq)]
pub enum LineOutcome {
    /// Grounded (with paths, or dropped for a reason it tells).
    Grounded(Box<Grounded>),
    /// Its record was grounded before.
    AlreadyDone,
    /// Not a usable record: why.
    Bad(String),
}

/// Why records were dropped, counted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GroundSummary {
    /// Lines read from the QA file (blank lines aside).
    pub read: usize,
    /// Records already in the output, skipped.
    pub already_done: usize,
    /// Lines that are not a usable record.
    pub bad: usize,
    /// The first bad lines: `file:line: reason`.
    pub bad_lines: Vec<String>,
    /// Records with at least one mapped question entity.
    pub with_question_entity: usize,
    /// Records with at least one mapped answer entity.
    pub with_answer_entity: usize,
    /// Records with at least one path: the records written.
    pub with_path: usize,
    /// Dropped: no entity in the question.
    pub dropped_no_question_entity: usize,
    /// Dropped: no entity in the answer.
    pub dropped_no_answer_entity: usize,
    /// Dropped: entities on both sides, no path between any pair.
    pub dropped_no_path: usize,
}

/// QA lines grounded between checks of the stop flag, and written in one write.
pub const GROUND_BATCH: usize = 256;

/// Why a line of a QA file that is not UTF-8 is skipped.
pub const NOT_UTF8: &str = "not UTF-8 text";

/// Paths sampled and kept per group: at least one kept, no more sampled than may be listed.
fn check_counts(options: &GroundOptions) -> Result<()> {
    kg_query::check_listed(options.max_paths, "max_paths")?;
    if options.keep == 0 {
        return Err(Error::InvalidArgument("keep must be at least 1 path per group".into()));
    }
    Ok(())
}

/// The seed of one record: the options' seed mixed with its dataset and id (FNV-1a, then
/// SplitMix64), the same on every platform.
fn record_seed(seed: u64, record: &QaRecord) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
    for b in record.dataset_name.bytes().chain([0]).chain(record.id_in_dataset.bytes()) {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    SplitMix64::new(h).next_u64()
}

impl Graph {
    /// Grounds one QA record (see the module's description).
    pub fn ground(&self, record: &QaRecord, options: &GroundOptions) -> Result<Grounded> {
        check_counts(options)?;
        let (view, names) = (self.view(), self.name_graph());
        let dictionary = self.dictionary();
        let mut unmapped_entities = Vec::new();
        let (question, answer) = match &record.given {
            None => (dictionary.extract(&view, record.question_stem(), &options.extract)?, dictionary.extract(&view, &record.answer, &options.extract)?),
            Some(given) => {
                let mut mentions = |names: &[(String, Option<String>)]| -> Vec<Mention> {
                    let mut out = Vec::new();
                    for (name, node_type) in names {
                        let types = node_type.as_ref().map(std::slice::from_ref).or(options.extract.node_types.as_deref());
                        // A type the graph does not have matches no node; it is no reason to fail the record.
                        let nodes = dictionary.lookup(&view, name, types).unwrap_or_default();
                        match nodes.first() {
                            Some(&n) => {
                                let how = if kg_core::text::normalize(view.name(n)) == kg_core::text::normalize(name) { MatchKind::Exact } else { MatchKind::Folded };
                                out.push(Mention { start: 0, end: 0, text: name.clone(), name: view.name(n).to_owned(), nodes, how });
                            }
                            None => unmapped_entities.push(name.clone()),
                        }
                    }
                    out
                };
                (mentions(&given.question), mentions(&given.answer))
            }
        };
        let spanned = record.given.is_none();
        let finder = PathFinder::new(&view, &Constraints { max_hops: options.max_hops, ..Default::default() })?;
        let graph = if options.typed { Searched::Typed(&finder) } else { Searched::Names(&names) };
        let answer_entities = entities(&view, &graph, answer, &[], spanned);
        let answer_ids: Vec<u32> = answer_entities.iter().filter_map(|e| graph.id(e)).collect();
        let question_entities = entities(&view, &graph, question, &answer_ids, spanned);
        let seed = record_seed(options.seed, record);
        let limits = Limits { blocked: None, max_hops: options.max_hops.unwrap_or(u32::MAX) };
        let mut path_groups = Vec::new();
        for (qi, q) in question_entities.iter().enumerate() {
            for (ai, a) in answer_entities.iter().enumerate() {
                let (Some(s), Some(t)) = (graph.id(q), graph.id(a)) else { continue };
                let all = match graph {
                    Searched::Names(names) => all_shortest(names, limits, s, t),
                    Searched::Typed(finder) => finder.all_shortest(s, t)?,
                };
                let Some(distance) = all.distance else { continue };
                let count = all.count();
                let group_seed = SplitMix64::new(seed ^ ((qi as u64) << 32 | ai as u64)).next_u64();
                let mut paths = all.sample(options.max_paths, group_seed)?;
                // The least hub-laden paths first: a path through a hub says little.
                let hubness = |p: &Vec<u32>| -> f64 { p[1..p.len() - 1].iter().map(|&n| (1.0 + graph.degree(n) as f64).ln()).sum() };
                paths.sort_by(|x, y| hubness(x).total_cmp(&hubness(y)));
                paths.truncate(options.keep);
                let paths = paths.iter().map(|p| self.grounded_path(&view, &graph, p)).collect();
                path_groups.push(PathGroup { from: q.name.clone(), to: a.name.clone(), distance, count: count.to_string(), sampled: count > options.max_paths as u128, paths });
            }
        }
        let kept: Vec<&Vec<String>> = path_groups.iter().flat_map(|g| g.paths.iter().map(|p| &p.names)).collect();
        let thinking_paths = kg_query::render::medreason(&kept.into_iter().cloned().collect::<Vec<_>>());
        let dropped = if question_entities.is_empty() {
            Some(Dropped::NoQuestionEntity)
        } else if answer_entities.is_empty() {
            Some(Dropped::NoAnswerEntity)
        } else if path_groups.is_empty() {
            Some(Dropped::NoPath)
        } else {
            None
        };
        let prompt = prompt(record, &thinking_paths);
        Ok(Grounded { record: record.clone(), reasoning: None, question_entities, answer_entities, path_groups, thinking_paths, prompt, dropped, unmapped_entities })
    }

    fn grounded_path(&self, view: &GraphView, graph: &Searched<'_>, path: &[u32]) -> GroundedPath {
        let names = match graph {
            Searched::Typed(finder) => {
                let labelled = kg_query::render::labelled(view, finder.resolved(), path);
                return GroundedPath { names: path.iter().map(|&n| view.name(n).to_owned()).collect(), nodes: path.iter().map(|&n| vec![n]).collect(), labelled };
            }
            Searched::Names(names) => names,
        };
        let idx = self.name_index();
        let names: Vec<String> = path.iter().map(|&n| names.name(n).to_owned()).collect();
        let nodes: Vec<Vec<NodeIndex>> = names.iter().map(|n| idx.exact(view, n, None).unwrap_or_default()).collect();
        let mut labelled = names[0].clone();
        for (i, w) in nodes.windows(2).enumerate() {
            let label = w[0].iter().flat_map(|&u| w[1].iter().map(move |&v| (u, v))).find_map(|(u, v)| {
                view.labels_between(u, v).first().or_else(|| view.labels_between(v, u).first()).copied()
            });
            match label {
                Some(l) => labelled.push_str(&format!(" -[{}]- ", view.vocab().label_display(l))),
                None => labelled.push_str(" -- "),
            }
            labelled.push_str(&names[i + 1]);
        }
        GroundedPath { names, nodes, labelled }
    }

    /// Refuses options a grounding cannot take (an unknown node type, too many paths): an
    /// error before any record, not a fault of each.
    pub fn check_ground_options(&self, options: &GroundOptions) -> Result<()> {
        check_counts(options)?;
        self.extract("", &options.extract)?;
        Ok(())
    }

    /// Grounds numbered QA lines (line numbers give records without an id theirs) on all
    /// cores, one outcome per line in order. A record `done` says is grounded already is not
    /// grounded again; a line that is not a record is [`LineOutcome::Bad`] with the reason.
    pub fn ground_lines(
        &self, lines: &[(usize, &str)], dataset: &str, options: &GroundOptions, done: &(dyn Fn(&QaRecord) -> bool + Sync),
    ) -> Vec<LineOutcome> {
        lines
            .par_iter()
            .map(|&(n, line)| match QaRecord::parse(line, dataset, n) {
                Err(reason) => LineOutcome::Bad(reason),
                Ok(record) if done(&record) => LineOutcome::AlreadyDone,
                Ok(record) => match self.ground(&record, options) {
                    Ok(g) => LineOutcome::Grounded(Box::new(g)),
                    Err(e) => LineOutcome::Bad(e.to_string()),
                },
            })
            .collect()
    }

    /// Grounds every record of the JSON-lines file `qa` into `out`, one record with paths a
    /// line, on all cores. Records already in `out` are skipped (a cut last line is dropped
    /// first), so a stopped run resumes; each batch of lines goes out in one write. A bad
    /// line is counted and named in the summary, never fatal. `progress` hears the lines
    /// done and the lines in all; `stop` is asked between batches.
    pub fn ground_file(
        &self, qa: &Path, out: &Path, dataset: Option<&str>, options: &GroundOptions, progress: &(dyn Fn(usize, usize) + Sync),
        stop: kg_query::Stop<'_>,
    ) -> Result<GroundSummary> {
        self.check_ground_options(options)?;
        fn io(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
            move |source| Error::Io { path: path.display().to_string(), source }
        }
        let bytes = std::fs::read(qa).map_err(io(qa))?;
        let dataset = dataset.map(str::to_owned).unwrap_or_else(|| qa.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default());
        let done = done_records(out)?;
        let mut file = std::fs::OpenOptions::new().create(true).append(true).open(out).map_err(io(out))?;
        // Lines as `str` where they are UTF-8; one that is not is a bad line, not a bad file.
        let lines: Vec<(usize, Option<&str>)> = bytes
            .split(|&b| b == b'\n')
            .enumerate()
            .map(|(i, l)| (i + 1, std::str::from_utf8(l.strip_suffix(b"\r").unwrap_or(l)).ok()))
            .filter(|(_, l)| l.is_none_or(|l| !l.trim().is_empty()))
            .collect();
        let mut summary = GroundSummary { read: lines.len(), ..Default::default() };
        for (b, batch) in lines.chunks(GROUND_BATCH).enumerate() {
            if stop() {
                return Err(kg_query::QueryError::Interrupted.into());
            }
            let text: Vec<(usize, &str)> = batch.iter().filter_map(|&(n, l)| Some((n, l?))).collect();
            let mut grounded = self.ground_lines(&text, &dataset, options, &|r| done.contains(&(r.dataset_name.clone(), r.id_in_dataset.clone()))).into_iter();
            let results = batch.iter().map(|(_, l)| if l.is_some() { grounded.next().expect("one outcome per line") } else { LineOutcome::Bad(NOT_UTF8.into()) });
            let mut bytes = Vec::new();
            for (&(n, _), r) in batch.iter().zip(results) {
                match r {
                    LineOutcome::AlreadyDone => summary.already_done += 1,
                    LineOutcome::Bad(reason) => {
                        summary.bad += 1;
                        if summary.bad_lines.len() < 20 {
                            summary.bad_lines.push(format!("{}:{n}: {reason}", qa.display()));
                        }
                    }
                    LineOutcome::Grounded(g) => {
                        summary.with_question_entity += usize::from(!g.question_entities.is_empty());
                        summary.with_answer_entity += usize::from(!g.answer_entities.is_empty());
                        match g.dropped {
                            Some(Dropped::NoQuestionEntity) => summary.dropped_no_question_entity += 1,
                            Some(Dropped::NoAnswerEntity) => summary.dropped_no_answer_entity += 1,
                            Some(Dropped::NoPath) => summary.dropped_no_path += 1,
                            None => {
                                summary.with_path += 1;
                                serde_json::to_writer(&mut bytes, &g).map_err(|e| Error::InvalidArgument(e.to_string()))?;
                                bytes.push(b'\n');
                            }
                        }
                    }
                }
            }
            file.write_all(&bytes).map_err(io(out))?;
            progress(((b + 1) * GROUND_BATCH).min(lines.len()), lines.len());
        }
        file.sync_data().map_err(io(out))?;
        Ok(summary)
    }
}

/// The (dataset, id) of every whole record already in `out`; a last line cut short by a
/// stopped run is removed so appending continues a well-formed file.
fn done_records(out: &Path) -> Result<std::collections::HashSet<(String, String)>> {
    let io = |source| Error::Io { path: out.display().to_string(), source };
    let mut done = std::collections::HashSet::new();
    let Ok(mut file) = std::fs::OpenOptions::new().read(true).write(true).open(out) else { return Ok(done) };
    let mut whole = 0u64;
    let mut reader = std::io::BufReader::new(&mut file);
    let mut line = String::new();
    let mut number = 0;
    loop {
        line.clear();
        let n = reader.read_line(&mut line).map_err(io)?;
        if n == 0 || !line.ends_with('\n') {
            break;
        }
        number += 1;
        let v: Value = serde_json::from_str(&line)
            .map_err(|e| Error::InvalidArgument(format!("{}:{number}: not a grounded record ({e}); is it another file?", out.display())))?;
        let key = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
        done.insert((key("dataset_name"), key("id_in_dataset")));
        whole += n as u64;
    }
    drop(reader);
    if file.seek(std::io::SeekFrom::End(0)).map_err(io)? != whole {
        file.set_len(whole).map_err(io)?;
    }
    Ok(done)
}

/// The graph paths are searched on.
#[derive(Clone, Copy)]
enum Searched<'a> {
    /// MedReason's: a node per lowercased name.
    Names(&'a NameGraph),
    /// The typed graph, as stored.
    Typed(&'a PathFinder<'a>),
}

impl Searched<'_> {
    /// The node of `entity` in this graph.
    fn id(&self, entity: &Entity) -> Option<u32> {
        match self {
            Searched::Names(names) => names.id(&entity.name),
            Searched::Typed(_) => Some(entity.node),
        }
    }

    /// The node a mention names in this graph, and that node's name.
    fn node_of(&self, view: &GraphView, m: &Mention) -> Option<(u32, String)> {
        match self {
            Searched::Names(names) => names.id(&m.name).map(|id| (id, names.name(id).to_owned())),
            Searched::Typed(_) => Some((m.nodes[0], view.name(m.nodes[0]).to_owned())),
        }
    }

    fn degree(&self, n: u32) -> usize {
        match self {
            Searched::Names(names) => names.neighbours(n).len(),
            Searched::Typed(finder) => finder.view().degree(n),
        }
    }
}

/// The mentions as entities of the graph searched, each node once, none of `exclude`; with
/// their spans when `spanned` (found in the text, not given by the record).
fn entities(view: &GraphView, graph: &Searched<'_>, mentions: Vec<Mention>, exclude: &[u32], spanned: bool) -> Vec<Entity> {
    let mut seen: Vec<u32> = exclude.to_vec();
    let mut out = Vec::new();
    for m in mentions {
        let Some((id, name)) = graph.node_of(view, &m) else { continue };
        if seen.contains(&id) {
            continue;
        }
        seen.push(id);
        let node = m.nodes[0];
        let distance = if let MatchKind::Fuzzy(d) = m.how { d } else { 0 };
        out.push(Entity {
            name,
            node_type: view.node(node).map(|r| r.node_type.to_owned()).unwrap_or_default(),
            node,
            how: m.how.as_str(),
            distance,
            text: m.text,
            start: spanned.then_some(m.start),
            end: spanned.then_some(m.end),
        });
    }
    out
}

/// What a chain-of-thought model is asked about `record`: the question, its options, the
/// answer and the paths (MedReason's prompt lines), and to reason from them.
pub fn prompt(record: &QaRecord, thinking_paths: &str) -> String {
    let mut p = format!("Question: {}\n", record.question.trim());
    if let Some(options) = record.options.as_object() {
        p.push_str("Options:\n");
        for (k, v) in options {
            p.push_str(&format!("{k}. {}\n", v.as_str().map_or_else(|| v.to_string(), str::to_owned)));
        }
    }
    p.push_str(&format!("Answer: {}\n", record.answer));
    if !thinking_paths.is_empty() {
        p.push_str("Paths in a medical knowledge graph from entities of the question to entities of the answer:\n");
        p.push_str(thinking_paths);
    }
    p.push_str("Reason step by step from the question to the answer, using the paths where they are relevant and saying where they are not.\n");
    p
}
