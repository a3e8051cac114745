//! A small seeded generator (SplitMix64): the same seed gives the same stream on every
//! platform and every kgcore version, which reproducible sampling and generation rely on.

/// SplitMix64: a small, fast, seedable generator; the same seed gives the same stream on every platform.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// The next 64 random bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    #[inline]
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in [0, n) for n > 0, without modulo bias worth caring about (Lemire's method).
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// Uniform in [0, n) for a wide n > 0.
    pub fn below_u128(&mut self, n: u128) -> u128 {
        if n <= u64::MAX as u128 {
            return self.below(n as u64) as u128;
        }
        // Rejection sampling over the smallest power of two covering n.
        let bits = 128 - (n - 1).leading_zeros();
        loop {
            let r = ((self.next_u64() as u128) << 64 | self.next_u64() as u128) >> (128 - bits);
            if r < n {
                return r;
            }
        }
    }

    /// Shuffles `v` uniformly (Fisher-Yates).
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            v.swap(i, j);
        }
    }
}
