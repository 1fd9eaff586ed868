//! Postcodes for home and placement addresses.
//!
//! The sample uses real postcodes bundled in `data/postcodes.csv` (a few hundred units from
//! the ONS Postcode Directory, see the crate README for the attribution); the national set
//! makes up plausible-looking postcodes per authority.

use std::sync::OnceLock;

use rand::Rng;

/// Bundled real postcodes: `postcode,lad,utla,easting,northing,role`.
pub const POSTCODES_CSV: &str = include_str!("../data/postcodes.csv");

/// A real postcode with its authority and grid reference.
#[derive(Debug, Clone)]
pub struct RealPostcode {
    /// Unit postcode, `outward inward` with one space.
    pub postcode: String,
    /// ONS local authority district (lower tier) code.
    pub lad: String,
    /// ONS upper-tier authority code (the DfE authority's E-code).
    pub utla: String,
    /// OSGB36 easting, metres.
    pub easting: f64,
    /// OSGB36 northing, metres.
    pub northing: f64,
}

/// The bundled postcodes, parsed once.
pub fn real_postcodes() -> &'static [RealPostcode] {
    static LIST: OnceLock<Vec<RealPostcode>> = OnceLock::new();
    LIST.get_or_init(|| {
        POSTCODES_CSV
            .lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                RealPostcode {
                    postcode: f[0].to_string(),
                    lad: f[1].to_string(),
                    utla: f[2].to_string(),
                    easting: f[3].parse().expect("easting"),
                    northing: f[4].parse().expect("northing"),
                }
            })
            .collect()
    })
}

/// Straight-line distance in miles as the DfE computes PL_DISTANCE (grid metres / 1000 /
/// 1.6093), not rounded.
pub fn distance_miles(a: &RealPostcode, b: &RealPostcode) -> f64 {
    let (de, dn) = (a.easting - b.easting, a.northing - b.northing);
    (de * de + dn * dn).sqrt() / 1000.0 / 1.6093
}

/// Index of a postcode in an authority's [`Geography`] table.
pub type Pc = u32;

/// Postcodes one authority draws from: home addresses, and for each home address the
/// placements within 20 miles ("near") and further away ("far").
#[derive(Debug, Clone)]
pub struct Geography {
    /// Every postcode this authority may use, as written.
    pub postcodes: Vec<String>,
    /// Home postcodes inside the authority.
    own: Vec<Pc>,
    /// Home postcodes in neighbouring authorities (children living just over the border).
    neighbour: Vec<Pc>,
    /// `near[i]`, `far[i]`: candidate placement postcodes for home postcode `i`
    /// (indexed by Pc), empty for postcodes that are never homes.
    near: Vec<Vec<Pc>>,
    far: Vec<Vec<Pc>>,
    /// Whether the postcodes are real (distance meaningful).
    pub real: bool,
}

const NEAR_MILES: f64 = 20.0;

impl Geography {
    /// Real postcodes for the authority with ONS code `utla`, if the bundled list has
    /// home postcodes for it.
    pub fn real(utla: &str) -> Option<Geography> {
        let all = real_postcodes();
        let own: Vec<Pc> = (0..all.len() as Pc)
            .filter(|&i| all[i as usize].utla == utla)
            .collect();
        if own.is_empty() {
            return None;
        }
        let postcodes: Vec<String> = all.iter().map(|p| p.postcode.clone()).collect();
        let mut near = vec![Vec::new(); all.len()];
        let mut far = vec![Vec::new(); all.len()];
        // Neighbouring homes: other-authority postcodes within 12 miles of some own postcode.
        let mut neighbour = Vec::new();
        for j in 0..all.len() as Pc {
            if all[j as usize].utla == utla {
                continue;
            }
            if own
                .iter()
                .any(|&i| distance_miles(&all[i as usize], &all[j as usize]) <= 12.0)
            {
                neighbour.push(j);
            }
        }
        for &h in own.iter().chain(neighbour.iter()) {
            for j in 0..all.len() as Pc {
                if j == h {
                    continue;
                }
                let dist = distance_miles(&all[h as usize], &all[j as usize]);
                if dist <= NEAR_MILES - 0.5 {
                    near[h as usize].push(j);
                } else if dist > NEAR_MILES + 0.5 {
                    far[h as usize].push(j);
                }
            }
        }
        Some(Geography {
            postcodes,
            own,
            neighbour,
            near,
            far,
            real: true,
        })
    }

    /// Made-up postcodes for authority number `index` (deterministic, plausible format,
    /// not real).
    pub fn synthetic(index: usize) -> Geography {
        const AREAS: [&str; 40] = [
            "AB", "AL", "BB", "BD", "BH", "BL", "BN", "CA", "CB", "CM", "CO", "CT", "CV", "DE",
            "DH", "DL", "DN", "DT", "DY", "EX", "FY", "GL", "GU", "HD", "HG", "HP", "HU", "HX",
            "IP", "LA", "LE", "LN", "LU", "MK", "NE", "NG", "NN", "NR", "OX", "PE",
        ];
        const UNIT: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";
        let mut postcodes = Vec::new();
        let mut make = |slot: usize, n: usize| -> Vec<Pc> {
            let area = AREAS[slot % AREAS.len()];
            let district = 1 + (slot / AREAS.len()) % 40;
            let mut out = Vec::with_capacity(n);
            for k in 0..n {
                let h = (slot * 7919 + k * 104_729) as u64;
                let h = h.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 17;
                let sector = (h % 10) as usize;
                let u1 = UNIT[((h / 10) % UNIT.len() as u64) as usize] as char;
                let u2 = UNIT[((h / 200) % UNIT.len() as u64) as usize] as char;
                let sub = k % 7; // spread over neighbouring districts
                let pc = format!("{area}{} {sector}{u1}{u2}", district + sub);
                out.push(postcodes.len() as Pc);
                postcodes.push(pc);
            }
            out
        };
        let own = make(index * 3, 160);
        let near_pool = make(index * 3 + 1, 120);
        let far_pool = make(index * 3 + 2, 120);
        let n = postcodes.len();
        let mut near = vec![Vec::new(); n];
        let mut far = vec![Vec::new(); n];
        for &h in &own {
            near[h as usize] = own
                .iter()
                .chain(near_pool.iter())
                .copied()
                .filter(|&j| j != h)
                .collect();
            far[h as usize] = far_pool.clone();
        }
        // Duplicated synthetic codes would make "different carer, same postcode" possible;
        // that is harmless for the national set.
        Geography {
            postcodes,
            own,
            neighbour: Vec::new(),
            near,
            far,
            real: false,
        }
    }

    /// A home postcode: mostly inside the authority, sometimes just over the border.
    pub fn pick_home<R: Rng>(&self, rng: &mut R) -> Pc {
        if !self.neighbour.is_empty() && rng.random_bool(0.08) {
            self.neighbour[rng.random_range(0..self.neighbour.len())]
        } else {
            self.own[rng.random_range(0..self.own.len())]
        }
    }

    /// A placement postcode for a child whose home is `home`: within 20 miles unless
    /// `far`, never equal to `home` nor to `avoid`.
    pub fn pick_placement<R: Rng>(&self, rng: &mut R, home: Pc, far: bool, avoid: Pc) -> Pc {
        let pool = if far && !self.far[home as usize].is_empty() {
            &self.far[home as usize]
        } else {
            &self.near[home as usize]
        };
        for _ in 0..16 {
            let p = pool[rng.random_range(0..pool.len())];
            if p != home && p != avoid {
                return p;
            }
        }
        pool.iter()
            .copied()
            .find(|&p| p != home && p != avoid)
            .expect("placement pool has at least three postcodes")
    }

    /// A postcode inside the authority (for its own provision), not `avoid`.
    pub fn pick_own<R: Rng>(&self, rng: &mut R, avoid: Pc) -> Pc {
        loop {
            let p = self.own[rng.random_range(0..self.own.len())];
            if p != avoid {
                return p;
            }
        }
    }

    /// The written postcode.
    pub fn get(&self, pc: Pc) -> &str {
        &self.postcodes[pc as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_postcodes_parse_and_cover_the_sample() {
        let all = real_postcodes();
        assert!(all.len() > 300);
        for code in ["E06000022", "E06000035", "E06000025"] {
            let g = Geography::real(code).expect("sample LA has postcodes");
            assert!(g.own.len() >= 50);
            for &h in &g.own {
                assert!(g.near[h as usize].len() > 10, "{code}");
            }
        }
    }

    #[test]
    fn postcode_format_is_plausible() {
        let ok = |p: &str| {
            let (o, i) = p.split_once(' ').unwrap();
            (2..=4).contains(&o.len())
                && o.chars().next().unwrap().is_ascii_uppercase()
                && i.len() == 3
                && i.chars().next().unwrap().is_ascii_digit()
        };
        for p in real_postcodes() {
            assert!(ok(&p.postcode), "{}", p.postcode);
        }
        for p in Geography::synthetic(17).postcodes {
            assert!(ok(&p), "{p}");
        }
    }
}
