// Small helpers: medians with their spread, and fixed-width tables for the terminal.

/** {median, min, max, runs} of the finite numbers among values (undefined when there are none). */
export function spread(values) {
	const xs = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
	if (xs.length === 0) return undefined;
	const mid = Math.floor(xs.length / 2);
	const median = xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
	return { median, min: xs[0], max: xs[xs.length - 1], runs: xs.length };
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

export function fmtNum(s, digits = 1, suffix = '') {
	if (!s) return '–';
	const f = (v) => v.toFixed(digits);
	return s.runs > 1 && s.min !== s.max ? `${f(s.median)}${suffix} (${f(s.min)}–${f(s.max)})` : `${f(s.median)}${suffix}`;
}

export function fmtInt(n) {
	return typeof n === 'number' ? n.toLocaleString('en-US') : '–';
}

/** A table: column titles (right-aligned; a title starting with "<" is left-aligned), rows of strings. */
export function table(titles, rows) {
	const columns = titles.map((t) => (t.startsWith('<') ? { title: t.slice(1), align: 'left' } : { title: t, align: 'right' }));
	const widths = columns.map((c, i) => Math.max(c.title.length, ...rows.map((r) => String(r[i] ?? '').length)));
	const cell = (text, i) => (columns[i].align === 'left' ? String(text ?? '').padEnd(widths[i]) : String(text ?? '').padStart(widths[i]));
	const line = (cells) => `  ${cells.map(cell).join('  ')}`.trimEnd();
	return [line(columns.map((c) => c.title)), `  ${widths.map((w) => '-'.repeat(w)).join('  ')}`, ...rows.map(line)].join('\n');
}

export function printTable(titles, rows) {
	console.log(table(titles, rows));
}
