//! Diagnostic reasoning from Python: the HPO import, ranked diseases for findings (one patient
//! or a batch), a disease's evidence, discriminating findings, and node cards.

use std::path::PathBuf;

use kgcore::core::hpo::HpoFiles;
use kgcore::{DdxOptions, DiagnosisSchema, Graph, NodeIndex, RankParams};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::errors::{to_json, to_py};
use crate::graph::PyGraph;

/// A term as Python gives it: a node index, or an exact name or id (`HP:0001250`).
#[derive(FromPyObject)]
pub(crate) enum Term {
    Index(NodeIndex),
    Text(String),
}

/// Every term resolved (`Graph::resolve_all`): a KeyError names each that is no node (unless
/// `skip_unknown`) or several.
pub(crate) fn resolve(graph: &Graph, terms: &[Term], skip_unknown: bool) -> PyResult<Vec<NodeIndex>> {
    let texts: Vec<String> = terms
        .iter()
        .map(|t| match t {
            Term::Index(n) => n.to_string(),
            Term::Text(s) => s.clone(),
        })
        .collect();
    graph.resolve_all(&texts, skip_unknown).map_err(to_py)
}

fn schema(relations: Option<std::collections::HashMap<String, String>>) -> PyResult<DiagnosisSchema> {
    let mut s = DiagnosisSchema::default();
    for (key, value) in relations.unwrap_or_default() {
        let slot = match key.as_str() {
            "phenotype_type" => &mut s.phenotype_type,
            "disease_type" => &mut s.disease_type,
            "is_a" => &mut s.is_a,
            "present" => &mut s.present,
            "absent" => &mut s.absent,
            _ => return Err(PyValueError::new_err(format!("schema key {key:?}: expected phenotype_type, disease_type, is_a, present or absent"))),
        };
        *slot = value;
    }
    Ok(s)
}

/// The HPO's files into a new database at `path`: from the folder `data` (hp.obo and, when
/// present, phenotype.hpoa and genes_to_phenotype.txt), or from the files named. Returns the
/// import report.
#[pyfunction]
#[pyo3(signature = (path, data = None, *, obo = None, hpoa = None, genes = None))]
pub(crate) fn import_hpo<'py>(
    py: Python<'py>, path: PathBuf, data: Option<PathBuf>, obo: Option<PathBuf>, hpoa: Option<PathBuf>, genes: Option<PathBuf>,
) -> PyResult<Bound<'py, PyAny>> {
    let files = match (data, obo) {
        (Some(dir), None) if hpoa.is_none() && genes.is_none() => HpoFiles::in_dir(&dir).map_err(to_py)?,
        (None, Some(ontology)) => HpoFiles { ontology, annotations: hpoa, genes },
        _ => return Err(PyValueError::new_err("give either a data folder, or obo= (with hpoa= and genes= if wanted)")),
    };
    let report = py.detach(|| Graph::import_hpo(&path, &files)).map_err(to_py)?;
    to_json(py, &report)
}

#[pymethods]
impl PyGraph {
    /// A node by index (digits), exact name (as `find`), or id (`HP:0001250`, `OMIM:619340`);
    /// KeyError if none, ValueError if several bear it.
    fn resolve(&self, py: Python<'_>, term: String) -> PyResult<NodeIndex> {
        let graph = self.graph()?;
        py.detach(|| graph.resolve(&term)).map_err(to_py)
    }

    /// Diseases ranked by how well they account for the findings `phenotypes` (node indices,
    /// ids like `HP:0001250`, or names): `[(disease, score), ...]`, best first, at most `k`.
    /// The score is a log-likelihood ratio against "the findings are noise". `candidates`
    /// restricts the ranking (a question's options, say). Duplicate findings count once.
    /// Unknown terms raise KeyError naming each, unless `skip_unknown`; a term that is not a
    /// phenotype, an empty list, or a graph without the schema's relations raise ValueError.
    /// `schema` renames the types and relations (`phenotype_type`, `disease_type`, `is_a`,
    /// `present`, `absent`).
    #[pyo3(signature = (phenotypes, *, candidates = None, k = 10, noise = 1e-4, specific = 0.01, skip_unknown = false, schema = None))]
    #[allow(clippy::too_many_arguments)]
    fn rank_diseases(
        &self, py: Python<'_>, phenotypes: Vec<Term>, candidates: Option<Vec<Term>>, k: usize, noise: f64, specific: f64, skip_unknown: bool,
        schema: Option<std::collections::HashMap<String, String>>,
    ) -> PyResult<Vec<(NodeIndex, f64)>> {
        let graph = self.graph()?;
        let options = self::options(&graph, candidates, k, noise, specific, schema)?;
        let findings = resolve(&graph, &phenotypes, skip_unknown)?;
        py.detach(|| graph.rank_diseases(&findings, &options)).map_err(to_py)
    }

    /// `rank_diseases` for a list of patients, on all cores: one ranking per patient, in order.
    /// The first patient that cannot be ranked raises its error, naming its position.
    #[pyo3(signature = (patients, *, candidates = None, k = 10, noise = 1e-4, specific = 0.01, skip_unknown = false, schema = None))]
    #[allow(clippy::too_many_arguments)]
    fn rank_diseases_many(
        &self, py: Python<'_>, patients: Vec<Vec<Term>>, candidates: Option<Vec<Term>>, k: usize, noise: f64, specific: f64, skip_unknown: bool,
        schema: Option<std::collections::HashMap<String, String>>,
    ) -> PyResult<Vec<Vec<(NodeIndex, f64)>>> {
        let graph = self.graph()?;
        let options = self::options(&graph, candidates, k, noise, specific, schema)?;
        let mut resolved = Vec::with_capacity(patients.len());
        for (i, p) in patients.iter().enumerate() {
            resolved.push(resolve(&graph, p, skip_unknown).map_err(|e| crate::errors::at_item(py, e, "patient", i))?);
        }
        let results = py.detach(|| graph.rank_diseases_many(&resolved, &options)).map_err(to_py)?;
        results.into_iter().enumerate().map(|(i, r)| r.map_err(|e| crate::errors::at_item(py, to_py(e), "patient", i))).collect()
    }

    /// Why `disease` ranks where it does for `phenotypes`: `{"disease", "score", "findings"}`,
    /// each finding with `how` ("exact", "ancestor", "descendant", "excluded", "unexplained"),
    /// the annotation it goes through, its share of the score, and up to `max_paths` shortest
    /// graph paths to the disease (labelled; sampled with `seed` when there are more).
    #[pyo3(signature = (phenotypes, disease, *, max_paths = 3, seed = 0, noise = 1e-4, specific = 0.01, schema = None))]
    #[allow(clippy::too_many_arguments)]
    fn disease_evidence<'py>(
        &self, py: Python<'py>, phenotypes: Vec<Term>, disease: Term, max_paths: usize, seed: u64, noise: f64, specific: f64,
        schema: Option<std::collections::HashMap<String, String>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let graph = self.graph()?;
        let options = self::options(&graph, None, 0, noise, specific, schema)?;
        let findings = resolve(&graph, &phenotypes, false)?;
        let d = resolve(&graph, std::slice::from_ref(&disease), false)?[0];
        let evidence = py.detach(|| graph.disease_evidence(&findings, d, max_paths, seed, &options)).map_err(to_py)?;
        to_json(py, &evidence)
    }

    /// For each of `diseases` (two or more), its findings that none of the others has, most
    /// telling first (information content × frequency), at most `per_disease` each:
    /// `[{"disease", "phenotype", "frequency", "information"}, ...]`.
    #[pyo3(signature = (diseases, *, per_disease = 5, schema = None))]
    fn discriminating_findings<'py>(
        &self, py: Python<'py>, diseases: Vec<Term>, per_disease: usize, schema: Option<std::collections::HashMap<String, String>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let graph = self.graph()?;
        let schema = self::schema(schema)?;
        let nodes = resolve(&graph, &diseases, false)?;
        let found = py.detach(|| graph.discriminating_findings(&nodes, per_disease, &schema)).map_err(to_py)?;
        to_json(py, &found)
    }

    /// The parents of phenotype `term` in the ontology the ranking uses: as stored (child ->
    /// parent), or inferred from depth below the root where is_a rows go both ways (PrimeKG).
    #[pyo3(signature = (term, *, schema = None))]
    fn ontology_parents(&self, py: Python<'_>, term: Term, schema: Option<std::collections::HashMap<String, String>>) -> PyResult<Vec<NodeIndex>> {
        let graph = self.graph()?;
        let schema = self::schema(schema)?;
        let t = resolve(&graph, std::slice::from_ref(&term), false)?[0];
        let model = py.detach(|| graph.diagnosis_model(&schema)).map_err(to_py)?;
        model.parents(t).ok_or_else(|| PyValueError::new_err(format!("node {t} is not a {}", schema.phenotype_type)))
    }

    /// `node`'s card: `{"node", "groups", "text"}`; its neighbours grouped by relation and
    /// direction with counts, most specific first, and `text` within `max_tokens` (about four
    /// characters a token), for an LLM's knowledge request.
    #[pyo3(signature = (node, *, max_tokens = 300))]
    fn card<'py>(&self, py: Python<'py>, node: Term, max_tokens: usize) -> PyResult<Bound<'py, PyAny>> {
        let graph = self.graph()?;
        let n = resolve(&graph, std::slice::from_ref(&node), false)?[0];
        let card = py.detach(|| graph.card(n, max_tokens)).map_err(to_py)?;
        to_json(py, &card)
    }
}

fn options(
    graph: &Graph, candidates: Option<Vec<Term>>, k: usize, noise: f64, specific: f64, schema: Option<std::collections::HashMap<String, String>>,
) -> PyResult<DdxOptions> {
    let candidates = match candidates {
        Some(c) => Some(resolve(graph, &c, false)?),
        None => None,
    };
    Ok(DdxOptions { candidates, k, params: RankParams { noise, specific }, schema: self::schema(schema)? })
}
