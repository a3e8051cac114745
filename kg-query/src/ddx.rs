//! Differential diagnosis: a patient's phenotypes → diseases ranked by how likely they are to
//! produce them, with the evidence per finding, and the findings that tell candidates apart.
//!
//! The model ([`DiagnosisModel`]) is built once per graph from three relations: the phenotype
//! ontology's is_a, a disease's present phenotypes (with frequencies when the display relation
//! carries them, [`kg_core::hpo::display_frequency`]), and its absent ones.
//!
//! The score of a disease is a log-likelihood ratio against "the findings are noise":
//! a disease d produces a finding by picking one of its annotations a with probability
//! f(a) / F(d), F(d) the sum of d's frequencies in the finding's branch of the ontology
//! ("Phenotypic abnormality", "Mode of inheritance", ...: a disease with 200 features makes
//! each one less telling, and its mode of inheritance does not dilute its phenotypes), and
//! recording it as a itself or as an ancestor k is_a steps up with weight `DECAY^k` (the
//! true-path rule, discounted: clinicians record general findings, but the nearer one is the
//! likelier). A finding k steps below an annotation a of d gets `specific` × `DECAY^(k-1)` ×
//! the chance of a × the share of diseases with a that also have the finding (how common that
//! refinement is). Each finding is also noise with probability `noise`, so one unrelated
//! finding cannot veto a disease; an annotated absence divides by `EXCLUDED_PENALTY`. Scores add over
//! findings: per finding only the diseases it reaches are touched, so a patient costs the sizes
//! of its findings' disease lists, not diseases × annotations. docs/DESIGN.md has the measured
//! choice of this model over Resnik-style similarity.

use std::collections::HashMap;

use kg_core::hpo::{self, display_frequency};
use kg_core::{GraphView, NodeIndex};
use serde::Serialize;

use crate::error::{QueryError, Result};

/// A disease excluding a finding the patient has makes it this many times less likely.
pub const EXCLUDED_PENALTY: f64 = 1000.0;
/// The frequency an annotation of unstated frequency counts with.
pub const UNSTATED_FREQUENCY: f32 = 0.5;
const NONE: u32 = u32::MAX;

/// Which node types and relations hold the ontology and the annotations. The defaults are
/// PrimeKG's names (and the HPO import's).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DiagnosisSchema {
    /// Node type of phenotypes.
    pub phenotype_type: String,
    /// Node type of diseases.
    pub disease_type: String,
    /// Relation of is_a edges between phenotypes.
    pub is_a: String,
    /// Relation of a disease's present phenotypes.
    pub present: String,
    /// Relation of a disease's absent phenotypes (may be missing from a graph).
    pub absent: String,
}

impl Default for DiagnosisSchema {
    fn default() -> Self {
        DiagnosisSchema {
            phenotype_type: hpo::PHENOTYPE_TYPE.into(),
            disease_type: hpo::DISEASE_TYPE.into(),
            is_a: hpo::IS_A.into(),
            present: hpo::PHENOTYPE_PRESENT.into(),
            absent: hpo::PHENOTYPE_ABSENT.into(),
        }
    }
}

/// How the is_a direction was known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OntologyDirection {
    /// Edges go child → parent, one row each (the HPO import).
    Given,
    /// Edges are stored both ways (PrimeKG): a term's parents are its neighbours nearer the
    /// root, by breadth-first depth, and those at its own depth with more is_a neighbours.
    InferredFromDepth,
    /// The graph has no is_a edges between phenotypes (hetionet's symptoms, say): a finding
    /// matches only itself.
    Flat,
}

/// Weight of recording an annotation one is_a step more general; k steps: `DECAY^k`
/// (measured best of 1, 0.7, 0.5, 0.3 on simulated patients: docs/benchmarks.md).
pub const DECAY: f64 = 0.5;

/// Parameters of a ranking (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RankParams {
    /// The chance a finding is unrelated to the disease.
    pub noise: f64,
    /// Weight of a finding more specific than the disease's annotations (0 gives none).
    pub specific: f64,
}

impl Default for RankParams {
    fn default() -> Self {
        RankParams { noise: 1e-4, specific: 0.01 }
    }
}

/// The ontology and the annotations of one graph, ready to rank.
#[derive(Debug)]
pub struct DiagnosisModel {
    schema: DiagnosisSchema,
    direction: OntologyDirection,
    /// Dense term id → node; and node → dense term id (`NONE` if not a phenotype).
    terms: Vec<NodeIndex>,
    term_of: Vec<u32>,
    parents: Vec<Vec<u32>>,
    diseases: Vec<NodeIndex>,
    disease_of: Vec<u32>,
    /// Per disease: its present annotations (term, frequency) and absent terms.
    present: Vec<Vec<(u32, f32)>>,
    absent: Vec<Vec<u32>>,
    /// The same absences by term: the diseases annotated as lacking it.
    absent_by_term: HashMap<u32, Vec<u32>>,
    /// Per term: its branch, the ancestor right below a root ("Phenotypic abnormality", "Mode
    /// of inheritance"); a root is its own branch.
    branch: Vec<u32>,
    /// Per disease: the sum of its annotations' frequencies in each branch it has.
    totals: Vec<Vec<(u32, f32)>>,
    /// Per term: the diseases with it in their annotations' closure, with the decayed sum of
    /// the frequencies of the annotations below it. CSR: `reach_start[t]..reach_start[t + 1]`.
    reach_start: Vec<u32>,
    reach: Vec<(u32, f32)>,
    /// Per term: the diseases annotated with it directly, with the frequency. CSR as `reach`.
    direct_start: Vec<u32>,
    direct: Vec<(u32, f32)>,
    /// Per term: the share of diseases with it in their closure; its information content.
    share: Vec<f32>,
}

/// How a disease accounts for one finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "how", rename_all = "snake_case")]
pub enum Explanation {
    /// The disease is annotated with the finding itself.
    Exact {
        /// The annotation's frequency (stated or assumed).
        frequency: f32,
    },
    /// The finding is a more general term of an annotation (`steps` is_a steps up).
    Ancestor {
        /// The disease's annotated term.
        annotation: NodeIndex,
        /// is_a steps from the annotation up to the finding.
        steps: u32,
        /// The annotation's frequency.
        frequency: f32,
    },
    /// The finding is more specific than an annotation (`steps` is_a steps below it).
    Descendant {
        /// The disease's annotated term.
        annotation: NodeIndex,
        /// is_a steps from the finding up to the annotation.
        steps: u32,
    },
    /// The disease is annotated as lacking the finding (or a more general term of it).
    Excluded {
        /// The annotated absent term.
        annotation: NodeIndex,
    },
    /// Nothing of the disease accounts for it.
    Unexplained,
}

/// One finding's part in a disease's score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FindingEvidence {
    /// The patient's finding.
    pub finding: NodeIndex,
    /// How the disease accounts for it.
    #[serde(flatten)]
    pub explanation: Explanation,
    /// Its share of the score (log-likelihood ratio against noise).
    pub score: f64,
}

/// A finding that one candidate has and the others lack.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Discriminator {
    /// The candidate that has it.
    pub disease: NodeIndex,
    /// The annotated phenotype.
    pub phenotype: NodeIndex,
    /// Its frequency in that disease.
    pub frequency: f32,
    /// Its information content (−ln of the share of diseases having it).
    pub information: f32,
}

impl DiagnosisModel {
    /// Reads the ontology and annotations of `view` as `schema` names them.
    pub fn build(view: &GraphView, schema: &DiagnosisSchema) -> Result<Self> {
        let vocab = view.vocab();
        let type_id = |name: &str| vocab.node_types.get(name).ok_or_else(|| QueryError::UnknownTerm { kind: "node type", name: name.to_owned() });
        let phenotype_type = type_id(&schema.phenotype_type)?;
        let disease_type = type_id(&schema.disease_type)?;
        let relation = |name: &str| vocab.relations.get(name);
        let is_a = relation(&schema.is_a);
        let present = relation(&schema.present).ok_or_else(|| QueryError::InvalidArgument(format!("no disease-phenotype relation {:?} in this graph: nothing to rank diseases by", schema.present)))?;
        let absent = relation(&schema.absent);
        let label_rel = |l: u16| vocab.labels[l as usize].0;

        let slots = view.slots();
        let mut term_of = vec![NONE; slots];
        let mut disease_of = vec![NONE; slots];
        let (mut terms, mut diseases) = (Vec::new(), Vec::new());
        for n in view.nodes() {
            let t = view.type_id(n);
            if t == phenotype_type {
                term_of[n as usize] = terms.len() as u32;
                terms.push(n);
            } else if t == disease_type {
                disease_of[n as usize] = diseases.len() as u32;
                diseases.push(n);
            }
        }
        // is_a neighbours, per direction.
        let mut up: Vec<Vec<u32>> = vec![Vec::new(); terms.len()];
        let (mut edges, mut reciprocal) = (0usize, 0usize);
        for (t, &n) in terms.iter().enumerate() {
            let (targets, labels) = view.out_edges(n);
            for (&m, &l) in targets.iter().zip(labels) {
                if Some(label_rel(l)) == is_a && term_of[m as usize] != NONE {
                    up[t].push(term_of[m as usize]);
                    edges += 1;
                    if view.labels_between(m, n).iter().any(|&b| Some(label_rel(b)) == is_a) {
                        reciprocal += 1;
                    }
                }
            }
        }
        let (parents, direction) = if edges == 0 {
            (up, OntologyDirection::Flat)
        } else if reciprocal * 2 > edges {
            (parents_by_depth(view, &terms, &up), OntologyDirection::InferredFromDepth)
        } else {
            (up, OntologyDirection::Given)
        };

        let mut present_of: Vec<Vec<(u32, f32)>> = vec![Vec::new(); diseases.len()];
        let mut absent_of: Vec<Vec<u32>> = vec![Vec::new(); diseases.len()];
        for (d, &n) in diseases.iter().enumerate() {
            let (out_t, out_l) = view.out_edges(n);
            let (in_t, in_l) = view.in_edges(n);
            for (&m, &l) in out_t.iter().zip(out_l).chain(in_t.iter().zip(in_l)) {
                let t = term_of[m as usize];
                if t == NONE {
                    continue;
                }
                let r = label_rel(l);
                if r == present {
                    let f = display_frequency(vocab.label_display(l)).unwrap_or(UNSTATED_FREQUENCY);
                    match present_of[d].iter_mut().find(|(x, _)| *x == t) {
                        Some(e) => e.1 = e.1.max(f),
                        None => present_of[d].push((t, f)),
                    }
                } else if Some(r) == absent && !absent_of[d].contains(&t) {
                    absent_of[d].push(t);
                }
            }
            present_of[d].sort_unstable_by_key(|a| a.0);
        }
        if present_of.iter().all(Vec::is_empty) {
            return Err(QueryError::InvalidArgument(format!("no {:?} edges between {:?} and {:?} nodes: nothing to rank diseases by", schema.present, schema.disease_type, schema.phenotype_type)));
        }
        let mut absent_by_term: HashMap<u32, Vec<u32>> = HashMap::new();
        for (d, absent) in absent_of.iter().enumerate() {
            for &t in absent {
                absent_by_term.entry(t).or_default().push(d as u32);
            }
        }
        let branch = branches(&parents);
        let totals: Vec<Vec<(u32, f32)>> = present_of
            .iter()
            .map(|a| {
                let mut sums: Vec<(u32, f32)> = Vec::new();
                for &(t, f) in a {
                    match sums.iter_mut().find(|s| s.0 == branch[t as usize]) {
                        Some(s) => s.1 += f,
                        None => sums.push((branch[t as usize], f)),
                    }
                }
                sums
            })
            .collect();

        // Per disease, the decayed frequency sums over the closure; then inverted per term.
        let mut per_term: Vec<Vec<(u32, f32)>> = vec![Vec::new(); terms.len()];
        let mut sums: HashMap<u32, f32> = HashMap::new();
        let mut walk = Vec::new();
        for (d, annotations) in present_of.iter().enumerate() {
            sums.clear();
            for &(a, f) in annotations {
                for (m, k) in ancestors_with_steps(&parents, a, &mut walk) {
                    *sums.entry(m).or_insert(0.0) += f * DECAY.powi(k as i32) as f32;
                }
            }
            for (&m, &w) in &sums {
                per_term[m as usize].push((d as u32, w));
            }
        }
        let mut reach_start = Vec::with_capacity(terms.len() + 1);
        let mut reach = Vec::new();
        let annotated = present_of.iter().filter(|a| !a.is_empty()).count().max(1) as f32;
        let mut share = Vec::with_capacity(terms.len());
        for mut list in per_term {
            list.sort_unstable_by_key(|x| x.0);
            reach_start.push(reach.len() as u32);
            share.push((list.len() as f32 / annotated).max(1.0 / annotated));
            reach.extend(list);
        }
        reach_start.push(reach.len() as u32);
        let mut by_term: Vec<Vec<(u32, f32)>> = vec![Vec::new(); terms.len()];
        for (d, annotations) in present_of.iter().enumerate() {
            for &(a, f) in annotations {
                by_term[a as usize].push((d as u32, f));
            }
        }
        let mut direct_start = Vec::with_capacity(terms.len() + 1);
        let mut direct = Vec::new();
        for list in by_term {
            direct_start.push(direct.len() as u32);
            direct.extend(list);
        }
        direct_start.push(direct.len() as u32);
        Ok(DiagnosisModel { schema: schema.clone(), direction, terms, term_of, parents, diseases, disease_of, present: present_of, absent_by_term, absent: absent_of, branch, totals, reach_start, reach, direct_start, direct, share })
    }

    /// The schema it was built with.
    pub fn schema(&self) -> &DiagnosisSchema {
        &self.schema
    }

    /// How the is_a direction was known.
    pub fn direction(&self) -> OntologyDirection {
        self.direction
    }

    /// Diseases with at least one present annotation.
    pub fn disease_count(&self) -> usize {
        self.present.iter().filter(|a| !a.is_empty()).count()
    }

    /// Phenotype terms.
    pub fn term_count(&self) -> usize {
        self.terms.len()
    }

    /// The parents of phenotype `node` (by the stored or inferred direction); `None` if it is
    /// not a phenotype.
    pub fn parents(&self, node: NodeIndex) -> Option<Vec<NodeIndex>> {
        let t = self.term(node)?;
        Some(self.parents[t as usize].iter().map(|&p| self.terms[p as usize]).collect())
    }

    /// The information content of phenotype `node`: −ln of the share of annotated diseases
    /// with it in their closure.
    pub fn information(&self, node: NodeIndex) -> Option<f32> {
        self.term(node).map(|t| -self.share[t as usize].ln())
    }

    fn term(&self, node: NodeIndex) -> Option<u32> {
        self.term_of.get(node as usize).copied().filter(|&t| t != NONE)
    }

    fn reach_of(&self, t: u32) -> &[(u32, f32)] {
        &self.reach[self.reach_start[t as usize] as usize..self.reach_start[t as usize + 1] as usize]
    }

    /// The sum of disease `d`'s annotation frequencies in the branch of term `t` (1 if none:
    /// then nothing of `d` reaches `t`).
    fn total(&self, d: u32, t: u32) -> f32 {
        let b = self.branch[t as usize];
        self.totals[d as usize].iter().find(|s| s.0 == b).map_or(1.0, |s| s.1)
    }

    fn direct_of(&self, t: u32) -> &[(u32, f32)] {
        &self.direct[self.direct_start[t as usize] as usize..self.direct_start[t as usize + 1] as usize]
    }

    /// The patient's findings as dense terms, deduplicated; an error naming the first node that
    /// is not a phenotype, or for none.
    fn findings(&self, view: &GraphView, phenotypes: &[NodeIndex]) -> Result<Vec<u32>> {
        if phenotypes.is_empty() {
            return Err(QueryError::InvalidArgument("no phenotypes given: a ranking needs at least one finding".into()));
        }
        dense(view, phenotypes, &self.term_of, self.terms.len(), "node", &self.schema.phenotype_type)
    }

    /// The candidates as dense diseases, deduplicated; every disease with annotations when
    /// `None`.
    fn candidates(&self, view: &GraphView, candidates: Option<&[NodeIndex]>) -> Result<Vec<u32>> {
        match candidates {
            None => Ok((0..self.diseases.len() as u32).filter(|&d| !self.present[d as usize].is_empty()).collect()),
            Some(list) => dense(view, list, &self.disease_of, self.diseases.len(), "candidate", &self.schema.disease_type),
        }
    }

    /// Every disease's score for one finding, added into `scores` (only diseases it reaches
    /// change: the rest keep the noise baseline, 0).
    fn add_finding(&self, q: u32, params: &RankParams, best: &mut [f32], touched: &mut Vec<u32>, scores: &mut [f64]) {
        let noise = params.noise;
        for &(d, w) in self.reach_of(q) {
            if best[d as usize] == 0.0 {
                touched.push(d);
            }
            best[d as usize] = w / self.total(d, q);
        }
        let above = ancestors_with_steps(&self.parents, q, &mut Vec::new());
        if params.specific > 0.0 {
            for &(m, k) in above.iter().filter(|&&(_, k)| k > 0) {
                let factor = (params.specific * DECAY.powi(k as i32 - 1) * (self.share[q as usize] / self.share[m as usize]) as f64) as f32;
                for &(d, w) in self.direct_of(m) {
                    let p = factor * w / self.total(d, q);
                    let b = &mut best[d as usize];
                    if *b == 0.0 {
                        touched.push(d);
                    }
                    if p > *b {
                        *b = p;
                    }
                }
            }
        }
        for &d in touched.iter() {
            scores[d as usize] += (1.0 + best[d as usize] as f64 / noise).ln();
            best[d as usize] = 0.0;
        }
        touched.clear();
        // An annotated absence of the finding or of a term above it, counted once a disease.
        let mut excluding: Vec<u32> = above.iter().filter_map(|(m, _)| self.absent_by_term.get(m)).flatten().copied().collect();
        excluding.sort_unstable();
        excluding.dedup();
        for d in excluding {
            scores[d as usize] -= EXCLUDED_PENALTY.ln();
        }
    }

    /// Diseases ranked by how well they account for `phenotypes`: the best `k` as (disease,
    /// score), best first, ties by node index. Duplicate findings count once. `candidates`
    /// restricts the ranking (e.g. to a question's options).
    pub fn rank(&self, view: &GraphView, phenotypes: &[NodeIndex], candidates: Option<&[NodeIndex]>, k: usize, params: &RankParams) -> Result<Vec<(NodeIndex, f64)>> {
        check_params(params)?;
        let findings = self.findings(view, phenotypes)?;
        let pool = self.candidates(view, candidates)?;
        let mut scores = vec![0.0f64; self.diseases.len()];
        let mut best = vec![0.0f32; self.diseases.len()];
        let mut touched = Vec::new();
        for &q in &findings {
            self.add_finding(q, params, &mut best, &mut touched, &mut scores);
        }
        let mut ranked: Vec<(NodeIndex, f64)> = pool.into_iter().map(|d| (self.diseases[d as usize], scores[d as usize])).collect();
        let k = k.min(ranked.len());
        let order = |a: &(NodeIndex, f64), b: &(NodeIndex, f64)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        if k < ranked.len() && k > 0 {
            ranked.select_nth_unstable_by(k - 1, order);
        }
        ranked.truncate(k);
        ranked.sort_unstable_by(order);
        Ok(ranked)
    }

    /// How `disease` accounts for each of `phenotypes`, in their order (duplicates once), with
    /// each finding's share of the score [`Self::rank`] gives.
    pub fn explain(&self, view: &GraphView, phenotypes: &[NodeIndex], disease: NodeIndex, params: &RankParams) -> Result<Vec<FindingEvidence>> {
        check_params(params)?;
        let findings = self.findings(view, phenotypes)?;
        let d = self.candidates(view, Some(&[disease]))?[0];
        let mut walk = Vec::new();
        let mut out = Vec::with_capacity(findings.len());
        for &q in &findings {
            let mut scores = vec![0.0f64; self.diseases.len()];
            let mut best = vec![0.0f32; self.diseases.len()];
            self.add_finding(q, params, &mut best, &mut Vec::new(), &mut scores);
            let above: Vec<(u32, u32)> = ancestors_with_steps(&self.parents, q, &mut walk);
            let annotations = &self.present[d as usize];
            let explanation = if let Some(&a) = self.absent[d as usize].iter().find(|a| above.iter().any(|x| x.0 == **a)) {
                Explanation::Excluded { annotation: self.terms[a as usize] }
            } else if let Some(&(_, f)) = annotations.iter().find(|a| a.0 == q) {
                Explanation::Exact { frequency: f }
            } else if let Some((a, steps, f)) = annotations
                .iter()
                .filter_map(|&(a, f)| ancestors_with_steps(&self.parents, a, &mut walk).into_iter().find(|x| x.0 == q).map(|(_, k)| (a, k, f)))
                .min_by(|x, y| x.1.cmp(&y.1).then(y.2.total_cmp(&x.2)))
            {
                Explanation::Ancestor { annotation: self.terms[a as usize], steps, frequency: f }
            } else if let Some(&(a, steps)) = above.iter().filter(|(m, k)| *k > 0 && annotations.iter().any(|x| x.0 == *m)).min_by_key(|x| x.1) {
                Explanation::Descendant { annotation: self.terms[a as usize], steps }
            } else {
                Explanation::Unexplained
            };
            out.push(FindingEvidence { finding: self.terms[q as usize], explanation, score: scores[d as usize] });
        }
        Ok(out)
    }

    /// The path an explanation goes by, finding first, disease last: the finding and the
    /// annotation joined by is_a steps, then the annotation's edge to the disease (`Exact`:
    /// the one edge). `None` for an unexplained finding.
    pub fn explanation_path(&self, evidence: &FindingEvidence, disease: NodeIndex) -> Option<Vec<NodeIndex>> {
        let up = |low: NodeIndex, high: NodeIndex| -> Option<Vec<NodeIndex>> {
            // Breadth-first up the is_a parents from `low` until `high`: the fewest steps.
            let (low, high) = (self.term(low)?, self.term(high)?);
            let mut came_from: HashMap<u32, u32> = HashMap::from([(low, low)]);
            let mut frontier = vec![low];
            while !frontier.is_empty() && !came_from.contains_key(&high) {
                let mut next = Vec::new();
                for &t in &frontier {
                    for &p in &self.parents[t as usize] {
                        if let std::collections::hash_map::Entry::Vacant(e) = came_from.entry(p) {
                            e.insert(t);
                            next.push(p);
                        }
                    }
                }
                frontier = next;
            }
            let mut path = vec![high];
            while *path.last()? != low {
                path.push(came_from[path.last()?]);
            }
            path.reverse();
            Some(path.into_iter().map(|t| self.terms[t as usize]).collect())
        };
        let finding = evidence.finding;
        let mut path = match evidence.explanation {
            Explanation::Exact { .. } => vec![finding],
            Explanation::Ancestor { annotation, .. } => {
                let mut p = up(annotation, finding)?;
                p.reverse();
                p
            }
            Explanation::Descendant { annotation, .. } | Explanation::Excluded { annotation } => up(finding, annotation)?,
            Explanation::Unexplained => return None,
        };
        path.push(disease);
        Some(path)
    }

    /// For each of `diseases`: its annotations that no other of them has in its closure (so a
    /// finding of one rules the others down), most telling first (information content ×
    /// frequency), at most `per_disease` each.
    pub fn discriminators(&self, view: &GraphView, diseases: &[NodeIndex], per_disease: usize) -> Result<Vec<Discriminator>> {
        let pool = self.candidates(view, Some(diseases))?;
        if pool.len() < 2 {
            return Err(QueryError::InvalidArgument("discriminating findings need at least two different diseases".into()));
        }
        let mut out = Vec::new();
        for &d in &pool {
            let mut own: Vec<Discriminator> = self.present[d as usize]
                .iter()
                .filter(|&&(a, _)| pool.iter().all(|&o| o == d || !self.reaches(a, o)))
                .map(|&(a, f)| Discriminator { disease: self.diseases[d as usize], phenotype: self.terms[a as usize], frequency: f, information: -self.share[a as usize].ln() })
                .collect();
            own.sort_by(|x, y| (y.information * y.frequency).total_cmp(&(x.information * x.frequency)).then(x.phenotype.cmp(&y.phenotype)));
            own.truncate(per_disease);
            out.extend(own);
        }
        Ok(out)
    }

    /// True if disease `d` has term `t` in its annotations' closure.
    fn reaches(&self, t: u32, d: u32) -> bool {
        self.reach_of(t).binary_search_by_key(&d, |x| x.0).is_ok()
    }
}

/// `nodes` as dense ids by `dense_of` (node → id, `NONE` for a node of another type), first
/// occurrences only; an error naming the first node that is not of `node_type` (`what`: how
/// the error calls it).
fn dense(view: &GraphView, nodes: &[NodeIndex], dense_of: &[u32], count: usize, what: &str, node_type: &str) -> Result<Vec<u32>> {
    let mut seen = vec![false; count];
    let mut out = Vec::with_capacity(nodes.len());
    for &n in nodes {
        let d = dense_of.get(n as usize).copied().filter(|&d| d != NONE).ok_or_else(|| match view.node(n) {
            None => QueryError::UnknownNode(n),
            Some(r) => QueryError::InvalidArgument(format!("{what} {n} ({} [{}]) is a {}, not a {node_type}", r.name, r.id, r.node_type)),
        })?;
        if !std::mem::replace(&mut seen[d as usize], true) {
            out.push(d);
        }
    }
    Ok(out)
}

fn check_params(p: &RankParams) -> Result<()> {
    if p.noise > 0.0 && p.noise < 1.0 && (0.0..=1.0).contains(&p.specific) {
        Ok(())
    } else {
        Err(QueryError::InvalidArgument(format!("ranking parameters out of range: noise {} must be in (0, 1), specific {} in [0, 1]", p.noise, p.specific)))
    }
}

/// `t` and every term above it, each with its fewest is_a steps from `t`.
fn ancestors_with_steps(parents: &[Vec<u32>], t: u32, frontier: &mut Vec<u32>) -> Vec<(u32, u32)> {
    let mut out = vec![(t, 0u32)];
    frontier.clear();
    frontier.push(t);
    let mut steps = 0;
    while !frontier.is_empty() {
        steps += 1;
        let mut next = Vec::new();
        for &x in frontier.iter() {
            for &p in &parents[x as usize] {
                if !out.iter().any(|o| o.0 == p) {
                    out.push((p, steps));
                    next.push(p);
                }
            }
        }
        *frontier = next;
    }
    out
}

/// Each term's branch: of it and its ancestors, the first (lowest id) whose parents are all
/// roots; a root with children is its own branch, and terms outside any ontology (no parents,
/// no children) share one.
fn branches(parents: &[Vec<u32>]) -> Vec<u32> {
    let is_root = |t: u32| parents[t as usize].is_empty();
    let mut has_child = vec![false; parents.len()];
    for p in parents.iter().flatten() {
        has_child[*p as usize] = true;
    }
    let mut walk = Vec::new();
    (0..parents.len() as u32)
        .map(|t| {
            if is_root(t) {
                return if has_child[t as usize] { t } else { NONE };
            }
            ancestors_with_steps(parents, t, &mut walk).into_iter().map(|x| x.0).filter(|&a| !is_root(a) && parents[a as usize].iter().all(|&p| is_root(p))).min().unwrap_or(t)
        })
        .collect()
}

/// Parents from both-ways is_a rows: breadth-first depth from a root (`HP:0000001`, a term
/// named "All", else each component's best-connected term); a neighbour nearer the root is a
/// parent, and of two neighbours at the same depth the one with more is_a neighbours (the more
/// general term has more children).
fn parents_by_depth(view: &GraphView, terms: &[NodeIndex], neighbours: &[Vec<u32>]) -> Vec<Vec<u32>> {
    let mut depth = vec![u32::MAX; terms.len()];
    let named_root = terms.iter().position(|&n| view.node(n).is_some_and(|r| r.id == "HP:0000001" || r.name == "All"));
    let mut by_degree: Vec<u32> = (0..terms.len() as u32).collect();
    by_degree.sort_by_key(|&t| std::cmp::Reverse(neighbours[t as usize].len()));
    let roots = named_root.map(|r| r as u32).into_iter().chain(by_degree);
    let mut queue = std::collections::VecDeque::new();
    for root in roots {
        if depth[root as usize] != u32::MAX || neighbours[root as usize].is_empty() {
            continue;
        }
        depth[root as usize] = 0;
        queue.push_back(root);
        while let Some(t) = queue.pop_front() {
            for &n in &neighbours[t as usize] {
                if depth[n as usize] == u32::MAX {
                    depth[n as usize] = depth[t as usize] + 1;
                    queue.push_back(n);
                }
            }
        }
    }
    (0..terms.len())
        .map(|t| {
            let deg = |x: u32| neighbours[x as usize].len();
            let mut p: Vec<u32> = neighbours[t]
                .iter()
                .copied()
                .filter(|&n| depth[n as usize] < depth[t] || (depth[n as usize] == depth[t] && deg(n) > deg(t as u32)))
                .collect();
            p.sort_unstable();
            p.dedup();
            p
        })
        .collect()
}
