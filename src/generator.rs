//! A PrimeKG-shaped synthetic graph in kg.csv format: PrimeKG's node types and relations in
//! their proportions, every edge written in both directions, a heavy-tailed degree distribution
//! with hubs of tens of thousands of edges, names shared across types, and a few exact
//! duplicate rows. Deterministic for a given scale and seed.

use std::collections::HashSet;
use std::io::Write;
use std::path::Path;

use kg_core::rng::SplitMix64;
use kg_core::{Error, Result};

/// PrimeKG's node types, node counts, and (id prefix, source).
pub const NODE_TYPES: [(&str, usize, &str, &str); 10] = [
    ("biological_process", 28_642, "GO:", "GO"),
    ("gene/protein", 27_671, "", "NCBI"),
    ("disease", 17_080, "MONDO:", "MONDO"),
    ("effect/phenotype", 15_311, "HP:", "HPO"),
    ("anatomy", 14_035, "UBERON:", "UBERON"),
    ("molecular_function", 11_169, "GO:", "GO"),
    ("drug", 7_957, "DB", "DrugBank"),
    ("cellular_component", 4_176, "GO:", "GO"),
    ("pathway", 2_516, "R-HSA-", "REACTOME"),
    ("exposure", 818, "", "CTD"),
];

/// PrimeKG's relations: (relation, display relation, x type, y type, directed rows).
pub const RELATIONS: [(&str, &str, usize, usize, usize); 30] = [
    ("anatomy_protein_present", "expression present", 4, 1, 3_033_804),
    ("drug_drug", "synergistic interaction", 6, 6, 2_672_628),
    ("protein_protein", "ppi", 1, 1, 642_150),
    ("disease_phenotype_positive", "phenotype present", 2, 3, 300_629),
    ("bioprocess_protein", "interacts with", 0, 1, 289_599),
    ("cellcomp_protein", "interacts with", 7, 1, 166_782),
    ("disease_protein", "associated with", 2, 1, 160_813),
    ("molfunc_protein", "interacts with", 5, 1, 139_053),
    ("drug_effect", "side effect", 6, 3, 129_568),
    ("bioprocess_bioprocess", "parent-child", 0, 0, 105_772),
    ("pathway_protein", "interacts with", 8, 1, 85_292),
    ("disease_disease", "parent-child", 2, 2, 64_388),
    ("contraindication", "contraindication", 6, 2, 61_350),
    ("drug_protein", "target", 6, 1, 50_936),
    ("anatomy_protein_absent", "expression absent", 4, 1, 39_774),
    ("phenotype_phenotype", "parent-child", 3, 3, 37_472),
    ("anatomy_anatomy", "parent-child", 4, 4, 28_064),
    ("molfunc_molfunc", "parent-child", 5, 5, 27_148),
    ("indication", "indication", 6, 2, 18_776),
    ("cellcomp_cellcomp", "parent-child", 7, 7, 9_690),
    ("phenotype_protein", "associated with", 3, 1, 6_660),
    ("off-label use", "off-label use", 6, 2, 5_136),
    ("pathway_pathway", "parent-child", 8, 8, 5_070),
    ("exposure_disease", "linked to", 9, 2, 4_608),
    ("exposure_exposure", "parent-child", 9, 9, 4_140),
    ("exposure_bioprocess", "interacts with", 9, 0, 3_250),
    ("exposure_protein", "interacts with", 9, 1, 2_424),
    ("disease_phenotype_negative", "phenotype absent", 2, 3, 2_386),
    ("exposure_molfunc", "interacts with", 9, 5, 90),
    ("exposure_cellcomp", "interacts with", 9, 7, 20),
];

/// Exact duplicate rows in PrimeKG, per unit of scale.
const DUPLICATE_ROWS: f64 = 370.0;

/// What was generated.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct GenerateReport {
    /// Nodes written.
    pub nodes: usize,
    /// Data rows written (each undirected edge twice, duplicates included).
    pub rows: u64,
    /// Distinct undirected edges.
    pub undirected_edges: u64,
    /// Rows written twice on purpose, as PrimeKG has some.
    pub duplicate_rows: u64,
}

struct NodeGen {
    index: u32,
    id: String,
    name: String,
}

const SYLLABLES: [&str; 32] = [
    "ac", "ar", "bel", "cor", "dan", "ex", "fen", "gal", "hex", "in", "lo", "mar", "nep", "ox", "pra", "quin", "ros",
    "sal", "tor", "ul", "vex", "wen", "xan", "yl", "zor", "ami", "cef", "dox", "lin", "mab", "tin", "vir",
];

fn make_name(rng: &mut SplitMix64, type_no: usize) -> String {
    let n = 2 + rng.below(3) as usize;
    let mut s = String::new();
    for _ in 0..n {
        s.push_str(SYLLABLES[rng.below(SYLLABLES.len() as u64) as usize]);
    }
    let mut c = s.chars();
    let first = c.next().map(|f| f.to_ascii_uppercase()).unwrap_or('X');
    let word = format!("{first}{}", c.as_str());
    match type_no {
        2 => format!("{word} disease type {}", rng.below(40) + 1),
        3 => format!("Abnormal {}", word.to_lowercase()),
        1 => word.to_uppercase(),
        _ => word,
    }
}

/// Writes a PrimeKG-shaped kg.csv to `out`.
pub fn generate_primekg(scale: f64, seed: u64, out: &mut dyn Write) -> Result<GenerateReport> {
    if !(scale > 0.0 && scale <= 64.0) {
        return Err(Error::InvalidInput(format!("scale must be in (0, 64], got {scale}")));
    }
    let mut rng = SplitMix64::new(seed);
    // Nodes: contiguous index blocks per type, in PrimeKG's rough order.
    let mut types: Vec<Vec<NodeGen>> = Vec::new();
    let mut next_index = 0u32;
    for (t, &(_, count, prefix, _)) in NODE_TYPES.iter().enumerate() {
        let n = ((count as f64 * scale).round() as usize).max(2);
        let mut nodes = Vec::with_capacity(n);
        for k in 0..n {
            let id = if prefix.is_empty() { format!("{}", 1000 + k) } else { format!("{prefix}{:07}", k + 1) };
            nodes.push(NodeGen { index: next_index, id, name: make_name(&mut rng, t) });
            next_index += 1;
        }
        types.push(nodes);
    }
    // Names are not unique: some exposures and phenotypes share a drug's or disease's name.
    for (from, to, share) in [(6usize, 9usize, 0.2), (2, 3, 0.02), (1, 1, 0.01)] {
        let len = types[to].len();
        for k in 0..((len as f64 * share) as usize) {
            let src = rng.below(types[from].len() as u64) as usize;
            let name = types[from][src].name.clone();
            types[to][k].name = name;
        }
    }
    // Rank order per type: a random permutation so hubs are spread over the index range.
    let ranks: Vec<Vec<u32>> = types
        .iter()
        .map(|nodes| {
            let mut r: Vec<u32> = (0..nodes.len() as u32).collect();
            rng.shuffle(&mut r);
            r
        })
        .collect();
    // Heavy tail: rank = floor(n * u^3) puts a share (k/n)^(1/3) of endpoints on the top k.
    let pick = |rng: &mut SplitMix64, t: usize| -> u32 {
        let n = ranks[t].len();
        let r = ((n as f64) * rng.next_f64().powi(3)) as usize;
        ranks[t][r.min(n - 1)]
    };

    let mut w = std::io::BufWriter::with_capacity(1 << 20, out);
    let io = |e: std::io::Error| Error::Io { path: "generated kg.csv".into(), source: e };
    writeln!(w, "relation,display_relation,x_index,x_id,x_type,x_name,x_source,y_index,y_id,y_type,y_name,y_source")
        .map_err(io)?;
    let mut report = GenerateReport { nodes: types.iter().map(Vec::len).sum(), ..Default::default() };
    let mut line = String::with_capacity(256);
    let mut write_row = |w: &mut dyn Write, rel: usize, x: (usize, u32), y: (usize, u32)| -> Result<()> {
        let (name, disp, ..) = RELATIONS[rel];
        let nx = &types[x.0][x.1 as usize];
        let ny = &types[y.0][y.1 as usize];
        line.clear();
        use std::fmt::Write as _;
        let _ = writeln!(
            line,
            "{},{},{},{},{},{},{},{},{},{},{},{}",
            csv_field(name),
            csv_field(disp),
            nx.index,
            csv_field(&nx.id),
            NODE_TYPES[x.0].0,
            csv_field(&nx.name),
            NODE_TYPES[x.0].3,
            ny.index,
            csv_field(&ny.id),
            NODE_TYPES[y.0].0,
            csv_field(&ny.name),
            NODE_TYPES[y.0].3
        );
        w.write_all(line.as_bytes()).map_err(io)
    };

    // Every node gets at least one edge (kg.csv only lists nodes that have one).
    let mut relations_of_type: Vec<Vec<usize>> = vec![Vec::new(); NODE_TYPES.len()];
    for (r, &(_, _, a, b, _)) in RELATIONS.iter().enumerate() {
        relations_of_type[a].push(r);
        if b != a {
            relations_of_type[b].push(r);
        }
    }
    let mut seen: Vec<HashSet<(u32, u32)>> = vec![HashSet::new(); RELATIONS.len()];
    let mut planned: Vec<Vec<(u32, u32)>> = vec![Vec::new(); RELATIONS.len()];
    for t in 0..NODE_TYPES.len() {
        for k in 0..types[t].len() as u32 {
            let rels = &relations_of_type[t];
            // Weighted by the relation's size so the seeding keeps PrimeKG's proportions.
            let total: usize = rels.iter().map(|&r| RELATIONS[r].4).sum();
            let mut x = rng.below(total as u64) as usize;
            let mut rel = rels[0];
            for &r in rels {
                if x < RELATIONS[r].4 {
                    rel = r;
                    break;
                }
                x -= RELATIONS[r].4;
            }
            let (_, _, a, b, _) = RELATIONS[rel];
            let mut pair = if a == t { (k, pick(&mut rng, b)) } else { (pick(&mut rng, a), k) };
            if a == b {
                pair = (pair.0.min(pair.1), pair.0.max(pair.1));
            }
            if (a != b || pair.0 != pair.1) && seen[rel].insert(pair) {
                planned[rel].push(pair);
            }
        }
    }
    for (rel, &(_, _, a, b, rows)) in RELATIONS.iter().enumerate() {
        // At least one edge per relation, so small graphs still have all 30.
        let target = (((rows as f64 / 2.0) * scale).round() as usize).max(1);
        let mut attempts = 0usize;
        while planned[rel].len() < target && attempts < target * 8 {
            attempts += 1;
            let pair = (pick(&mut rng, a), pick(&mut rng, b));
            let key = if a == b { (pair.0.min(pair.1), pair.0.max(pair.1)) } else { pair };
            if a == b && pair.0 == pair.1 {
                continue;
            }
            if seen[rel].insert(key) {
                planned[rel].push(key);
            }
        }
        seen[rel] = HashSet::new();
        for &(x, y) in &planned[rel] {
            write_row(&mut w, rel, (a, x), (b, y))?;
            write_row(&mut w, rel, (b, y), (a, x))?;
            report.rows += 2;
            report.undirected_edges += 1;
        }
    }
    let dups = (DUPLICATE_ROWS * scale).round() as u64;
    for _ in 0..dups {
        let rel = rng.below(RELATIONS.len() as u64) as usize;
        if let Some(&(x, y)) = planned[rel].get(rng.below(planned[rel].len().max(1) as u64) as usize) {
            let (_, _, a, b, _) = RELATIONS[rel];
            write_row(&mut w, rel, (a, x), (b, y))?;
            report.rows += 1;
            report.duplicate_rows += 1;
        }
    }
    w.flush().map_err(io)?;
    Ok(report)
}

fn csv_field(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\"")).into()
    } else {
        s.into()
    }
}

/// A gzip writer for generated files.
struct GzWriter(flate2::write::GzEncoder<std::fs::File>);

impl std::fmt::Debug for GzWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GzWriter")
    }
}

impl GzWriter {
    fn new(file: std::fs::File) -> Self {
        GzWriter(flate2::write::GzEncoder::new(file, flate2::Compression::fast()))
    }

    fn finish(self) -> std::io::Result<()> {
        self.0.finish()?.sync_all()
    }
}

impl Write for GzWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// Writes a PrimeKG-shaped kg.csv of `scale` (1.0: about 129k nodes, 8.1M rows) to `out`,
/// gzip-compressed when its name ends in `.gz`. The file appears whole or not at all: it is
/// written beside `out` under another name and renamed into place.
pub fn generate_file(out: &Path, scale: f64, seed: u64) -> Result<GenerateReport> {
    let tmp = out.with_extension("partial");
    let io = |p: &Path, e: std::io::Error| kg_core::Error::Io { path: p.to_path_buf(), source: e };
    let result = (|| {
        // A folder that is not there is the requested file's problem: name that file.
        let file = std::fs::File::create(&tmp).map_err(|e| io(out, e))?;
        let report = if out.extension().is_some_and(|e| e == "gz") {
            let mut gz = GzWriter::new(file);
            let r = generate_primekg(scale, seed, &mut gz)?;
            gz.finish().map_err(|e| io(&tmp, e))?;
            r
        } else {
            let mut f = file;
            let r = generate_primekg(scale, seed, &mut f)?;
            f.sync_all().map_err(|e| io(&tmp, e))?;
            r
        };
        std::fs::rename(&tmp, out).map_err(|e| io(out, e))?;
        Ok(report)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_total_matches_primekg() {
        // PrimeKG's published per-relation counts sum to within 0.1% of its 8,100,498 rows.
        let rows = RELATIONS.iter().map(|r| r.4).sum::<usize>() as f64;
        assert!((rows - 8_100_498.0).abs() / 8_100_498.0 < 0.001, "{rows}");
        assert_eq!(NODE_TYPES.iter().map(|t| t.1).sum::<usize>(), 129_375);
    }

    #[test]
    fn deterministic_and_symmetric() {
        let mut a = Vec::new();
        let mut b = Vec::new();
        let ra = generate_primekg(0.01, 7, &mut a).unwrap();
        generate_primekg(0.01, 7, &mut b).unwrap();
        assert_eq!(a, b);
        // Small scales saturate the dense drug_drug block, so fewer rows than 1% of PrimeKG's.
        assert!(ra.rows > 50_000 && ra.rows % 2 == ra.duplicate_rows % 2, "{ra:?}");
        let text = String::from_utf8(a).unwrap();
        assert!(text.starts_with("relation,display_relation,x_index"));
        assert!(generate_primekg(0.0, 1, &mut Vec::new()).is_err());
    }
}

