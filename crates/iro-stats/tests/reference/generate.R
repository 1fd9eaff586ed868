# Second, independent oracle for iro-stats, in base R (no packages needed:
# PHEindicatormethods and FunnelPlotR could not be installed offline, so their
# formulas are re-implemented here from their documentation and our METHODS.md).
#
# Kept in the repository, not run in CI. Run after generate.py (it reads the
# inputs that script wrote):
#
#     Rscript crates/iro-stats/tests/reference/generate.R
#
# Writes r_rate_ci.csv, r_proportion_ci.csv, r_rate_limits.csv,
# r_proportion_limits.csv and r_funnel_summary.csv next to itself.

args <- commandArgs(trailingOnly = FALSE)
file_arg <- sub("^--file=", "", args[grep("^--file=", args)])
here <- if (length(file_arg)) dirname(normalizePath(file_arg)) else "."
rd <- function(f) read.csv(file.path(here, f), stringsAsFactors = FALSE)
wr <- function(df, f) write.csv(df, file.path(here, f), row.names = FALSE, quote = FALSE)
options(digits = 17)
PER <- 10000

# ---- intervals: Garwood through qchisq / qgamma, Byar, Wilson, Clopper-Pearson
rc <- rd("rate_ci.csv")[, c("observed", "population", "level")]
a <- (1 - rc$level) / 2
s <- PER / rc$population
rc$exact_lower <- ifelse(rc$observed == 0, 0, qchisq(a, 2 * rc$observed) / 2) * s
rc$exact_upper <- qchisq(a, 2 * rc$observed + 2, lower.tail = FALSE) / 2 * s
z <- qnorm(a, lower.tail = FALSE)
o <- rc$observed
o1 <- o + 1
rc$byar_lower <- ifelse(o == 0, 0, pmax(0, o * (1 - 1 / (9 * o) - z / (3 * sqrt(o)))^3)) * s
rc$byar_upper <- o1 * (1 - 1 / (9 * o1) + z / (3 * sqrt(o1)))^3 * s
wr(rc, "r_rate_ci.csv")

pc <- rd("proportion_ci.csv")[, c("observed", "n", "level")]
a <- (1 - pc$level) / 2
z <- qnorm(a, lower.tail = FALSE)
x <- pc$observed
n <- pc$n
p <- x / n
centre <- 2 * x + z^2
half <- z * sqrt(z^2 + 4 * x * (1 - p))
pc$wilson_lower <- pmin(pmax((centre - half) / (2 * (n + z^2)), 0), p)
pc$wilson_upper <- pmax(pmin((centre + half) / (2 * (n + z^2)), 1), p)
pc$exact_lower <- ifelse(x == 0, 0, qbeta(a, pmax(x, 1e-300), n - x + 1))
pc$exact_upper <- ifelse(x == n, 1, qbeta(a, x + 1, pmax(n - x, 1e-300), lower.tail = FALSE))
wr(pc, "r_proportion_ci.csv")

# ---- Spiegelhalter (2005) App. A.1.1 interpolated exact limits
interp <- function(p, cdf, sf, pmf, qfun) {
  q <- 1 - p
  reached <- function(k) {
    if (k < 0) return(FALSE)
    if (p <= 0.5) cdf(k) >= p else sf(k) <= q
  }
  r <- max(0, qfun(p))
  while (reached(r - 1)) r <- r - 1
  while (!reached(r)) r <- r + 1
  alpha <- if (p <= 0.5) (cdf(r) - p) / pmf(r) else (q - sf(r)) / pmf(r)
  r - min(max(alpha, 0), 1)
}
pois_lim <- function(theta, pop, p) {
  lam <- theta * pop / PER
  interp(p, function(k) ppois(k, lam), function(k) ppois(k, lam, lower.tail = FALSE),
         function(k) dpois(k, lam), function(pp) qpois(pp, lam)) / (pop / PER)
}
binom_lim <- function(theta, n, p) {
  interp(p, function(k) pbinom(k, n, theta), function(k) pbinom(k, n, theta, lower.tail = FALSE),
         function(k) dbinom(k, n, theta), function(pp) qbinom(pp, n, theta)) / n
}

rl <- rd("rate_limits.csv")[, c("target", "population", "level")]
rl$exact_lower <- NA
rl$exact_upper <- NA
for (i in seq_len(nrow(rl))) {
  a <- (1 - rl$level[i]) / 2
  th <- rl$target[i]
  rl$exact_lower[i] <- min(max(pois_lim(th, rl$population[i], a), 0), th)
  rl$exact_upper[i] <- max(pois_lim(th, rl$population[i], 1 - a), th)
}
wr(rl, "r_rate_limits.csv")

bl <- rd("proportion_limits.csv")[, c("target", "n", "level")]
bl$exact_lower <- NA
bl$exact_upper <- NA
for (i in seq_len(nrow(bl))) {
  a <- (1 - bl$level[i]) / 2
  th <- bl$target[i]
  bl$exact_lower[i] <- min(max(binom_lim(th, bl$n[i], a), 0), th)
  bl$exact_upper[i] <- min(max(binom_lim(th, bl$n[i], 1 - a), th), 1)
}
wr(bl, "r_proportion_limits.csv")

# ---- over-dispersion, FunnelPlotR steps (target supplied, not pooled)
u <- rd("funnel_units.csv")
out <- NULL
for (ds in unique(u$dataset)) {
  d <- u[u$dataset == ds, ]
  th <- d$target[1]
  if (d$indicator[1] == "rate") {
    e <- th * d$denominator / PER
    y <- sqrt(d$observed / e)
    t0 <- 1
    se <- 1 / (2 * sqrt(e))
  } else {
    y <- asin(sqrt(d$observed / d$denominator))
    t0 <- asin(sqrt(th))
    se <- 1 / (2 * sqrt(d$denominator))
  }
  zz <- (y - t0) / se
  lz <- quantile(zz, 0.1, type = 7, names = FALSE)
  uz <- quantile(zz, 0.9, type = 7, names = FALSE)
  zw <- pmin(pmax(zz, lz), uz)
  I <- length(zz)
  phi <- sum(zw^2) / I
  w <- 1 / se^2
  tau2 <- if (I * phi > I - 1) max(0, (I * phi - (I - 1)) / (sum(w) - sum(w^2) / sum(w))) else 0
  out <- rbind(out, data.frame(dataset = ds, units = I, phi = phi, tau2 = tau2,
                               overdispersed = as.integer(I * phi > I - 1),
                               z_lower = lz, z_upper = uz))
}
wr(out, "r_funnel_summary.csv")
print(out)
