//! A JSON number's decimal text to the nearest `f64`, ties to even: what `str::parse::<f64>`
//! gives, by the "simple decimal conversion" (the decimal digits are multiplied and divided by
//! powers of two until the value lies in [1/2, 1), then 53 bits are rounded off).
//!
//! Why not `str::parse`: core's parser carries a 10 KB table of powers of five (its fast
//! Eisel-Lemire path), and that table alone was 14 KB of the gzipped JS package. The numbers
//! read here (structured output coercion, `Number::as_f64`) are few and short, so a slower
//! exact method is the better trade. It is tested against `str::parse` on generated inputs,
//! halfway cases and 800-digit mantissas.
//!
//! Bounded: at most [`MAX_DIGITS`] significant digits are kept (more cannot change an `f64`
//! beyond a "something non-zero follows" flag), exponents beyond the `f64` range stop early,
//! and each shift is linear in the digits kept.
//!
//! The ground floor: this file imports nothing of the crate.

/// Significant digits kept; 800 decide every `f64` (the longest exact halfway case has 767).
const MAX_DIGITS: usize = 800;
/// The largest shift in one step: a digit times 2^60 plus the carry fits in a `u64`.
const MAX_SHIFT: u32 = 60;
/// The shift in bits for a decimal point `n` digits away: `2^POWERS[n] <= 10^n`, so one step
/// never overshoots (27 bits for nine digits or more).
const POWERS: [u32; 9] = [1, 3, 6, 9, 13, 16, 19, 23, 26];
const MANTISSA_BITS: u32 = 52;
const BIAS: i64 = -1023;
const MAX_EXP: i64 = (1 << 11) - 1;

/// The value of a JSON number's text (`-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`, as
/// `Number::parse` checked it): the nearest `f64`, ties to even, infinite beyond its range.
/// `None` when the text is not a number of that shape.
pub(crate) fn json_f64(text: &str) -> Option<f64> {
    let (negative, b) = match text.as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        all => (false, all),
    };
    let mut d = Decimal::default();
    let (mut i, mut after_dot, mut any_digit) = (0, false, false);
    while let Some(&c) = b.get(i) {
        match c {
            b'0'..=b'9' => {
                any_digit = true;
                d.push_digit(c - b'0', after_dot);
            }
            b'.' if !after_dot => after_dot = true,
            _ => break,
        }
        i += 1;
    }
    if !any_digit {
        return None;
    }
    if let Some(&c) = b.get(i) {
        if c != b'e' && c != b'E' {
            return None;
        }
        let (negative_exp, digits) = match &b[i + 1..] {
            [b'-', rest @ ..] => (true, rest),
            [b'+', rest @ ..] => (false, rest),
            rest => (false, rest),
        };
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        // Capped: a million is already far beyond the range; the cap keeps the sum finite.
        let e = digits
            .iter()
            .fold(0i64, |e, &c| (e * 10 + i64::from(c - b'0')).min(1_000_000));
        d.point += if negative_exp { -e } else { e };
    }
    let magnitude = f64::from_bits(d.into_f64_bits());
    Some(if negative { -magnitude } else { magnitude })
}

/// A decimal `0.d1 d2 d3 ... × 10^point`, digits as values 0–9, without trailing zeros.
#[derive(Default)]
struct Decimal {
    digits: Vec<u8>,
    /// Where the decimal point is, in digits from the left.
    point: i64,
    /// Non-zero digits were dropped beyond `MAX_DIGITS`.
    truncated: bool,
}

impl Decimal {
    fn push_digit(&mut self, digit: u8, after_dot: bool) {
        if self.digits.is_empty() && digit == 0 {
            // A leading zero: after the dot it moves the point; before it, nothing.
            if after_dot {
                self.point -= 1;
            }
            return;
        }
        if !after_dot {
            self.point += 1;
        }
        if self.digits.len() < MAX_DIGITS {
            self.digits.push(digit);
        } else if digit != 0 {
            self.truncated = true;
        }
    }

    fn trim(&mut self) {
        while self.digits.last() == Some(&0) {
            self.digits.pop();
        }
        if self.digits.is_empty() {
            self.point = 0;
        }
    }

    /// Multiplies by 2^k (k > 0) or divides by 2^-k (k < 0).
    fn shift(&mut self, k: i64) {
        if self.digits.is_empty() {
            return;
        }
        let mut left = k.unsigned_abs();
        while left > 0 {
            let step = left.min(u64::from(MAX_SHIFT)) as u32;
            if k > 0 {
                self.left_shift(step);
            } else {
                self.right_shift(step);
            }
            left -= u64::from(step);
        }
    }

    fn left_shift(&mut self, k: u32) {
        // At most floor(k log10 2) + 1 new leading digits (1233 / 4096 > log10 2).
        let room = ((k as usize * 1233) >> 12) + 1;
        let mut out = vec![0u8; self.digits.len() + room];
        let mut w = out.len();
        let mut n: u64 = 0;
        for &digit in self.digits.iter().rev() {
            n += u64::from(digit) << k;
            w -= 1;
            out[w] = (n % 10) as u8;
            n /= 10;
        }
        while n > 0 {
            w -= 1;
            out[w] = (n % 10) as u8;
            n /= 10;
        }
        self.point += (out.len() - w - self.digits.len()) as i64;
        let mut kept = out.split_off(w);
        if kept.len() > MAX_DIGITS {
            self.truncated |= kept[MAX_DIGITS..].iter().any(|&d| d != 0);
            kept.truncate(MAX_DIGITS);
        }
        self.digits = kept;
        self.trim();
    }

    fn right_shift(&mut self, k: u32) {
        let mask = (1u64 << k) - 1;
        let mut read = 0;
        let mut n: u64 = 0;
        // Read digits until the first quotient digit is non-zero.
        while n >> k == 0 {
            match self.digits.get(read) {
                Some(&digit) => n = n * 10 + u64::from(digit),
                None if n == 0 => {
                    self.digits.clear();
                    self.trim();
                    return;
                }
                None => n *= 10,
            }
            read += 1;
        }
        self.point -= read as i64 - 1;
        let mut out = Vec::with_capacity(self.digits.len() + 20);
        while let Some(&digit) = self.digits.get(read) {
            out.push((n >> k) as u8);
            n = (n & mask) * 10 + u64::from(digit);
            read += 1;
        }
        while n > 0 {
            let digit = (n >> k) as u8;
            if out.len() < MAX_DIGITS {
                out.push(digit);
            } else if digit != 0 {
                self.truncated = true;
            }
            n = (n & mask) * 10;
        }
        self.digits = out;
        self.trim();
    }

    /// Whether rounding to `at` digits goes up: above half, or exactly half (the digit at `at`
    /// is the last, a 5) with an odd digit before it or dropped digits after it.
    fn rounds_up(&self, at: usize) -> bool {
        match self.digits.get(at) {
            None => false,
            Some(5) if at + 1 == self.digits.len() => {
                self.truncated || (at > 0 && self.digits[at - 1] % 2 == 1)
            }
            Some(&digit) => digit >= 5,
        }
    }

    /// The integer part, rounded half to even; `u64::MAX` when it has more than 20 digits.
    fn rounded_integer(&self) -> u64 {
        if self.point > 20 {
            return u64::MAX;
        }
        if self.point < 0 {
            // Below 0.1: rounds to 0.
            return 0;
        }
        let point = self.point as usize;
        let mut n: u64 = 0;
        for i in 0..point {
            n = n * 10 + u64::from(self.digits.get(i).copied().unwrap_or(0));
        }
        n + u64::from(self.rounds_up(point))
    }

    fn into_f64_bits(mut self) -> u64 {
        const INFINITY: u64 = (MAX_EXP as u64) << MANTISSA_BITS;
        if self.digits.is_empty() || self.point < -330 {
            return 0;
        }
        if self.point > 310 {
            return INFINITY;
        }
        let power = |p: i64| POWERS.get(p as usize).map_or(27, |&n| i64::from(n));
        let mut exp: i64 = 0;
        // Divide down below 1, then multiply up to [1/2, 1).
        while self.point > 0 {
            let n = power(self.point);
            self.shift(-n);
            exp += n;
        }
        while self.point < 0 || (self.point == 0 && self.digits.first().is_some_and(|&d| d < 5)) {
            let n = power(-self.point);
            self.shift(n);
            exp -= n;
        }
        // In [1, 2) as 1.xxx × 2^exp.
        exp -= 1;
        if exp < BIAS + 1 {
            // Below the normal range: a subnormal, with fewer bits.
            let n = BIAS + 1 - exp;
            self.shift(-n);
            exp += n;
        }
        if exp - BIAS >= MAX_EXP {
            return INFINITY;
        }
        self.shift(i64::from(MANTISSA_BITS) + 1);
        let mut mantissa = self.rounded_integer();
        if mantissa == 2 << MANTISSA_BITS {
            // Rounding carried into a new bit.
            mantissa >>= 1;
            exp += 1;
            if exp - BIAS >= MAX_EXP {
                return INFINITY;
            }
        }
        if mantissa & (1 << MANTISSA_BITS) == 0 {
            exp = BIAS;
        }
        (mantissa & ((1 << MANTISSA_BITS) - 1))
            | ((((exp - BIAS) & MAX_EXP) as u64) << MANTISSA_BITS)
    }
}

#[cfg(test)]
mod tests {
    use super::json_f64;

    /// Fewer generated cases inside WebAssembly (unoptimised under WASI they take minutes); the
    /// native run checks them all.
    const CASES: usize = if cfg!(target_family = "wasm") { 20 } else { 1 };

    /// core's `str::parse::<f64>` is the reference.
    fn check(text: &str) {
        let want: f64 = text.parse().expect("a valid number");
        let got = json_f64(text).expect("a valid number");
        assert_eq!(
            got.to_bits(),
            want.to_bits(),
            "{text}: {got:e} against {want:e}"
        );
    }

    /// A small deterministic generator (xorshift), so failures reproduce.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
        fn digits(&mut self, n: usize) -> String {
            (0..n)
                .map(|_| char::from(b'0' + self.below(10) as u8))
                .collect()
        }
    }

    #[test]
    fn known_cases() {
        for text in [
            "0",
            "-0",
            "1",
            "-1",
            "0.1",
            "0.5",
            "1.5",
            "2.5",
            "1e23",
            "1E23",
            "1e+23",
            "1e-7",
            "123.456e2",
            "0.000001",
            "9007199254740992",
            "9007199254740993",
            "9007199254740995",
            "18446744073709551615",
            "18446744073709551616",
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "1.7976931348623159e308",
            "1e309",
            "2e308",
            "4.9e-324",
            "2.4703282292062327e-324",
            "2.4703282292062328e-324",
            "2.2250738585072011e-308",
            "2.2250738585072014e-308",
            "5e-324",
            "1e-400",
            "1e400",
            "0.0",
            "0e0",
            "0e-999999999",
            "1e999999999999",
            "1e-999999999999",
            "0.1e-400",
            "100e-2",
            "3.14159265358979323846",
            "8.988465674311580536566680e307",
            "4.940656458412465441765687928682213723651e-324",
            "7.2057594037927933e16",
            "1.00000000000000011102230246251565404236316680908203125",
            "1.00000000000000011102230246251565404236316680908203124",
            "1.00000000000000011102230246251565404236316680908203126",
        ] {
            check(text);
        }
    }

    #[test]
    fn generated_numbers_match_core() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..60_000 / CASES {
            let int = rng.below(25) as usize + 1;
            let mut text = rng.digits(int).trim_start_matches('0').to_owned();
            if text.is_empty() {
                text.push('0');
            }
            if rng.below(2) == 0 {
                text.push('.');
                let frac = rng.below(25) as usize + 1;
                text.push_str(&rng.digits(frac));
            }
            if rng.below(2) == 0 {
                let e = rng.below(700) as i64 - 350;
                text.push_str(&format!("e{e}"));
            }
            check(&text);
        }
    }

    #[test]
    fn halfway_cases_round_to_even_and_a_far_digit_breaks_the_tie() {
        let mut rng = Rng(12345);
        for _ in 0..20_000 / CASES {
            // (2m + 1) × 2^s with m of 53 bits is halfway between two f64s.
            let m = (1u128 << 52) | u128::from(rng.below(1 << 52));
            let s = rng.below(60) as u32;
            let half = ((2 * m + 1) << s).to_string();
            check(&half);
            check(&format!("{half}.000000000000000000000000000001"));
            check(&format!("{}9", &half[..half.len() - 1]));
            // The same scaled by a power of ten, both ways.
            check(&format!("{half}e-{}", half.len()));
            check(&format!("0.{half}e{}", half.len()));
        }
        // Exact decimal expansions of f64s and of the midpoints of f32 neighbours (which are
        // f64s), printed exactly by core's formatting: hundreds of digits, near the edges.
        for _ in 0..3_000 / CASES {
            let x = f64::from_bits(rng.next() >> 1);
            if x.is_finite() {
                check(&format!("{x:.1100e}"));
                check(&format!("{x:e}"));
            }
            let f = f32::from_bits((rng.next() >> 33) as u32);
            if f.is_finite() {
                let mid = (f64::from(f) + f64::from(f32::from_bits(f.to_bits() + 1))) / 2.0;
                check(&format!("{mid:.1100e}"));
            }
        }
    }

    #[test]
    fn long_mantissas_keep_their_far_digits() {
        let mut rng = Rng(777);
        for _ in 0..300 / CASES {
            let n = 700 + rng.below(400) as usize;
            let text = format!("1{}e-{}", rng.digits(n), rng.below(700));
            check(&text);
            check(&format!(
                "0.{}",
                "0".repeat(rng.below(400) as usize) + &text[..text.find('e').unwrap_or(text.len())]
            ));
        }
    }

    #[test]
    fn a_million_digits_take_linear_work() {
        check(&"1".repeat(1_000_000));
        check(&format!("0.{}1", "0".repeat(1_000_000)));
        check(&format!("1.{}1e-300", "0".repeat(1_000_000)));
    }

    #[test]
    fn not_numbers() {
        for text in ["", "-", ".", "e5", "1e", "1e+", "1.2.3", "1x", "--1"] {
            assert_eq!(json_f64(text), None, "{text}");
        }
    }
}
