//! The one normalisation of node names, used wherever a name goes in: the name index, `find`,
//! the lookup of names in MedReason's graph, and entity extraction.

use unicode_normalization::UnicodeNormalization;

/// The key a name is indexed and looked up under: Unicode compatibility form (NFKC: full-width
/// letters, ligatures), lowercase, and runs of whitespace (any Unicode space) as one space,
/// none at either end.
pub fn normalize(name: &str) -> String {
    fold(name, true)
}

/// [`normalize`] without the lowercasing: what case-sensitive lookups compare.
pub fn normalize_keep_case(name: &str) -> String {
    fold(name, false)
}

fn fold(name: &str, lowercase: bool) -> String {
    if name.is_ascii() {
        // ASCII is already NFKC: fold case and spacing in one pass, one allocation.
        let mut out = String::with_capacity(name.len());
        for word in name.split_ascii_whitespace() {
            if !out.is_empty() {
                out.push(' ');
            }
            if lowercase {
                out.extend(word.chars().map(|c| c.to_ascii_lowercase()));
            } else {
                out.push_str(word);
            }
        }
        return out;
    }
    let folded: String = if lowercase { name.nfkc().flat_map(char::to_lowercase).collect() } else { name.nfkc().collect() };
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_width_and_space() {
        assert_eq!(normalize("  Heart   Attack "), "heart attack");
        assert_eq!(normalize("ＣＯＶＩＤ"), "covid");
        assert_eq!(normalize("Ｆｅｖｅｒ\tHigh"), "fever high");
        assert_eq!(normalize("\u{b}Vitamin\u{a0}B12 "), "vitamin b12", "non-ASCII spaces fold too");
        assert_eq!(normalize(" Type 2  Diabetes\r\n"), "type 2 diabetes");
        assert_eq!(normalize_keep_case(" WAS  gene "), "WAS gene");
        assert_eq!(normalize_keep_case("ＷＡＳ\u{a0}x"), "WAS x");
    }
}
