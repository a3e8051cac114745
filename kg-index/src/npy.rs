//! Readers for embeddings handed over as files: a NumPy `.npy` matrix (float32 or float64, C
//! order) and a list of node indices (`.npy` integers, or text with one index per line).
//! Every malformed input is an error naming the file (and line), never a panic.

use std::path::Path;

use kg_core::NodeIndex;

use crate::error::IndexError;

fn bad(path: &Path, reason: impl Into<String>) -> IndexError {
    IndexError::InvalidQuery(format!("{}: {}", path.display(), reason.into()))
}

/// A parsed `.npy` header: element type, shape, and where the data starts.
struct Header {
    descr: String,
    shape: Vec<usize>,
    data_at: usize,
}

fn header(path: &Path, bytes: &[u8]) -> Result<Header, IndexError> {
    if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
        return Err(bad(path, "not a .npy file (no \\x93NUMPY magic)"));
    }
    let (len, start) = match bytes[6] {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 if bytes.len() >= 12 => (u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes")) as usize, 12),
        v => return Err(bad(path, format!(".npy format version {v} is not supported"))),
    };
    let text = bytes.get(start..start + len).ok_or_else(|| bad(path, ".npy header cut short"))?;
    let text = std::str::from_utf8(text).map_err(|_| bad(path, ".npy header is not text"))?;
    let field = |key: &str| -> Result<&str, IndexError> {
        let at = text.find(&format!("'{key}'")).ok_or_else(|| bad(path, format!(".npy header has no '{key}'")))?;
        let rest = text[at + key.len() + 2..].trim_start().strip_prefix(':').ok_or_else(|| bad(path, "malformed .npy header"))?;
        Ok(rest.trim_start())
    };
    let descr = field("descr")?;
    let descr = descr.strip_prefix('\'').and_then(|d| d.split('\'').next()).ok_or_else(|| bad(path, "malformed 'descr'"))?.to_owned();
    if field("fortran_order")?.starts_with("True") {
        return Err(bad(path, "Fortran-ordered arrays are not supported: save with np.ascontiguousarray"));
    }
    let shape = field("shape")?;
    let inner = shape.strip_prefix('(').and_then(|s| s.split(')').next()).ok_or_else(|| bad(path, "malformed 'shape'"))?;
    let shape = inner
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<usize>().map_err(|_| bad(path, format!("shape entry {s:?} is not a size"))))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Header { descr, shape, data_at: start + len })
}

fn payload<'a>(path: &Path, bytes: &'a [u8], h: &Header, item: usize) -> Result<&'a [u8], IndexError> {
    let count = h.shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d)).ok_or_else(|| bad(path, "shape overflows"))?;
    let need = count.checked_mul(item).ok_or_else(|| bad(path, "shape overflows"))?;
    let data = &bytes[h.data_at.min(bytes.len())..];
    if data.len() != need {
        return Err(bad(path, format!("shape {:?} needs {need} data bytes, the file has {}", h.shape, data.len())));
    }
    Ok(data)
}

/// A 2-D float matrix: `(rows, cols, values in row order)`, float64 narrowed to float32.
pub fn read_matrix(path: &Path) -> Result<(usize, usize, Vec<f32>), IndexError> {
    let bytes = std::fs::read(path).map_err(|e| IndexError::Io { path: path.display().to_string(), source: e })?;
    parse_matrix(path, &bytes)
}

/// [`read_matrix`] on bytes already read.
pub fn parse_matrix(path: &Path, bytes: &[u8]) -> Result<(usize, usize, Vec<f32>), IndexError> {
    let h = header(path, bytes)?;
    let [rows, cols] = h.shape[..] else {
        return Err(bad(path, format!("expected a 2-D array (rows, dim), got shape {:?}", h.shape)));
    };
    let values = match h.descr.as_str() {
        "<f4" => payload(path, bytes, &h, 4)?.chunks_exact(4).map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes"))).collect(),
        "<f8" => payload(path, bytes, &h, 8)?.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")) as f32).collect(),
        d => return Err(bad(path, format!("element type {d:?}: expected float32 ('<f4') or float64 ('<f8')"))),
    };
    Ok((rows, cols, values))
}

/// Node indices: a 1-D integer `.npy` (int32/int64/uint32/uint64), or text with one index per
/// line (blank lines and `#` comments skipped).
pub fn read_ids(path: &Path) -> Result<Vec<NodeIndex>, IndexError> {
    let bytes = std::fs::read(path).map_err(|e| IndexError::Io { path: path.display().to_string(), source: e })?;
    parse_ids(path, &bytes)
}

/// [`read_ids`] on bytes already read.
pub fn parse_ids(path: &Path, bytes: &[u8]) -> Result<Vec<NodeIndex>, IndexError> {
    let node = |v: i128, at: String| NodeIndex::try_from(v).map_err(|_| bad(path, format!("{at}: {v} is not a node index")));
    if bytes.starts_with(b"\x93NUMPY") {
        let h = header(path, bytes)?;
        if h.shape.len() != 1 {
            return Err(bad(path, format!("expected a 1-D array of node indices, got shape {:?}", h.shape)));
        }
        let (item, signed) = match h.descr.as_str() {
            "<i8" => (8, true),
            "<u8" => (8, false),
            "<i4" => (4, true),
            "<u4" => (4, false),
            d => return Err(bad(path, format!("element type {d:?}: expected int32/int64/uint32/uint64"))),
        };
        return payload(path, bytes, &h, item)?
            .chunks_exact(item)
            .enumerate()
            .map(|(i, c)| {
                let v = match (item, signed) {
                    (8, true) => i64::from_le_bytes(c.try_into().expect("8")) as i128,
                    (8, false) => u64::from_le_bytes(c.try_into().expect("8")) as i128,
                    (4, true) => i32::from_le_bytes(c.try_into().expect("4")) as i128,
                    _ => u32::from_le_bytes(c.try_into().expect("4")) as i128,
                };
                node(v, format!("element {i}"))
            })
            .collect();
    }
    let text = std::str::from_utf8(bytes).map_err(|e| bad(path, format!("not UTF-8 text (byte {})", e.valid_up_to())))?;
    let mut ids = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let v: i128 = t.parse().map_err(|_| bad(path, format!("line {}: {t:?} is not a node index", i + 1)))?;
        ids.push(node(v, format!("line {}", i + 1))?);
    }
    Ok(ids)
}

/// A float32 matrix as `.npy` bytes (format 1.0, C order): what [`parse_matrix`] reads, for
/// writing test and exchange files.
pub fn encode_matrix(rows: usize, cols: usize, values: &[f32]) -> Vec<u8> {
    debug_assert_eq!(values.len(), rows * cols);
    let data: Vec<u8> = values.iter().flat_map(|x| x.to_le_bytes()).collect();
    with_header("<f4", &format!("({rows}, {cols})"), &data)
}

/// `data` behind a `.npy` 1.0 header, padded so the data starts on a 64-byte boundary.
fn with_header(descr: &str, shape: &str, data: &[u8]) -> Vec<u8> {
    let mut h = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
    while (10 + h.len() + 1) % 64 != 0 {
        h.push(' ');
    }
    h.push('\n');
    let mut b = b"\x93NUMPY\x01\x00".to_vec();
    b.extend_from_slice(&(h.len() as u16).to_le_bytes());
    b.extend_from_slice(h.as_bytes());
    b.extend_from_slice(data);
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn npy(descr: &str, shape: &str, data: &[u8]) -> Vec<u8> {
        with_header(descr, shape, data)
    }

    #[test]
    fn matrices_and_ids_parse() {
        let p = Path::new("v.npy");
        let data: Vec<u8> = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0].iter().flat_map(|x| x.to_le_bytes()).collect();
        assert_eq!(parse_matrix(p, &npy("<f4", "(2, 3)", &data)).unwrap(), (2, 3, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]));
        assert_eq!(parse_matrix(p, &encode_matrix(3, 2, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0])).unwrap(), (3, 2, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]));
        let d64: Vec<u8> = [0.5f64, -1.0].iter().flat_map(|x| x.to_le_bytes()).collect();
        assert_eq!(parse_matrix(p, &npy("<f8", "(1, 2)", &d64)).unwrap(), (1, 2, vec![0.5, -1.0]));
        let ids: Vec<u8> = [7i64, 9].iter().flat_map(|x| x.to_le_bytes()).collect();
        assert_eq!(parse_ids(p, &npy("<i8", "(2,)", &ids)).unwrap(), vec![7, 9]);
        assert_eq!(parse_ids(Path::new("ids.txt"), b"3\n\n# comment\n 4 \n").unwrap(), vec![3, 4]);
    }

    #[test]
    fn bad_files_are_named_errors() {
        let p = Path::new("v.npy");
        let f4: Vec<u8> = [1.0f32; 6].iter().flat_map(|x| x.to_le_bytes()).collect();
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (b"hello".to_vec(), "not a .npy"),
            (npy("<f4", "(2, 4)", &f4), "needs 32 data bytes"),
            (npy("<f4", "(6,)", &f4), "2-D"),
            (npy("<i2", "(2, 3)", &f4), "element type"),
            (npy("<f4", "(2, x)", &f4), "not a size"),
            (npy("<f4", "(99999999999999, 99999999999)", &f4), "overflows"),
            (npy("<f4", "(2, 3)", &f4)[..20].to_vec(), "cut short"),
        ];
        for (bytes, want) in cases {
            let e = parse_matrix(p, &bytes).unwrap_err().to_string();
            assert!(e.contains("v.npy") && e.contains(want), "{want}: {e}");
        }
        let e = parse_ids(Path::new("ids.txt"), b"1\n2\nfoo\n").unwrap_err().to_string();
        assert!(e.contains("ids.txt") && e.contains("line 3"), "{e}");
        let e = parse_ids(Path::new("ids.txt"), b"-4\n").unwrap_err().to_string();
        assert!(e.contains("line 1") && e.contains("-4"), "{e}");
        let neg: Vec<u8> = (-1i64).to_le_bytes().to_vec();
        assert!(parse_ids(p, &npy("<i8", "(1,)", &neg)).unwrap_err().to_string().contains("element 0"));
    }
}
