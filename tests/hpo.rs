//! The HPO import end to end on disk, and the knowledge requests on the database it builds:
//! ids, synonyms, ranking, evidence with paths, discriminating findings, cards; a malformed
//! file leaves nothing behind.
#![cfg(feature = "rocksdb")]

use std::path::Path;

use kgcore::core::hpo::HpoFiles;
use kgcore::{DdxOptions, Explanation, Graph, OpenMode};

const OBO: &str = "format-version: 1.2

[Term]
id: HP:0000001
name: All

[Term]
id: HP:0000118
name: Phenotypic abnormality
is_a: HP:0000001 ! All

[Term]
id: HP:0001250
name: Seizure
synonym: \"Epileptic seizure\" EXACT []
is_a: HP:0000118

[Term]
id: HP:0002123
name: Generalized myoclonic seizure
is_a: HP:0001250

[Term]
id: HP:0001945
name: Fever
synonym: \"Pyrexia\" EXACT []
is_a: HP:0000118

[Term]
id: HP:0000005
name: Mode of inheritance
is_a: HP:0000001

[Term]
id: HP:0000006
name: Autosomal dominant inheritance
is_a: HP:0000005
";

const HPOA: &str = "#description: test
database_id\tdisease_name\tqualifier\thpo_id\treference\tevidence\tonset\tfrequency\tsex\tmodifier\taspect\tbiocuration
OMIM:607208\tDravet syndrome\t\tHP:0002123\tPMID:1\tPCS\t\tHP:0040281\t\t\tP\tx
OMIM:607208\tDravet syndrome\t\tHP:0001945\tPMID:1\tPCS\t\t9/10\t\t\tP\tx
OMIM:607208\tDravet syndrome\t\tHP:0000006\tPMID:1\tPCS\t\t\t\t\tI\tx
ORPHA:1\tFebrile illness\t\tHP:0001945\tPMID:1\tPCS\t\tHP:0040280\t\t\tP\tx
ORPHA:1\tFebrile illness\tNOT\tHP:0001250\tPMID:1\tPCS\t\t\t\t\tP\tx
";

const GENES: &str = "ncbi_gene_id\tgene_symbol\thpo_id\thpo_name\tfrequency\tdisease_id
6323\tSCN1A\tHP:0002123\tGeneralized myoclonic seizure\t-\tOMIM:607208
";

fn write(dir: &Path, obo: &str, hpoa: &str) -> HpoFiles {
    std::fs::write(dir.join("hp.obo"), obo).unwrap();
    std::fs::write(dir.join("phenotype.hpoa"), hpoa).unwrap();
    std::fs::write(dir.join("genes_to_phenotype.txt"), GENES).unwrap();
    HpoFiles::in_dir(dir).unwrap()
}

#[test]
fn imports_and_answers_knowledge_requests() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hpo.db");
    let report = Graph::import_hpo(&db, &write(dir.path(), OBO, HPOA)).unwrap();
    assert_eq!((report.nodes, report.edges), (7 + 2 + 1, 6 + 4 + 1 + 2));
    let g = Graph::open(&db, OpenMode::ReadOnly).unwrap();

    let seizure = g.resolve("HP:0001250").unwrap();
    let myoclonic = g.resolve("HP:0002123").unwrap();
    let fever = g.resolve("Fever").unwrap();
    let dravet = g.resolve("OMIM:607208").unwrap();
    let febrile = g.resolve("ORPHA:1").unwrap();
    assert_eq!(g.find("epileptic seizure"), vec![seizure], "a synonym finds its term");
    assert_eq!(g.resolve("Pyrexia").unwrap(), fever);
    let mentions = g.extract("Pyrexia and an epileptic seizure", &Default::default()).unwrap();
    assert_eq!(mentions.iter().map(|m| m.nodes.clone()).collect::<Vec<_>>(), [vec![fever], vec![seizure]]);
    assert!(g.resolve("HP:9999999").is_err());
    // Many at once: every unknown named, or left out on request.
    let err = g.resolve_all(&["HP:0001250", "HP:9999999", "no such term"], false).unwrap_err().to_string();
    assert!(err.contains("HP:9999999") && err.contains("no such term") && !err.contains("HP:0001250"), "{err}");
    assert_eq!(g.resolve_all(&["HP:0001250", "HP:9999999", "Fever"], true).unwrap(), vec![seizure, fever]);

    let model = g.diagnosis_model(&Default::default()).unwrap();
    assert_eq!(model.direction(), kgcore::OntologyDirection::Given);
    assert_eq!(model.parents(myoclonic).unwrap(), vec![seizure]);

    // Seizure and fever: Dravet explains both; the febrile illness excludes seizures.
    let ranked = g.rank_diseases(&[seizure, fever], &DdxOptions::default()).unwrap();
    assert_eq!(ranked.iter().map(|r| r.0).collect::<Vec<_>>(), [dravet, febrile]);
    let seizure_only = g.rank_diseases(&[seizure], &DdxOptions::default()).unwrap();
    assert!(seizure_only[1].0 == febrile && seizure_only[1].1 < 0.0, "an excluded finding counts against: {seizure_only:?}");
    let many = g.rank_diseases_many(&[vec![seizure, fever], vec![fever], vec![]], &DdxOptions::default()).unwrap();
    assert_eq!(many[0].as_ref().unwrap(), &ranked);
    assert_eq!(many[1].as_ref().unwrap()[0].0, febrile, "fever alone: the illness where it is obligate");
    assert!(many[2].as_ref().unwrap_err().to_string().contains("no phenotypes"));

    let evidence = g.disease_evidence(&[seizure, fever], dravet, 3, 0, &DdxOptions::default()).unwrap();
    assert!((evidence.score - ranked[0].1).abs() < 1e-9);
    assert_eq!(evidence.findings[0].evidence.explanation, Explanation::Ancestor { annotation: myoclonic, steps: 1, frequency: 0.9 });
    assert!(evidence.findings[0].paths.iter().any(|p| p.contains("Generalized myoclonic seizure") && p.contains("Dravet syndrome")), "{:?}", evidence.findings[0].paths);
    assert_eq!(evidence.findings[1].paths, ["Fever (effect/phenotype) <-[phenotype present (very frequent)]- Dravet syndrome (disease)"]);

    let found = g.discriminating_findings(&[dravet, febrile], 5, &Default::default()).unwrap();
    assert!(found.iter().any(|d| d.disease == dravet && d.phenotype == myoclonic));
    assert!(found.iter().all(|d| d.phenotype != fever), "fever is shared");

    let card = g.card(dravet, 200).unwrap();
    assert!(card.text.starts_with("Dravet syndrome (disease; OMIM:607208)"), "{}", card.text);
    assert!(card.text.contains("SCN1A"));
}

#[test]
fn malformed_files_leave_no_database() {
    let dir = tempfile::tempdir().unwrap();
    for (obo, hpoa, at) in [
        (OBO.replace("is_a: HP:0001250", "is_a: HP:0001251"), HPOA.to_owned(), "hp.obo:21"),
        (OBO.to_owned(), HPOA.replace("9/10", "ten"), "phenotype.hpoa:4"),
    ] {
        let db = dir.path().join("hpo.db");
        let err = Graph::import_hpo(&db, &write(dir.path(), &obo, &hpoa)).unwrap_err().to_string();
        assert!(err.contains(at), "{err}");
        assert!(!db.exists(), "nothing is left at the target");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().filter(|e| e.file_name().to_string_lossy().contains("importing")).collect();
        assert!(leftovers.is_empty());
    }
    let db = dir.path().join("hpo.db");
    Graph::import_hpo(&db, &write(dir.path(), OBO, HPOA)).unwrap();
    let again = Graph::import_hpo(&db, &write(dir.path(), OBO, HPOA)).unwrap_err().to_string();
    assert!(again.contains("not empty"), "an existing database is never overwritten: {again}");
}

#[test]
fn a_graph_without_annotations_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hpo.db");
    std::fs::write(dir.path().join("hp.obo"), OBO).unwrap();
    Graph::import_hpo(&db, &HpoFiles { ontology: dir.path().join("hp.obo"), annotations: None, genes: None }).unwrap();
    let g = Graph::open(&db, OpenMode::ReadOnly).unwrap();
    let err = g.rank_diseases(&[0], &DdxOptions::default()).unwrap_err().to_string();
    assert!(err.contains("disease"), "{err}");
}
