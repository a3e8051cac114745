//! Differential diagnosis and cards on a small hand-made ontology whose answers can be worked
//! out by hand.

use kg_core::hpo::{IS_A, PHENOTYPE_ABSENT, PHENOTYPE_PRESENT};
use kg_core::load::LoadedGraph;
use kg_core::{Edge, GraphView, Node, NodeIndex};
use kg_query::card::card;
use kg_query::ddx::{DiagnosisModel, DiagnosisSchema, Explanation, OntologyDirection, RankParams};

const ALL: NodeIndex = 0;
const ABNORMAL: NodeIndex = 1;
const SEIZURE: NodeIndex = 2;
const FOCAL: NodeIndex = 3;
const FEVER: NodeIndex = 4;
const RASH: NodeIndex = 5;
const EPILEPSY: NodeIndex = 6;
const MEASLES: NodeIndex = 7;
const FOCAL_EPILEPSY: NodeIndex = 8;
const GENE: NodeIndex = 9;

fn node(index: NodeIndex, node_type: &str, name: &str) -> Node {
    Node { index, id: format!("X:{index}"), node_type: node_type.into(), name: name.into(), source: "test".into() }
}

fn edge(source: NodeIndex, target: NodeIndex, relation: &str, display: &str) -> Edge {
    Edge { source, target, relation: relation.into(), display_relation: display.into() }
}

/// All ← Abnormal ← {Seizure ← Focal seizure, Fever, Rash}; Epilepsy: Seizure (very frequent),
/// Fever (frequent); Measles: Rash (obligate), Fever (occasional); Focal epilepsy: Focal
/// seizure (unstated), Fever absent. `both_ways` writes is_a rows in both directions, as PrimeKG.
fn graph(both_ways: bool) -> GraphView {
    let mut nodes = vec![node(ALL, "effect/phenotype", "All"), node(ABNORMAL, "effect/phenotype", "Abnormal"), node(SEIZURE, "effect/phenotype", "Seizure")];
    nodes.extend([node(FOCAL, "effect/phenotype", "Focal seizure"), node(FEVER, "effect/phenotype", "Fever"), node(RASH, "effect/phenotype", "Rash")]);
    nodes.extend([node(EPILEPSY, "disease", "Epilepsy"), node(MEASLES, "disease", "Measles"), node(FOCAL_EPILEPSY, "disease", "Focal epilepsy"), node(GENE, "gene/protein", "SCN1A")]);
    let mut edges = Vec::new();
    for (child, parent) in [(ABNORMAL, ALL), (SEIZURE, ABNORMAL), (FOCAL, SEIZURE), (FEVER, ABNORMAL), (RASH, ABNORMAL)] {
        edges.push(edge(child, parent, IS_A, "parent-child"));
        if both_ways {
            edges.push(edge(parent, child, IS_A, "parent-child"));
        }
    }
    edges.extend([
        edge(EPILEPSY, SEIZURE, PHENOTYPE_PRESENT, "phenotype present (very frequent)"),
        edge(EPILEPSY, FEVER, PHENOTYPE_PRESENT, "phenotype present (frequent)"),
        edge(MEASLES, RASH, PHENOTYPE_PRESENT, "phenotype present (obligate)"),
        edge(MEASLES, FEVER, PHENOTYPE_PRESENT, "phenotype present (occasional)"),
        edge(FOCAL_EPILEPSY, FOCAL, PHENOTYPE_PRESENT, "phenotype present"),
        edge(FOCAL_EPILEPSY, FEVER, PHENOTYPE_ABSENT, "phenotype absent"),
        edge(EPILEPSY, GENE, "disease_protein", "associated with"),
    ]);
    let loaded = LoadedGraph::from_records(nodes, edges).unwrap();
    GraphView::build(loaded.vocab, loaded.nodes, &loaded.edges)
}

fn model(view: &GraphView) -> DiagnosisModel {
    DiagnosisModel::build(view, &DiagnosisSchema::default()).unwrap()
}

fn order(ranked: &[(NodeIndex, f64)]) -> Vec<NodeIndex> {
    ranked.iter().map(|r| r.0).collect()
}

#[test]
fn ranks_by_likelihood_with_the_true_path_rule_and_frequencies() {
    let view = graph(false);
    let m = model(&view);
    let p = RankParams::default();
    assert_eq!(m.direction(), OntologyDirection::Given);
    assert_eq!(m.disease_count(), 3);
    // Seizure: Epilepsy has it (0.9 of 1.445), Focal epilepsy one step below (0.5 × 0.5 of 0.5).
    let r = m.rank(&view, &[SEIZURE], None, 10, &p).unwrap();
    assert_eq!(order(&r), [EPILEPSY, FOCAL_EPILEPSY, MEASLES]);
    let expected = (1.0 + (0.9f64 / 1.445) / p.noise).ln();
    assert!((r[0].1 - expected).abs() < 1e-4, "{r:?}");
    assert_eq!(r[2].1, 0.0, "a disease that explains nothing scores as noise");
    // Focal seizure is below Epilepsy's Seizure: a little credit, less than the exact match.
    let r = m.rank(&view, &[FOCAL], None, 10, &p).unwrap();
    assert_eq!(order(&r), [FOCAL_EPILEPSY, EPILEPSY, MEASLES]);
    assert!(r[1].1 > 0.0 && r[1].1 < r[0].1);
    // Without credit for more specific findings, Epilepsy explains nothing of it.
    let r = m.rank(&view, &[FOCAL], None, 10, &RankParams { specific: 0.0, ..p }).unwrap();
    assert_eq!(r[1].1, 0.0);
    // Fever and rash: Measles; fever is excluded by Focal epilepsy, which falls below noise.
    let r = m.rank(&view, &[FEVER, RASH], None, 10, &p).unwrap();
    assert_eq!(order(&r), [MEASLES, EPILEPSY, FOCAL_EPILEPSY]);
    assert!(r[2].1 < 0.0);
    // Duplicates count once; candidates restrict; k cuts.
    assert_eq!(m.rank(&view, &[FEVER, RASH, RASH], None, 10, &p).unwrap(), r);
    assert_eq!(order(&m.rank(&view, &[FEVER, RASH], Some(&[FOCAL_EPILEPSY, EPILEPSY]), 10, &p).unwrap()), [EPILEPSY, FOCAL_EPILEPSY]);
    assert_eq!(order(&m.rank(&view, &[FEVER, RASH], None, 1, &p).unwrap()), [MEASLES]);
}

#[test]
fn bad_input_is_an_error_naming_it() {
    let view = graph(false);
    let m = model(&view);
    let p = RankParams::default();
    let err = |r: kg_query::Result<Vec<(NodeIndex, f64)>>| r.unwrap_err().to_string();
    assert!(err(m.rank(&view, &[], None, 10, &p)).contains("no phenotypes"));
    let e = err(m.rank(&view, &[SEIZURE, EPILEPSY], None, 10, &p));
    assert!(e.contains("Epilepsy") && e.contains("not a effect/phenotype"), "{e}");
    assert!(err(m.rank(&view, &[99], None, 10, &p)).contains("unknown node 99"));
    let e = err(m.rank(&view, &[SEIZURE], Some(&[FEVER]), 10, &p));
    assert!(e.contains("candidate 4") && e.contains("not a disease"), "{e}");
    assert!(err(m.rank(&view, &[SEIZURE], None, 10, &RankParams { noise: 0.0, ..p })).contains("out of range"));
    let schema = DiagnosisSchema { present: "disease_phenotype".into(), ..DiagnosisSchema::default() };
    let e = DiagnosisModel::build(&view, &schema).unwrap_err().to_string();
    assert!(e.contains("no disease-phenotype relation \"disease_phenotype\""), "{e}");
    let schema = DiagnosisSchema { disease_type: "illness".into(), ..DiagnosisSchema::default() };
    assert!(DiagnosisModel::build(&view, &schema).unwrap_err().to_string().contains("unknown node type \"illness\""));
}

#[test]
fn both_way_rows_give_the_ontology_back_by_depth() {
    let given = graph(false);
    let inferred = graph(true);
    let (a, b) = (model(&given), model(&inferred));
    assert_eq!(b.direction(), OntologyDirection::InferredFromDepth);
    for t in [ALL, ABNORMAL, SEIZURE, FOCAL, FEVER, RASH] {
        assert_eq!(a.parents(t), b.parents(t), "term {t}");
    }
    let p = RankParams::default();
    assert_eq!(a.rank(&given, &[FOCAL, FEVER], None, 10, &p).unwrap(), b.rank(&inferred, &[FOCAL, FEVER], None, 10, &p).unwrap());
}

#[test]
fn without_an_ontology_findings_match_only_themselves() {
    let view = graph(false);
    let schema = DiagnosisSchema { is_a: "not_in_this_graph".into(), ..DiagnosisSchema::default() };
    let m = DiagnosisModel::build(&view, &schema).unwrap();
    assert_eq!(m.direction(), OntologyDirection::Flat);
    assert_eq!(m.parents(FOCAL).unwrap(), Vec::<NodeIndex>::new());
    let p = RankParams::default();
    // Seizure reaches Epilepsy alone now: Focal epilepsy's focal seizure is no longer below it.
    let r = m.rank(&view, &[SEIZURE], None, 10, &p).unwrap();
    assert_eq!(r.iter().filter(|x| x.1 > 0.0).map(|x| x.0).collect::<Vec<_>>(), [EPILEPSY]);
    // All findings share one branch: Epilepsy's seizure is 0.9 of its 1.445.
    assert!((r[0].1 - (1.0 + (0.9f64 / 1.445) / p.noise).ln()).abs() < 1e-4);
}

#[test]
fn evidence_says_how_each_finding_is_explained() {
    let view = graph(false);
    let m = model(&view);
    let p = RankParams::default();
    let how = |d| m.explain(&view, &[SEIZURE, FOCAL, FEVER, RASH, ABNORMAL], d, &p).unwrap().into_iter().map(|e| e.explanation).collect::<Vec<_>>();
    assert_eq!(how(EPILEPSY), [
        Explanation::Exact { frequency: 0.9 },
        Explanation::Descendant { annotation: SEIZURE, steps: 1 },
        Explanation::Exact { frequency: 0.545 },
        Explanation::Unexplained,
        Explanation::Ancestor { annotation: SEIZURE, steps: 1, frequency: 0.9 },
    ]);
    assert_eq!(how(FOCAL_EPILEPSY)[2], Explanation::Excluded { annotation: FEVER });
    // Each explanation's own path: finding, is_a steps, annotation, disease.
    let paths = |d| m.explain(&view, &[SEIZURE, FOCAL, FEVER, RASH, ABNORMAL], d, &p).unwrap().iter().map(|e| m.explanation_path(e, d)).collect::<Vec<_>>();
    assert_eq!(paths(EPILEPSY), [Some(vec![SEIZURE, EPILEPSY]), Some(vec![FOCAL, SEIZURE, EPILEPSY]), Some(vec![FEVER, EPILEPSY]), None, Some(vec![ABNORMAL, SEIZURE, EPILEPSY])]);
    assert_eq!(paths(FOCAL_EPILEPSY)[2], Some(vec![FEVER, FOCAL_EPILEPSY]));
    // The parts add up to the ranking's score.
    let parts: f64 = m.explain(&view, &[SEIZURE, FEVER], MEASLES, &p).unwrap().iter().map(|e| e.score).sum();
    let ranked = m.rank(&view, &[SEIZURE, FEVER], Some(&[MEASLES]), 1, &p).unwrap();
    assert!((parts - ranked[0].1).abs() < 1e-9);
}

#[test]
fn discriminators_are_what_one_candidate_has_and_the_others_lack() {
    let view = graph(false);
    let m = model(&view);
    let d = m.discriminators(&view, &[EPILEPSY, MEASLES], 5).unwrap();
    let pairs: Vec<(NodeIndex, NodeIndex)> = d.iter().map(|x| (x.disease, x.phenotype)).collect();
    // Fever is shared; Seizure is Epilepsy's alone, Rash Measles' alone.
    assert_eq!(pairs, [(EPILEPSY, SEIZURE), (MEASLES, RASH)]);
    // Focal epilepsy has Seizure in its closure: it does not set Epilepsy apart from it.
    let d = m.discriminators(&view, &[EPILEPSY, FOCAL_EPILEPSY], 5).unwrap();
    assert_eq!(d.iter().map(|x| (x.disease, x.phenotype)).collect::<Vec<_>>(), [(EPILEPSY, FEVER), (FOCAL_EPILEPSY, FOCAL)]);
    assert!(m.discriminators(&view, &[EPILEPSY, EPILEPSY], 5).is_err());
}

#[test]
fn cards_group_neighbours_and_keep_to_the_budget() {
    let view = graph(false);
    let c = card(&view, FEVER, 1000).unwrap();
    assert!(c.text.starts_with("Fever (effect/phenotype; X:4)"), "{}", c.text);
    let groups: Vec<(&str, &str, usize)> = c.groups.iter().map(|g| (g.relation.as_str(), g.direction, g.count)).collect();
    assert_eq!(groups, [("disease_phenotype_negative", "in", 1), ("phenotype_phenotype", "out", 1), ("disease_phenotype_positive", "in", 2)]);
    assert!(c.text.contains("disease_phenotype_positive <- (2): Measles; Epilepsy") || c.text.contains("disease_phenotype_positive <- (2): Epilepsy; Measles"), "{}", c.text);
    let small = card(&view, ABNORMAL, 12).unwrap();
    assert!(small.text.len() <= 48, "{}", small.text);
    assert!(small.text.starts_with("Abnormal"));
    assert!(card(&view, 99, 100).is_err());
}
