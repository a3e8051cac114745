//! Knowledge requests for diagnostic reasoning on a [`Graph`]: phenotypes → ranked diseases
//! ([`kg_query::ddx`]), the evidence behind a disease with graph paths, the findings that tell
//! candidates apart, a node's card; nodes by id (`HP:0001250`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use kg_core::NodeIndex;
use kg_query::ddx::{DiagnosisModel, DiagnosisSchema, Discriminator, FindingEvidence, RankParams};
use kg_query::{Card, Constraints, PathFinder};
use rayon::prelude::*;
use serde::Serialize;

use crate::graph::per_generation;
use crate::{Error, Graph, Result};

/// Diseases with their scores, best first.
pub type Ranking = Vec<(NodeIndex, f64)>;

/// What a ranking takes beyond the findings.
#[derive(Debug, Clone, PartialEq)]
pub struct DdxOptions {
    /// Rank only these diseases (a question's options, say); all annotated diseases if `None`.
    pub candidates: Option<Vec<NodeIndex>>,
    /// How many to return, best first.
    pub k: usize,
    /// The model's parameters.
    pub params: RankParams,
    /// Which types and relations hold the ontology and annotations.
    pub schema: DiagnosisSchema,
}

impl Default for DdxOptions {
    fn default() -> Self {
        DdxOptions { candidates: None, k: 10, params: RankParams::default(), schema: DiagnosisSchema::default() }
    }
}

/// One finding of a disease's evidence: how it is explained, and graph paths from it to the
/// disease.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FindingPaths {
    /// How the disease accounts for the finding, and its share of the score.
    #[serde(flatten)]
    pub evidence: FindingEvidence,
    /// Paths from the finding to the disease, labelled (`Seizure (effect/phenotype)
    /// <-[phenotype present]- Dravet syndrome (disease)`): first the one the explanation goes
    /// by (through the annotation), then shortest paths of the graph.
    pub paths: Vec<String>,
}

/// Why a disease ranks where it does.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiseaseEvidence {
    /// The disease.
    pub disease: NodeIndex,
    /// Its score (the sum of the findings' shares).
    pub score: f64,
    /// Per finding, in the order given (duplicates once).
    pub findings: Vec<FindingPaths>,
}

/// Node ids (`x_id`) to nodes, built once per generation.
pub(crate) type IdIndex = HashMap<String, Vec<NodeIndex>>;

/// The diagnosis models of one generation, by schema; a build's error is kept as its message.
pub(crate) type Models = Mutex<HashMap<DiagnosisSchema, std::result::Result<Arc<DiagnosisModel>, String>>>;

impl Graph {
    /// The diagnosis model of the current graph under `schema`, built once per generation and
    /// schema and shared (a build that fails fails the same way until the graph changes).
    pub fn diagnosis_model(&self, schema: &DiagnosisSchema) -> Result<Arc<DiagnosisModel>> {
        let models = per_generation(&self.diagnosis, self.database(), |_, _| Mutex::new(HashMap::new()));
        let mut models = models.lock().unwrap_or_else(|p| p.into_inner());
        let model = models.entry(schema.clone()).or_insert_with(|| DiagnosisModel::build(&self.view(), schema).map(Arc::new).map_err(|e| e.to_string()));
        model.clone().map_err(Error::InvalidArgument)
    }

    /// Nodes whose id (`x_id`) is `id`, exactly.
    pub fn nodes_with_id(&self, id: &str) -> Vec<NodeIndex> {
        let index = per_generation(&self.ids, self.database(), |view, _| {
            let mut ids: IdIndex = HashMap::with_capacity(view.node_count());
            for n in view.nodes() {
                if let Some(r) = view.node(n) {
                    ids.entry(r.id.to_owned()).or_default().push(n);
                }
            }
            ids
        });
        index.get(id.trim()).cloned().unwrap_or_default()
    }

    /// Diseases ranked by how well they account for the findings `phenotypes` (see
    /// [`kg_query::ddx`]): the best `options.k` as (disease, score), best first.
    pub fn rank_diseases(&self, phenotypes: &[NodeIndex], options: &DdxOptions) -> Result<Ranking> {
        let model = self.diagnosis_model(&options.schema)?;
        Ok(model.rank(&self.view(), phenotypes, options.candidates.as_deref(), options.k, &options.params)?)
    }

    /// [`Graph::rank_diseases`] for many patients at once, on every core; one result each, in
    /// order, a patient's error in its place.
    pub fn rank_diseases_many(&self, patients: &[Vec<NodeIndex>], options: &DdxOptions) -> Result<Vec<Result<Ranking>>> {
        let model = self.diagnosis_model(&options.schema)?;
        let view = self.view();
        Ok(patients.par_iter().map(|p| Ok(model.rank(&view, p, options.candidates.as_deref(), options.k, &options.params)?)).collect())
    }

    /// Why `disease` ranks where it does for `phenotypes`: per finding how it is explained,
    /// its share of the score, and up to `max_paths` paths from the finding to the disease: the
    /// explanation's own (finding, is_a steps, annotation, disease), then shortest graph paths
    /// (sampled with `seed` when there are more).
    pub fn disease_evidence(&self, phenotypes: &[NodeIndex], disease: NodeIndex, max_paths: usize, seed: u64, options: &DdxOptions) -> Result<DiseaseEvidence> {
        let model = self.diagnosis_model(&options.schema)?;
        let view = self.view();
        let explained = model.explain(&view, phenotypes, disease, &options.params)?;
        let finder = PathFinder::new(&view, &Constraints::default())?;
        let mut findings = Vec::with_capacity(explained.len());
        for evidence in explained {
            let mut paths = Vec::new();
            if max_paths > 0 {
                // The explanation's own path first, then other shortest paths of the graph.
                let own = model.explanation_path(&evidence, disease);
                paths.extend(own.iter().map(|p| kg_query::render::labelled(&view, finder.resolved(), p)));
                for path in finder.all_shortest(evidence.finding, disease)?.sample(max_paths, seed)? {
                    if paths.len() < max_paths && own.as_ref() != Some(&path) {
                        paths.push(kg_query::render::labelled(&view, finder.resolved(), &path));
                    }
                }
            }
            findings.push(FindingPaths { evidence, paths });
        }
        let score = findings.iter().map(|f| f.evidence.score).sum();
        Ok(DiseaseEvidence { disease, score, findings })
    }

    /// For each of `diseases`, its findings that none of the others has (most telling first,
    /// at most `per_disease`): what to ask about to tell them apart.
    pub fn discriminating_findings(&self, diseases: &[NodeIndex], per_disease: usize, schema: &DiagnosisSchema) -> Result<Vec<Discriminator>> {
        let model = self.diagnosis_model(schema)?;
        Ok(model.discriminators(&self.view(), diseases, per_disease)?)
    }

    /// `node`'s card: its neighbours grouped by relation, counts, most specific first, as text
    /// within `max_tokens` ([`kg_query::card`]).
    pub fn card(&self, node: NodeIndex, max_tokens: usize) -> Result<Card> {
        Ok(kg_query::card::card(&self.view(), node, max_tokens)?)
    }
}
