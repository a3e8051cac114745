//! The one place kg-index uses `unsafe`: a dot product with AVX-512, or AVX2 and FMA, on CPUs
//! that have them (checked at run time), and a cache prefetch. Vector search spends most of its
//! time here.
#![allow(unsafe_code)]

/// Dot product of two equally long slices.
#[inline]
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU supports AVX-512F, checked just above.
            return unsafe { dot_avx512(a, b) };
        }
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
            // SAFETY: the CPU supports AVX2 and FMA, checked just above.
            return unsafe { dot_avx2_fma(a, b) };
        }
    }
    dot_portable(a, b)
}

/// Eight independent sums, which the compiler turns into SIMD lanes of the baseline target.
#[inline]
fn dot_portable(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = ca.remainder().iter().zip(cb.remainder()).map(|(x, y)| x * y).sum();
    for (x, y) in ca.zip(cb) {
        for i in 0..8 {
            acc[i] += x[i] * y[i];
        }
    }
    (acc[0] + acc[4]) + (acc[1] + acc[5]) + (acc[2] + acc[6]) + (acc[3] + acc[7]) + tail
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn dot_avx2_fma(a: &[f32], b: &[f32]) -> f32 {
    use std::arch::x86_64::*;
    let n = a.len().min(b.len());
    let (pa, pb) = (a.as_ptr(), b.as_ptr());
    let mut acc0 = _mm256_setzero_ps();
    let mut acc1 = _mm256_setzero_ps();
    let mut i = 0;
    while i + 16 <= n {
        // SAFETY: i + 16 <= n, the length of both slices, so all 16 floats read are in bounds.
        let (x0, y0, x1, y1) =
            unsafe { (_mm256_loadu_ps(pa.add(i)), _mm256_loadu_ps(pb.add(i)), _mm256_loadu_ps(pa.add(i + 8)), _mm256_loadu_ps(pb.add(i + 8))) };
        acc0 = _mm256_fmadd_ps(x0, y0, acc0);
        acc1 = _mm256_fmadd_ps(x1, y1, acc1);
        i += 16;
    }
    let acc = _mm256_add_ps(acc0, acc1);
    let half = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps::<1>(acc));
    let pairs = _mm_add_ps(half, _mm_movehl_ps(half, half));
    let one = _mm_add_ss(pairs, _mm_shuffle_ps::<0b01>(pairs, pairs));
    let mut sum = _mm_cvtss_f32(one);
    while i < n {
        sum += a[i] * b[i];
        i += 1;
    }
    sum
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn dot_avx512(a: &[f32], b: &[f32]) -> f32 {
    use std::arch::x86_64::*;
    let n = a.len().min(b.len());
    let (pa, pb) = (a.as_ptr(), b.as_ptr());
    let mut acc0 = _mm512_setzero_ps();
    let mut acc1 = _mm512_setzero_ps();
    let mut i = 0;
    while i + 32 <= n {
        // SAFETY: i + 32 <= n, the length of both slices, so all 32 floats read are in bounds.
        let (x0, y0, x1, y1) =
            unsafe { (_mm512_loadu_ps(pa.add(i)), _mm512_loadu_ps(pb.add(i)), _mm512_loadu_ps(pa.add(i + 16)), _mm512_loadu_ps(pb.add(i + 16))) };
        acc0 = _mm512_fmadd_ps(x0, y0, acc0);
        acc1 = _mm512_fmadd_ps(x1, y1, acc1);
        i += 32;
    }
    if i + 16 <= n {
        // SAFETY: i + 16 <= n.
        let (x, y) = unsafe { (_mm512_loadu_ps(pa.add(i)), _mm512_loadu_ps(pb.add(i))) };
        acc0 = _mm512_fmadd_ps(x, y, acc0);
        i += 16;
    }
    let mut sum = _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
    while i < n {
        sum += a[i] * b[i];
        i += 1;
    }
    sum
}

/// Asks the CPU to start loading the cache line holding `x`: a hint, never a fault.
#[inline]
pub(crate) fn prefetch(x: &f32) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: a prefetch of a valid reference; prefetches never fault and change no state
        // the program can observe.
        unsafe { _mm_prefetch::<_MM_HINT_T0>((x as *const f32).cast()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = x;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simd_and_portable_dots_agree_on_every_length() {
        let mut rng = kg_core::rng::SplitMix64::new(5);
        for len in 0..100 {
            let a: Vec<f32> = (0..len).map(|_| rng.next_f64() as f32 - 0.5).collect();
            let b: Vec<f32> = (0..len).map(|_| rng.next_f64() as f32 - 0.5).collect();
            let exact: f64 = a.iter().zip(&b).map(|(x, y)| *x as f64 * *y as f64).sum();
            assert!((dot(&a, &b) as f64 - exact).abs() < 1e-5, "len {len}");
            assert!((dot_portable(&a, &b) as f64 - exact).abs() < 1e-5, "len {len}");
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
                // SAFETY: checked just above.
                assert!((unsafe { dot_avx2_fma(&a, &b) } as f64 - exact).abs() < 1e-5, "len {len}");
            }
        }
    }
}
