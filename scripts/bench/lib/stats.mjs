// Benchmark statistics (medians and spread, percentiles, formats, tables from data); for run, scale, scenarios/.

/** {median, min, max, runs} of the finite numbers among values (undefined when there are none). */
export function spread(values) {
	const xs = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
	if (xs.length === 0) return undefined;
	const mid = Math.floor(xs.length / 2);
	const median = xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
	return { median, min: xs[0], max: xs[xs.length - 1], runs: xs.length };
}

/** The spread of f(run) over the runs. */
export const spreadOf = (runs, f) => spread(runs.map(f));
export const sum = (values) => values.reduce((a, v) => a + v, 0);

/** The p-th percentile (nearest rank) of numbers sorted ascending. */
export function percentile(sorted, p) {
	if (!sorted.length) return undefined;
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function round(value, digits = 1) {
	if (typeof value !== 'number' || !Number.isFinite(value)) return value;
	const f = 10 ** digits;
	return Math.round(value * f) / f;
}

/** "1234 (1200–1300)" for a spread of ms, or "1.2 s (…)" from 10 s up. */
export function fmtMs(s) {
	if (!s) return '–';
	const unit = s.median >= 10_000 ? [1000, 's', 1] : [1, 'ms', 0];
	const f = (v) => (v / unit[0]).toFixed(unit[2]);
	return s.runs > 1 ? `${f(s.median)} ${unit[1]} (${f(s.min)}–${f(s.max)})` : `${f(s.median)} ${unit[1]}`;
}

/** A spread of numbers: "1.2 (1.0–1.4)"; '–' without one. */
export function fmtNum(s, digits = 1) {
	if (!s) return '–';
	const f = (v) => v.toFixed(digits);
	return s.runs > 1 && s.min !== s.max ? `${f(s.median)} (${f(s.min)}–${f(s.max)})` : f(s.median);
}

/** One number: "1.23×" for fixed(v, 2, '×'); '–' without one. */
export const fixed = (v, digits = 1, suffix = '') => (v === undefined ? '–' : `${v.toFixed(digits)}${suffix}`);

export function fmtInt(n) {
	return typeof n === 'number' ? n.toLocaleString('en-US') : '–';
}

/** A target's status: n/a without a value, else met when ok(value). */
export const verdict = (value, ok) => (value === undefined ? 'n/a' : ok(value) ? 'met' : 'missed');

/**
 * Prints a table described by data: columns [title, cell(row)], right-aligned (a title starting with "<" is
 * left-aligned), then one line per row.
 */
export function printTable(columns, rows) {
	const titles = columns.map(([title]) => title.replace(/^</, ''));
	const cells = rows.map((row) => columns.map(([, cell]) => String(cell(row) ?? '')));
	const widths = titles.map((t, i) => Math.max(t.length, ...cells.map((r) => r[i].length)));
	const line = (texts) => `  ${texts.map((text, i) => (columns[i][0].startsWith('<') ? text.padEnd(widths[i]) : text.padStart(widths[i]))).join('  ')}`.trimEnd();
	console.log([line(titles), `  ${widths.map((w) => '-'.repeat(w)).join('  ')}`, ...cells.map(line)].join('\n'));
}
